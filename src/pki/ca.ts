import { createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { certificateSha256 } from './names.js';

/** What a leaf certificate is for: TLS server, TLS client, or both (an agent serves and calls). */
export type CertificateUse = 'server' | 'client' | 'both';

export interface IssueRequest {
  commonName: string;
  /** SPKI PEM of an RSA key; the holder of the matching private key owns the certificate. */
  publicKeyPem: string;
  /** DNS names and IP addresses it is valid for (server certificates). */
  names?: readonly string[];
  use: CertificateUse;
  days: number;
}

const CA_DAYS = 3650;

/**
 * The manager's certificate authority: created on first start and kept with the manager's data,
 * or the operator's own (TLS_CA_CERT, TLS_CA_KEY). Certificates are laid out by node-forge
 * (docs/dependencies.md) and signed by node:crypto, which also makes the keys: forge's own RSA is
 * JavaScript and takes a second per signature on a busy machine.
 */
export class CertificateAuthority {
  /** SHA-256 of the CA certificate, lowercase hex: the pin agents keep. */
  readonly sha256: string;

  private constructor(
    readonly certificatePem: string,
    private readonly privateKeyPem: string,
    private readonly forge: Forge,
  ) {
    this.sha256 = certificateSha256(certificatePem);
  }

  /** A new self-signed CA with an RSA 2048 key. */
  static async create(name: string, keyPair: { privateKeyPem: string; publicKeyPem: string }): Promise<CertificateAuthority> {
    const forge = await loadForge();
    const { pki } = forge;
    const cert = pki.createCertificate();
    cert.publicKey = pki.publicKeyFromPem(keyPair.publicKeyPem);
    cert.serialNumber = serialNumber();
    setValidity(cert, CA_DAYS);
    const subject = [{ shortName: 'CN', value: name }];
    cert.setSubject(subject);
    cert.setIssuer(subject);
    cert.setExtensions([
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ]);
    signCertificate(forge, cert, keyPair.privateKeyPem);
    return new CertificateAuthority(pki.certificateToPem(cert), keyPair.privateKeyPem, forge);
  }

  /** An existing CA; refuses a certificate that is no CA or a key that does not match it. */
  static async load(certificatePem: string, privateKeyPem: string): Promise<CertificateAuthority> {
    const forge = await loadForge();
    const x509 = new X509Certificate(certificatePem);
    if (!x509.ca) throw new Error('the CA certificate is not a CA (basicConstraints CA:TRUE is missing)');
    let key;
    try {
      key = createPrivateKey(privateKeyPem);
    } catch {
      throw new Error('the CA key is no private key in PEM form');
    }
    if (key.asymmetricKeyType !== 'rsa') throw new Error('the CA key must be an RSA key');
    if (!x509.checkPrivateKey(key)) throw new Error('the CA key does not belong to the CA certificate');
    return new CertificateAuthority(x509.toString(), privateKeyPem, forge);
  }

  issue(request: IssueRequest): string {
    const { pki } = this.forge;
    const caCert = pki.certificateFromPem(this.certificatePem);
    const cert = pki.createCertificate();
    cert.publicKey = pki.publicKeyFromPem(request.publicKeyPem);
    cert.serialNumber = serialNumber();
    setValidity(cert, request.days);
    cert.setSubject([{ shortName: 'CN', value: request.commonName }]);
    cert.setIssuer(caCert.subject.attributes);
    const names = (request.names ?? []).map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n }));
    cert.setExtensions([
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: request.use !== 'client', clientAuth: request.use !== 'server' },
      ...(names.length > 0 ? [{ name: 'subjectAltName', altNames: names }] : []),
      { name: 'subjectKeyIdentifier' },
      { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    ]);
    signCertificate(this.forge, cert, this.privateKeyPem);
    return pki.certificateToPem(cert);
  }

  /** For storage with the manager's data: the only way the private key leaves this object. */
  toStored(): { certificate: string; key: string } {
    return { certificate: this.certificatePem, key: this.privateKeyPem };
  }

  /** What JSON.stringify and a logger see: never the private key. */
  toJSON(): { certificate: string; sha256: string } {
    return { certificate: this.certificatePem, sha256: this.sha256 };
  }
}

type Forge = typeof import('node-forge');

/** Loaded on first use: only a manager issues certificates, and an agent need not carry it. */
async function loadForge(): Promise<Forge> {
  const module = (await import('node-forge')) as unknown as { default?: Forge } & Forge;
  return module.default ?? module;
}

/** What forge's `cert.sign` does, with the signature itself from node:crypto (sha256WithRSAEncryption). */
function signCertificate(forge: Forge, cert: import('node-forge').pki.Certificate, privateKeyPem: string): void {
  const oid = forge.pki.oids.sha256WithRSAEncryption!;
  const fields = cert as unknown as { signatureOid: string; siginfo: { algorithmOid: string }; tbsCertificate: import('node-forge').asn1.Asn1; signature: string };
  fields.signatureOid = oid;
  fields.siginfo.algorithmOid = oid;
  fields.tbsCertificate = (forge.pki as unknown as { getTBSCertificate(c: unknown): import('node-forge').asn1.Asn1 }).getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(fields.tbsCertificate).getBytes(), 'binary');
  fields.signature = sign('sha256', tbs, privateKeyPem).toString('binary');
}

/** 16 random bytes with the top bit clear: a positive serial, unique without bookkeeping. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

function setValidity(cert: { validity: { notBefore: Date; notAfter: Date } }, days: number): void {
  // A little in the past, so that a peer whose clock is a few minutes behind accepts it at once.
  const start = Date.now() - 5 * 60_000;
  cert.validity.notBefore = new Date(start);
  cert.validity.notAfter = new Date(start + days * 86_400_000);
}
