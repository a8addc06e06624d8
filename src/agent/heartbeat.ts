import type { FastifyBaseLogger } from 'fastify';
import type { HeartbeatBody } from '../contract/index.js';

export interface HeartbeatOptions {
  /** `{MANAGER_URL}/hosts/{HOST_ID}/heartbeat`. */
  url: string;
  serverKey: string;
  intervalMs: number;
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

export interface HeartbeatStatus {
  consecutiveFailures: number;
  lastSuccessAt: number | undefined;
  lastError: string | undefined;
  /** Milliseconds until the next attempt was planned, when the last attempt finished. */
  nextDelayMs: number | undefined;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_BACKOFF_MS = 60_000;

/**
 * The wait before the next heartbeat. While the manager answers, the interval. After `failures`
 * failed attempts in a row, the interval doubled that many times up to the cap, then drawn at
 * random between half and all of it ("equal jitter"): a fleet of agents that lost their manager
 * together does not come back at it in lockstep, and none waits less than half the step.
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
  private readonly state: HeartbeatStatus = { consecutiveFailures: 0, lastSuccessAt: undefined, lastError: undefined, nextDelayMs: undefined };
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
      return this.failed('could not gather figures');
    }
    const controller = new AbortController();
    this.inFlight = controller;
    const timeout = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-server-key': this.options.serverKey },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      const text = await response.text().catch(() => '');
      if (!response.ok) {
        const excerpt = text.replace(/[\x00-\x1f\x7f]/g, ' ').slice(0, 200);
        const hint = response.status === 401 || response.status === 403 ? ' (check SERVER_KEY)' : response.status === 404 ? ' (check HOST_ID)' : '';
        return this.failed(`HTTP ${response.status}${hint}${excerpt ? `: ${excerpt}` : ''}`);
      }
      if (this.state.consecutiveFailures > 0) {
        log.info({ failures: this.state.consecutiveFailures }, 'heartbeat: manager reachable again');
      } else {
        log.debug('heartbeat sent');
      }
      this.state.consecutiveFailures = 0;
      this.state.lastSuccessAt = Date.now();
      this.state.lastError = undefined;
      this.options.onResult?.(true);
      return true;
    } catch (err) {
      if (!this.running && controller.signal.aborted) return false;
      const reason = controller.signal.aborted ? `no answer within ${this.timeoutMs} ms` : describeFetchError(err);
      return this.failed(reason);
    } finally {
      clearTimeout(timeout);
      if (this.inFlight === controller) this.inFlight = undefined;
    }
  }

  private failed(reason: string): false {
    this.state.consecutiveFailures++;
    this.state.lastError = reason;
    this.options.onResult?.(false);
    this.options.log.warn({ failures: this.state.consecutiveFailures, reason }, 'heartbeat failed');
    return false;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.state.nextDelayMs = delayMs;
    this.timer = setTimeout(() => {
      void this.beat().then(() => {
        this.schedule(heartbeatDelay(this.state.consecutiveFailures, this.options.intervalMs, this.maxBackoffMs, this.random));
      });
    }, delayMs);
    // The HTTP server keeps the process alive; a pending heartbeat alone should not.
    this.timer.unref();
  }
}

/** undici hides the useful part (ECONNREFUSED, ENOTFOUND) in `cause`. */
function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return (err as Error)?.message ?? String(err);
}
