import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { agentCommonName, certificateSha256, generateKeyPair } from '../pki/index.js';
import type { Manager } from './app.js';
import { issueEnrollmentToken } from './routes/enrollment.js';
import { hashKey, mintServerKey } from './security/keys.js';
import { newHostRecord } from './storage/index.js';

export interface LocalHostOptions {
  hostname: string;
  ip: string;
  apiPort: number;
  maxContainers: number;
}

/**
 * Registers the agent `npm start` runs next to the manager, or finds it from an earlier start
 * (same address): its server key is signed again from the stored claims, so nothing rotates and
 * an agent started by hand with the old key keeps working.
 */
export async function ensureLocalHost(manager: Manager, options: LocalHostOptions): Promise<{ hostId: string; serverKey: string; created: boolean }> {
  const { repo, secret, now, audit } = manager.context;
  const existing = await repo.findHostByAddress(options.ip, options.apiPort);
  if (existing) {
    const serverKey = await mintServerKey(secret, { hostId: existing.id, jti: existing.keyJti, issuedAt: existing.keyIssuedAt });
    return { hostId: existing.id, serverKey, created: false };
  }
  const at = now();
  const id = randomUUID();
  const jti = randomUUID();
  const issuedAt = Math.floor(at / 1000);
  const serverKey = await mintServerKey(secret, { hostId: id, jti, issuedAt });
  await repo.insertHost(
    newHostRecord(
      { id, hostname: options.hostname, ip: options.ip, sshPort: 22, apiPort: options.apiPort, maxContainers: options.maxContainers, keyJti: jti, keyHash: hashKey(serverKey), keyIssuedAt: issuedAt },
      at,
    ),
  );
  await audit.record(undefined, { action: 'host.register', target: id, actor: null, details: { hostname: options.hostname, local: true } });
  return { hostId: id, serverKey, created: true };
}

/**
 * An identity for the local agent when the manager serves HTTPS: a certificate from the manager
 * CA, recorded as the host's, so that it is called and heartbeats as an enrolled agent does.
 * Shaped as the agent's enrollment file (docs/agent.md, "Enrollment"), kept in memory only.
 */
export async function localAgentIdentity(
  manager: Manager,
  host: { hostId: string; serverKey: string },
  managerUrl: string,
  heartbeatInterval: number,
): Promise<{ managerUrl: string; hostId: string; serverKey: string; caCertificate: string; caSha256: string; certificate: string; privateKey: string; heartbeatInterval: number }> {
  const { tls, repo, now } = manager.context;
  const ca = await tls.authority();
  const keys = generateKeyPair();
  const certificate = ca.issue({ commonName: agentCommonName(host.hostId), publicKeyPem: keys.publicKeyPem, names: ['127.0.0.1', 'localhost'], use: 'both', days: 397 });
  await repo.setHostCertificate(host.hostId, certificateSha256(certificate), now());
  return { managerUrl, hostId: host.hostId, serverKey: host.serverKey, caCertificate: ca.certificatePem, caSha256: ca.sha256, certificate, privateKey: keys.privateKeyPem, heartbeatInterval };
}

/** A day: long enough for a slow first `docker compose up`, short enough to be worthless later. */
const LOCAL_TOKEN_TTL_SECONDS = 86_400;

/**
 * `LOCAL_AGENT_TOKEN_FILE` (docs/deploy.md, "One host"): a one-use enrollment token for the agent
 * that runs beside the manager in compose, written (mode 0600) only when the file is not there, so
 * a restart does not make a new one. The agent enrolls with it on its first start.
 */
export async function writeLocalAgentToken(manager: Manager, file: string): Promise<boolean> {
  if (existsSync(file)) return false;
  const { token } = await issueEnrollmentToken(manager.context, { ttlSeconds: LOCAL_TOKEN_TTL_SECONDS, uses: 1, createdBy: null });
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const partial = `${file}.partial`;
  const fd = openSync(partial, 'w', 0o600);
  try {
    writeSync(fd, `${token}\n`);
  } finally {
    closeSync(fd);
  }
  renameSync(partial, file);
  return true;
}
