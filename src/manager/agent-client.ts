import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { PeerCertificate } from 'node:tls';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { CompatAction, CompatContainerInfo, DetailBody, ErrorBody, StackSummary, type CompatStartRequest } from '../contract/index.js';
import { certificateSha256 } from '../pki/index.js';

/**
 * How the manager talks to agents: machine-lab's `/agent/containers` routes, which Shipshape's
 * agent serves too, so a fleet may mix both. Every call carries the host's server key as
 * X-Server-Key and has a deadline; answers are values, never exceptions. Requests are built from
 * the agent's contract types and answers are checked against its schemas (src/contract): an
 * answer that does not follow them is a failure, whatever its status.
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

/** The agent's answers, checked against the contract (compiled once). */
const ANSWERS = {
  action: Compile(CompatAction),
  containers: Compile(Type.Array(CompatContainerInfo)),
  stacks: Compile(Type.Array(StackSummary)),
  detail: Compile(DetailBody),
  error: Compile(ErrorBody),
};

export interface AgentClient {
  /** `docker compose up -d` of a ZIP package, as project `name`. */
  launch(target: AgentTarget, name: string, zip: Buffer, signal: AbortSignal): Promise<AgentResult>;
  restart(target: AgentTarget, name: string, signal: AbortSignal): Promise<AgentResult>;
  /** `docker compose down`; an agent that does not know the stack (404) counts as done. */
  remove(target: AgentTarget, name: string, signal: AbortSignal): Promise<AgentResult>;
  /** The containers running on the host; undefined when the agent cannot be asked. */
  containers(target: AgentTarget, signal: AbortSignal): Promise<AgentContainer[] | undefined>;
  /** The host's stacks with their status (Shipshape's agent only); undefined when the agent cannot be asked or is not Shipshape's. */
  stacks(target: AgentTarget, signal: AbortSignal): Promise<StackSummary[] | undefined>;
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
    const request: CompatStartRequest = { name, docker_zip_base64: zip.toString('base64'), vpn_conf_base64: '' };
    return this.call(target, 'POST', '/agent/containers', JSON.stringify(request), signal, { 201: ANSWERS.action, 200: ANSWERS.action });
  }

  restart(target: AgentTarget, name: string, signal: AbortSignal): Promise<AgentResult> {
    return this.call(target, 'POST', `/agent/containers/${encodeURIComponent(name)}/restart`, undefined, signal, { 200: ANSWERS.action });
  }

  remove(target: AgentTarget, name: string, signal: AbortSignal): Promise<AgentResult> {
    return this.call(target, 'DELETE', `/agent/containers/${encodeURIComponent(name)}`, undefined, signal, {
      200: ANSWERS.action,
      202: undefined,
      204: undefined,
      404: ANSWERS.detail,
    });
  }

  async containers(target: AgentTarget, signal: AbortSignal): Promise<AgentContainer[] | undefined> {
    const result = await this.call(target, 'GET', '/agent/containers', undefined, signal, { 200: ANSWERS.containers });
    if (!result.ok || !ANSWERS.containers.Check(result.body)) return undefined;
    return result.body.map((c) => ({ name: c.name, status: c.status }));
  }

  async stacks(target: AgentTarget, signal: AbortSignal): Promise<StackSummary[] | undefined> {
    const result = await this.call(target, 'GET', '/stacks', undefined, signal, { 200: ANSWERS.stacks });
    return result.ok && ANSWERS.stacks.Check(result.body) ? result.body : undefined;
  }

  /**
   * A request whose answer is read as it arrives (a followed log): resolves with the response
   * once its head is in; the caller reads it and aborts `signal` when done.
   */
  async open(target: AgentTarget, path: string, signal: AbortSignal, headers: Record<string, string> = {}): Promise<IncomingMessage> {
    const start = await this.starter(target, 'GET', path, headers, signal);
    return new Promise((resolve, reject) => {
      const req = start();
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
  }

  private async starter(
    target: AgentTarget,
    method: string,
    path: string,
    extra: Record<string, string | number>,
    signal: AbortSignal,
  ): Promise<() => import('node:http').ClientRequest> {
    const url = new URL(`${agentBaseUrl(target)}${path}`);
    const headers: Record<string, string | number> = { ...extra, 'x-server-key': target.serverKey };
    if (target.certSha256) {
      const tls = typeof this.tls === 'function' ? await this.tls() : this.tls;
      if (!tls) throw new Error('this manager has no client certificate for enrolled agents');
      const sha = target.certSha256;
      return () => httpsRequest(url, { method, headers, signal, ca: tls.ca, cert: tls.cert, key: tls.key, checkServerIdentity: pinnedAgentIdentity(sha), agent: false });
    }
    return () => httpRequest(url, { method, headers, signal });
  }

  private async send(target: AgentTarget, method: string, path: string, body: string | undefined, signal: AbortSignal): Promise<{ status: number; text: string }> {
    const headers: Record<string, string | number> = {};
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const start = await this.starter(target, method, path, headers, signal);
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

  /** Any agent route: the answer as a value (parsed JSON when it is JSON), never an exception. */
  async call(
    target: AgentTarget,
    method: string,
    path: string,
    body: string | undefined,
    signal: AbortSignal,
    /** The statuses that mean success, each with the contract its body must follow (undefined: any body). */
    expected: Readonly<Record<number, { Check(value: unknown): boolean } | undefined>>,
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
    if (response.status in expected) {
      const contract = expected[response.status];
      if (!contract || contract.Check(parsed)) return { ok: true, status: response.status, body: parsed };
      return { ok: false, status: response.status, body: parsed, reason: `the agent answered HTTP ${response.status} with a body its contract does not allow: ${summarize(parsed)}` };
    }
    return { ok: false, status: response.status, body: parsed, reason: `the agent answered HTTP ${response.status}: ${summarize(parsed)}` };
  }
}

/** Errors raised before a request can have left this machine. */
const UNREACHED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/** The agent's own words for a failure, short: its `detail` or `error.message` when it has one. */
function summarize(body: unknown): string {
  if (ANSWERS.detail.Check(body) && typeof body.detail === 'string') return body.detail.slice(0, 300);
  if (ANSWERS.error.Check(body)) return body.error.message.slice(0, 300);
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
