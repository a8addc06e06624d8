import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { PeerCertificate } from 'node:tls';
import { certificateSha256 } from '../pki/index.js';

/**
 * How the manager talks to agents: machine-lab's `/agent/containers` routes, which Shipshape's
 * agent serves too, so a fleet may mix both. Every call carries the host's server key as
 * X-Server-Key and has a deadline; answers are values, never exceptions.
 *
 * An enrolled agent is called over HTTPS, with the manager's client certificate, and must show
 * exactly the certificate it enrolled with (docs/security.md, "Keys and transport"). A host
 * registered by POST /hosts (machine-lab's way) is called over plain HTTP, as machine-lab did.
 */

export interface AgentTarget {
  ip: string;
  apiPort: number;
  serverKey: string;
  /** SHA-256 of the enrolled agent's certificate; null: a plain-HTTP host. */
  certSha256: string | null;
}

/** The manager's side of mutual TLS with agents. */
export interface AgentTls {
  /** The manager CA (PEM), which issued every agent's certificate. */
  ca: string;
  cert: string;
  key: string;
}

export type AgentResult =
  | { ok: true; status: number; body: unknown }
  /**
   * `unreached`: the request certainly never reached the agent (refused, no route, unknown name),
   * so the agent cannot be acting on it. Without an answer otherwise, it may be.
   */
  | { ok: false; status: number | null; body: unknown; reason: string; unreached?: boolean };

export interface AgentContainer {
  name: string;
  status: string;
}

/** A stack as a Shipshape agent's `GET /stacks` lists it. */
export interface AgentStack {
  name: string;
  status: string;
}

export interface AgentClient {
  /** `docker compose up -d` of a ZIP package, as project `name`. */
  launch(target: AgentTarget, name: string, zip: Buffer, signal: AbortSignal): Promise<AgentResult>;
  restart(target: AgentTarget, name: string, signal: AbortSignal): Promise<AgentResult>;
  /** `docker compose down`; an agent that does not know the stack (404) counts as done. */
  remove(target: AgentTarget, name: string, signal: AbortSignal): Promise<AgentResult>;
  /** The containers running on the host; undefined when the agent cannot be asked. */
  containers(target: AgentTarget, signal: AbortSignal): Promise<AgentContainer[] | undefined>;
  /** A Shipshape agent's stacks, those it is deploying included; undefined when it cannot be asked. */
  stacks(target: AgentTarget, signal: AbortSignal): Promise<AgentStack[] | undefined>;
}

export function agentBaseUrl(target: Pick<AgentTarget, 'ip' | 'apiPort'> & Partial<Pick<AgentTarget, 'certSha256'>>): string {
  const host = target.ip.includes(':') && !target.ip.startsWith('[') ? `[${target.ip}]` : target.ip;
  return `${target.certSha256 ? 'https' : 'http'}://${host}:${target.apiPort}`;
}

/** The most of an agent's answer the manager reads. */
const MAX_ANSWER_BYTES = 4 * 2 ** 20;

export class HttpAgentClient implements AgentClient {
  /** Without `tls`, enrolled hosts cannot be called (their calls fail with a reason saying so). */
  constructor(private readonly tls?: AgentTls | (() => Promise<AgentTls>)) {}

  launch(target: AgentTarget, name: string, zip: Buffer, signal: AbortSignal): Promise<AgentResult> {
    // machine-lab's agent requires a VPN profile; Shipshape manages none and sends an empty one.
    const body = JSON.stringify({ name, docker_zip_base64: zip.toString('base64'), vpn_conf_base64: '' });
    return this.call(target, 'POST', '/agent/containers', body, signal, [201, 200]);
  }

  restart(target: AgentTarget, name: string, signal: AbortSignal): Promise<AgentResult> {
    return this.call(target, 'POST', `/agent/containers/${encodeURIComponent(name)}/restart`, undefined, signal, [200]);
  }

  remove(target: AgentTarget, name: string, signal: AbortSignal): Promise<AgentResult> {
    return this.call(target, 'DELETE', `/agent/containers/${encodeURIComponent(name)}`, undefined, signal, [200, 202, 204, 404]);
  }

  async containers(target: AgentTarget, signal: AbortSignal): Promise<AgentContainer[] | undefined> {
    const result = await this.call(target, 'GET', '/agent/containers', undefined, signal, [200]);
    if (!result.ok || !Array.isArray(result.body)) return undefined;
    return result.body
      .filter((c): c is { name: unknown; status?: unknown } => typeof c === 'object' && c !== null && 'name' in c)
      .map((c) => ({ name: String(c.name), status: String(c.status ?? '') }));
  }

  async stacks(target: AgentTarget, signal: AbortSignal): Promise<AgentStack[] | undefined> {
    const result = await this.call(target, 'GET', '/stacks', undefined, signal, [200]);
    if (!result.ok || !Array.isArray(result.body)) return undefined;
    return result.body
      .filter((s): s is { name: unknown; status?: unknown } => typeof s === 'object' && s !== null && 'name' in s)
      .map((s) => ({ name: String(s.name), status: String(s.status ?? '') }));
  }

  private async send(target: AgentTarget, method: string, path: string, body: string | undefined, signal: AbortSignal): Promise<{ status: number; text: string }> {
    const url = new URL(`${agentBaseUrl(target)}${path}`);
    const headers: Record<string, string | number> = { 'x-server-key': target.serverKey };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    let start: () => import('node:http').ClientRequest;
    if (target.certSha256) {
      const tls = typeof this.tls === 'function' ? await this.tls() : this.tls;
      if (!tls) throw new Error('this manager has no client certificate for enrolled agents');
      const sha = target.certSha256;
      start = () => httpsRequest(url, { method, headers, signal, ca: tls.ca, cert: tls.cert, key: tls.key, checkServerIdentity: pinnedAgentIdentity(sha), agent: false });
    } else {
      start = () => httpRequest(url, { method, headers, signal });
    }
    return new Promise((resolve, reject) => {
      const req = start();
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  private async call(
    target: AgentTarget,
    method: string,
    path: string,
    body: string | undefined,
    signal: AbortSignal,
    expected: readonly number[],
  ): Promise<AgentResult> {
    let response: { status: number; text: string };
    try {
      response = await this.send(target, method, path, body, signal);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException)?.code;
      const unreached = !signal.aborted && code !== undefined && UNREACHED.has(code);
      return { ok: false, status: null, body: null, reason: `the agent at ${agentBaseUrl(target)} did not answer: ${describeRequestError(err, signal)}`, unreached };
    }
    const text = response.text;
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON: kept as text, shortened below.
    }
    if (typeof parsed === 'string') parsed = parsed.slice(0, 2_000);
    if (expected.includes(response.status)) return { ok: true, status: response.status, body: parsed };
    return { ok: false, status: response.status, body: parsed, reason: `the agent answered HTTP ${response.status}: ${summarize(parsed)}` };
  }
}

/** Errors raised before a request can have left this machine. */
const UNREACHED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/** The agent's own words for a failure, short: its `detail` or `error.message` when it has one. */
function summarize(body: unknown): string {
  if (body && typeof body === 'object') {
    const detail = (body as { detail?: unknown }).detail;
    if (typeof detail === 'string') return detail.slice(0, 300);
    const message = (body as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string') return message.slice(0, 300);
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return (text ?? '').replace(/[\x00-\x1f\x7f]/g, ' ').slice(0, 300);
}

function describeRequestError(err: unknown, signal: AbortSignal): string {
  if (signal.aborted) return signal.reason instanceof Error && signal.reason.name === 'TimeoutError' ? 'timed out' : 'cancelled';
  const e = err as NodeJS.ErrnoException;
  if (e?.code && e.code !== 'ERR_TLS_CERT_ALTNAME_INVALID') return `${e.code}${e.message && !e.message.startsWith(e.code) ? ` (${e.message})` : ''}`;
  return e?.message ?? String(err);
}

/**
 * The agent's certificate must chain to the manager CA and be the very one the host enrolled
 * with: its address may change, its certificate may not, and another agent's certificate from
 * the same CA is refused.
 */
function pinnedAgentIdentity(expectedSha256: string): (host: string, cert: PeerCertificate) => Error | undefined {
  return (_host, cert) => {
    if (!cert?.raw || certificateSha256(cert.raw) !== expectedSha256) {
      return new Error('the agent presented a certificate other than the one it enrolled with');
    }
    return undefined;
  };
}
