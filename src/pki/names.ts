import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';

/**
 * Who a certificate issued by the manager's CA speaks for, by its common name. The CA issues
 * three kinds; each side checks the kind it expects, so that one agent's certificate can pose
 * neither as the manager nor as another agent (docs/security.md, "Keys and transport").
 */
export const MANAGER_SERVER_CN = 'shipshape-manager';
export const MANAGER_CLIENT_CN = 'shipshape-manager-client';
const AGENT_CN_PREFIX = 'shipshape-agent:';

export function agentCommonName(hostId: string): string {
  return `${AGENT_CN_PREFIX}${hostId}`;
}

/** The host id an agent certificate names, or undefined for any other certificate. */
export function hostIdOfCommonName(cn: string | undefined): string | undefined {
  return cn?.startsWith(AGENT_CN_PREFIX) ? cn.slice(AGENT_CN_PREFIX.length) : undefined;
}

/** SHA-256 of a certificate's DER bytes, lowercase hex: what `openssl x509 -fingerprint -sha256` shows, without colons. */
export function certificateSha256(certificate: string | Buffer): string {
  const der = typeof certificate === 'string' ? new X509Certificate(certificate).raw : certificate;
  return createHash('sha256').update(der).digest('hex');
}

/** A pin as the operator may paste it (colons, upper case) in the form stored and compared. */
export function normalizePin(pin: string): string | undefined {
  const hex = pin.replace(/:/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

/** An RSA key pair for a certificate; the private key never leaves the machine that made it. */
export function generateKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** The part of a peer certificate (`tls.TLSSocket#getPeerCertificate()`) the checks read. */
export interface PeerCertificateFacts {
  subject?: { CN?: string | string[] } | null;
  raw?: Buffer;
  ext_key_usage?: string[];
  ca?: boolean;
}

export function commonNameOf(peer: PeerCertificateFacts | undefined): string | undefined {
  const cn = peer?.subject?.CN;
  return typeof cn === 'string' ? cn : undefined;
}

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

/** The manager's client certificate: its name and the client-auth usage (agents' certificates also carry it, but not this name). */
export function isManagerClientCertificate(peer: PeerCertificateFacts | undefined): boolean {
  return commonNameOf(peer) === MANAGER_CLIENT_CN && (peer?.ext_key_usage ?? []).includes(CLIENT_AUTH) && peer?.ca !== true;
}

/** The manager's server certificate, as an agent expects it behind MANAGER_URL. */
export function isManagerServerCertificate(peer: PeerCertificateFacts | undefined): boolean {
  return commonNameOf(peer) === MANAGER_SERVER_CN && (peer?.ext_key_usage ?? []).includes(SERVER_AUTH) && peer?.ca !== true;
}
