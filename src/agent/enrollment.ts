import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { parseEnrollmentToken, type EnrollResponse, type TlsCaResponse } from '../contract/index.js';
import { certificateSha256, generateKeyPair, isManagerServerCertificate } from '../pki/index.js';

/**
 * What an enrolled agent keeps in WORK_DIR (docs/agent.md, "Enrollment"): who it is at the
 * manager, its key, its certificate and private key, and the manager CA with its pin. One file,
 * owner-only, replaced atomically whenever the manager hands over a new key or revokes it.
 */
export interface Enrollment {
  managerUrl: string;
  hostId: string;
  /** Null once the manager said the host was deleted: no key opens this agent any more. */
  serverKey: string | null;
  caCertificate: string;
  caSha256: string;
  certificate: string;
  privateKey: string;
  heartbeatInterval: number;
}

export const ENROLLMENT_FILE = 'enrollment.json';

export class EnrollmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnrollmentError';
  }
}

/** The enrollment in WORK_DIR, undefined when there is none; a damaged or tampered file is an error. */
export function readEnrollment(workDir: string): Enrollment | undefined {
  const path = join(workDir, ENROLLMENT_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EnrollmentError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let data: Enrollment;
  try {
    data = JSON.parse(text) as Enrollment;
  } catch {
    throw new EnrollmentError(`${path} is not valid JSON; enroll again (shipshape agent --enroll TOKEN --manager URL)`);
  }
  const strings: (keyof Enrollment)[] = ['managerUrl', 'hostId', 'caCertificate', 'caSha256', 'certificate', 'privateKey'];
  for (const field of strings) {
    if (typeof data[field] !== 'string' || data[field] === '') throw new EnrollmentError(`${path} lacks "${field}"; enroll again`);
  }
  if (data.serverKey !== null && typeof data.serverKey !== 'string') throw new EnrollmentError(`${path} has a bad "serverKey"; enroll again`);
  if (!data.managerUrl.startsWith('https://')) throw new EnrollmentError(`${path}: managerUrl must be https://`);
  let caSha256: string;
  try {
    caSha256 = certificateSha256(data.caCertificate);
  } catch {
    throw new EnrollmentError(`${path}: caCertificate is no certificate; enroll again`);
  }
  if (caSha256 !== data.caSha256) throw new EnrollmentError(`${path}: the manager CA does not match its pin; enroll again`);
  if (typeof data.heartbeatInterval !== 'number' || !(data.heartbeatInterval >= 0.1)) data.heartbeatInterval = 10;
  return data;
}

/** Writes the file owner-only and atomically: a new file beside it, flushed, then renamed over it. */
export async function writeEnrollment(workDir: string, enrollment: Enrollment): Promise<void> {
  await mkdir(workDir, { recursive: true, mode: 0o700 });
  const path = join(workDir, ENROLLMENT_FILE);
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(enrollment, null, 2)}\n`);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temporary, { force: true });
    throw err;
  } finally {
    await handle.close().catch(() => undefined);
  }
  await rename(temporary, path);
}

/**
 * TLS options for calls to the manager: only the pinned CA is trusted, the peer must show the
 * manager's server certificate (an agent's certificate from the same CA is refused), and the
 * agent shows its own.
 */
export function managerTlsOptions(enrollment: Pick<Enrollment, 'caCertificate' | 'certificate' | 'privateKey'>) {
  return {
    ca: enrollment.caCertificate,
    cert: enrollment.certificate,
    key: enrollment.privateKey,
    checkServerIdentity: managerIdentity(),
  };
}

/**
 * Called once the chain verified against `ca`, which is only ever the pinned CA certificate
 * (its hash is checked when it is read or received), so the peer's certificate comes from it.
 */
function managerIdentity(): (host: string, cert: PeerCertificate) => Error | undefined {
  return (_host, cert) =>
    isManagerServerCertificate(cert) ? undefined : new Error("the peer is not the manager: its certificate is not the manager's server certificate");
}

export interface EnrollOptions {
  token: string;
  managerUrl: string;
  workDir: string;
  hostname: string;
  apiPort: number;
  /** Where the manager reaches this agent; default: the address the manager sees. */
  address?: string;
  maxContainers?: number;
  timeoutMs?: number;
}

/**
 * Registers this host with the manager: checks the manager CA against the pin in the token
 * before the token leaves the machine, sends a public key made here, and stores what comes
 * back in WORK_DIR. Refused (and nothing written) when WORK_DIR holds a live enrollment.
 */
export async function enroll(options: EnrollOptions): Promise<Enrollment> {
  const token = parseEnrollmentToken(options.token);
  if (!token) throw new EnrollmentError('the enrollment token is malformed: copy it whole from POST /hosts/enrollment-tokens');
  let base: URL;
  try {
    base = new URL(options.managerUrl);
  } catch {
    throw new EnrollmentError(`--manager must be a URL, not "${options.managerUrl}"`);
  }
  if (base.protocol !== 'https:') throw new EnrollmentError('--manager must be the manager\'s https:// URL: the token pins its certificate authority');
  const managerUrl = base.href.replace(/\/+$/, '');
  const existing = readEnrollment(options.workDir);
  if (existing && existing.serverKey !== null) {
    throw new EnrollmentError(`${join(options.workDir, ENROLLMENT_FILE)} already enrolls this agent as host ${existing.hostId}; delete that host at the manager first`);
  }
  const timeoutMs = options.timeoutMs ?? 15_000;

  // Unverified on purpose: what it returns is trusted only if it hashes to the pin.
  const caAnswer = await call(`${managerUrl}/tls/ca`, 'GET', undefined, { rejectUnauthorized: false }, timeoutMs);
  const ca = caAnswer.status === 200 ? (JSON.parse(caAnswer.text) as TlsCaResponse) : undefined;
  if (!ca || typeof ca.ca_certificate !== 'string') throw new EnrollmentError(`the manager did not show its CA (HTTP ${caAnswer.status})`);
  let caSha256: string;
  try {
    caSha256 = certificateSha256(ca.ca_certificate);
  } catch {
    throw new EnrollmentError('the manager sent something that is no certificate as its CA');
  }
  if (caSha256 !== token.caSha256) throw new EnrollmentError('the manager\'s CA does not match the pin in the token: this is not the manager that issued it (or the token is for another one); nothing was sent');

  const keys = generateKeyPair();
  const pinned = { ca: ca.ca_certificate, checkServerIdentity: managerIdentity() };
  const body = JSON.stringify({
    token: options.token.trim(),
    hostname: options.hostname,
    api_port: options.apiPort,
    public_key: keys.publicKeyPem,
    ...(options.address ? { ip: options.address } : {}),
    ...(options.maxContainers ? { max_containers: options.maxContainers } : {}),
  });
  const answer = await call(`${managerUrl}/hosts/enroll`, 'POST', body, pinned, timeoutMs);
  if (answer.status !== 201) throw new EnrollmentError(`the manager refused the enrollment (HTTP ${answer.status}): ${detailOf(answer.text)}`);
  const enrolled = JSON.parse(answer.text) as EnrollResponse;
  if (certificateSha256(enrolled.ca_certificate) !== caSha256) throw new EnrollmentError('the manager answered with another CA than the pinned one');
  const enrollment: Enrollment = {
    managerUrl,
    hostId: enrolled.host_id,
    serverKey: enrolled.server_key,
    caCertificate: enrolled.ca_certificate,
    caSha256,
    certificate: enrolled.certificate,
    privateKey: keys.privateKeyPem,
    heartbeatInterval: enrolled.heartbeat_interval,
  };
  await writeEnrollment(options.workDir, enrollment);
  return enrollment;
}

function detailOf(text: string): string {
  try {
    const body = JSON.parse(text) as { detail?: unknown; error?: { message?: unknown } };
    const detail = typeof body.detail === 'string' ? body.detail : typeof body.error?.message === 'string' ? body.error.message : text;
    return String(detail).replace(/[\x00-\x1f\x7f]/g, ' ').slice(0, 300);
  } catch {
    return text.replace(/[\x00-\x1f\x7f]/g, ' ').slice(0, 300);
  }
}

function call(url: string, method: string, body: string | undefined, tls: Record<string, unknown>, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = httpsRequest(url, { method, headers, timeout: timeoutMs, agent: false, ...tls }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= 1 << 20) chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new EnrollmentError(`the manager did not answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => reject(err instanceof EnrollmentError ? err : new EnrollmentError(`cannot reach the manager at ${url}: ${err.code ?? ''} ${err.message}`.trim())));
    req.end(body);
  });
}
