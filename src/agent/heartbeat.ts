import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { PeerCertificate } from 'node:tls';
import type { FastifyBaseLogger } from 'fastify';
import type { Heartbeat as HeartbeatBody } from '../contract/index.js';

export interface HeartbeatOptions {
  /** `{MANAGER_URL}/hosts/{HOST_ID}/heartbeat`. */
  url: string;
  /** The key to send; a function when it can change (an enrolled agent's). */
  serverKey: string | (() => string | null);
  intervalMs: number;
  /** For an enrolled agent: the pinned CA, its certificate and key, the check of the manager's certificate. */
  tls?: HeartbeatTls;
  /** Every answer the manager gave, after it was counted; what an enrolled agent learns from it. */
  onAnswer?: (status: number, text: string) => void | Promise<void>;
  /** A manager that has not answered by then is unreachable for this beat (5 s). */
  timeoutMs?: number;
  /** The longest wait between two attempts while the manager is unreachable. */
  maxBackoffMs?: number;
  collect: () => Promise<HeartbeatBody>;
  log: FastifyBaseLogger;
  onResult?: (ok: boolean) => void;
  /** For tests: jitter source in [0, 1). */
  random?: () => number;
}

export interface HeartbeatTls {
  ca: string;
  cert: string;
  key: string;
  checkServerIdentity: (host: string, cert: PeerCertificate) => Error | undefined;
}

export interface HeartbeatStatus {
  consecutiveFailures: number;
  lastSuccessAt: number | undefined;
  lastError: string | undefined;
  /** Milliseconds until the next attempt (a heartbeat or a probe) was planned, when the last one finished. */
  nextDelayMs: number | undefined;
  /** What the last failure was: `unreachable` (no answer, or a 5xx) is probed every interval; `refused` (a 4xx) backs off. */
  lastFailure: 'unreachable' | 'refused' | undefined;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_BACKOFF_MS = 60_000;

/**
 * The wait before the next full heartbeat. While the manager answers, the interval. After
 * `failures` failed attempts in a row, the interval doubled that many times up to the cap, then
 * drawn at random between half and all of it ("equal jitter"): a fleet of agents that lost their
 * manager together does not come back at it in lockstep, and none waits less than half the step.
 * While the manager is unreachable this only thins the full heartbeats: a cheap probe still runs
 * every interval and sends one at once when the manager answers again (docs/agent.md, "Heartbeats").
 */
export function heartbeatDelay(failures: number, intervalMs: number, maxBackoffMs: number, random: () => number): number {
  if (failures === 0) return intervalMs;
  const cap = Math.max(maxBackoffMs, intervalMs);
  const step = Math.min(cap, intervalMs * 2 ** Math.min(failures, 30));
  return Math.round(step / 2 + random() * (step / 2));
}

/** Sends heartbeats until stopped: the first one at once, then on the schedule above. */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: AbortController | undefined;
  private running = false;
  private readonly state: HeartbeatStatus = { consecutiveFailures: 0, lastSuccessAt: undefined, lastError: undefined, nextDelayMs: undefined, lastFailure: undefined };
  /** While probing: when the next full heartbeat is due even if no probe gets through. */
  private fullDueAt = 0;
  private readonly timeoutMs: number;
  private readonly maxBackoffMs: number;
  private readonly random: () => number;

  constructor(private readonly options: HeartbeatOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    this.random = options.random ?? Math.random;
  }

  get status(): HeartbeatStatus {
    return { ...this.state };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.inFlight?.abort();
  }

  /** One heartbeat; true when the manager accepted it. */
  async beat(): Promise<boolean> {
    const { log } = this.options;
    let body: HeartbeatBody;
    try {
      body = await this.options.collect();
    } catch (err) {
      // Gathering is best effort and should not fail; if it does, the beat still says we are alive.
      log.warn({ err }, 'could not gather heartbeat figures');
      return this.failed('could not gather figures', 'unreachable');
    }
    const controller = new AbortController();
    this.inFlight = controller;
    const timeout = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const key = typeof this.options.serverKey === 'string' ? this.options.serverKey : this.options.serverKey();
      if (key === null) {
        this.stop();
        return false;
      }
      const response = await post(this.options.url, JSON.stringify(body), { 'content-type': 'application/json', 'x-server-key': key }, controller.signal, this.options.tls);
      await this.options.onAnswer?.(response.status, response.text);
      if (response.status < 200 || response.status >= 300) {
        const excerpt = response.text.replace(/[\x00-\x1f\x7f]/g, ' ').slice(0, 200);
        const hint = response.status === 401 || response.status === 403 ? ' (check SERVER_KEY and HOST_ID: the manager does not say which is wrong)' : response.status === 404 ? ' (check HOST_ID)' : '';
        // A 5xx is a manager (or a proxy before it) that cannot serve yet: probed like silence.
        return this.failed(`HTTP ${response.status}${hint}${excerpt ? `: ${excerpt}` : ''}`, response.status >= 500 ? 'unreachable' : 'refused');
      }
      if (this.state.consecutiveFailures > 0) {
        log.info({ failures: this.state.consecutiveFailures }, 'heartbeat: manager reachable again');
      } else {
        log.debug('heartbeat sent');
      }
      this.state.consecutiveFailures = 0;
      this.state.lastSuccessAt = Date.now();
      this.state.lastError = undefined;
      this.state.lastFailure = undefined;
      this.options.onResult?.(true);
      return true;
    } catch (err) {
      if (!this.running && controller.signal.aborted) return false;
      const reason = controller.signal.aborted ? `no answer within ${this.timeoutMs} ms` : describeRequestError(err);
      return this.failed(reason, 'unreachable');
    } finally {
      clearTimeout(timeout);
      if (this.inFlight === controller) this.inFlight = undefined;
    }
  }

  private failed(reason: string, kind: 'unreachable' | 'refused'): false {
    this.state.consecutiveFailures++;
    this.state.lastError = reason;
    this.state.lastFailure = kind;
    this.options.onResult?.(false);
    this.options.log.warn({ failures: this.state.consecutiveFailures, reason }, 'heartbeat failed');
    return false;
  }

  private schedule(delayMs: number, what: 'beat' | 'probe' = 'beat'): void {
    if (!this.running) return;
    this.state.nextDelayMs = delayMs;
    this.timer = setTimeout(() => void (what === 'beat' ? this.cycle() : this.probeCycle()), delayMs);
    // The HTTP server keeps the process alive; a pending heartbeat alone should not.
    this.timer.unref();
  }

  private async cycle(): Promise<void> {
    const ok = await this.beat();
    if (!this.running) return;
    const { intervalMs } = this.options;
    const backoff = heartbeatDelay(this.state.consecutiveFailures, intervalMs, this.maxBackoffMs, this.random);
    if (ok || this.state.lastFailure === 'refused') return this.schedule(backoff);
    // Unreachable: full heartbeats thin out, but a probe every interval notices the manager's return.
    this.fullDueAt = Date.now() + backoff;
    const probeIn = this.probeDelay(0);
    if (backoff <= probeIn) this.schedule(backoff);
    else this.schedule(probeIn, 'probe');
  }

  /** Between half and all of the interval, counted from when the last probe began. */
  private probeDelay(elapsedMs: number): number {
    const { intervalMs } = this.options;
    return Math.max(0, Math.round(intervalMs / 2 + this.random() * (intervalMs / 2)) - elapsedMs);
  }

  private async probeCycle(): Promise<void> {
    const began = Date.now();
    const answered = await probe(this.options.url, Math.max(250, Math.min(this.timeoutMs, this.options.intervalMs)));
    if (!this.running) return;
    if (answered || Date.now() >= this.fullDueAt) return this.cycle();
    const next = this.probeDelay(Date.now() - began);
    if (Date.now() + next >= this.fullDueAt) return this.schedule(Math.max(0, this.fullDueAt - Date.now()));
    this.schedule(next, 'probe');
  }
}

/** Whether the manager's address takes a TCP connection: a cheap look that sends no key and no figures. */
function probe(url: string, timeoutMs: number): Promise<boolean> {
  const target = new URL(url);
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  const host = target.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    // A probe alone must not keep a stopping agent alive.
    timer.unref();
    socket.unref();
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The answer's first bytes are enough for a log line. */
const MAX_ANSWER_BYTES = 4096;

/**
 * One POST with node:http(s). Not fetch: its first use loads undici, several MiB that an agent
 * which otherwise never needs it would carry for good (docs/benchmarks.md).
 */
function post(url: string, body: string, headers: Record<string, string>, signal: AbortSignal, tls?: HeartbeatTls): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  const options = { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, signal };
  return new Promise((resolve, reject) => {
    const onResponse = (res: import('node:http').IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_ANSWER_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    };
    const req =
      target.protocol !== 'https:'
        ? httpRequest(target, options, onResponse)
        : httpsRequest(target, { ...options, ...(tls ?? {}), ...(tls ? { agent: false } : {}) }, onResponse);
    req.on('error', reject);
    req.end(body);
  });
}

function describeRequestError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code && e.code !== 'ABORT_ERR') return `${e.code}${e.message && !e.message.startsWith(e.code) ? ` (${e.message})` : ''}`;
  return e?.message ?? String(err);
}
