import { isIPv6 } from 'node:net';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import { tooManyRequests } from './errors.js';

/** Answers that mean "you may not" or "that makes no sense": what scanners and guessers get. */
export const REFUSALS = new Set([400, 401, 403, 404, 405, 406, 413, 415, 431]);
/** Sources watched at once; past it the oldest window is closed early (and summarized). */
const MAX_SOURCES = 10_000;

export interface RefusalLimits {
  /** Refused requests a source may make per window before it is answered 429; 0: no limit. */
  limit: number;
  /** Window length (ms): the limit's period, and how often a source's refusals are summarized. */
  windowMs: number;
}

interface Window {
  start: number;
  refused: number;
  limited: number;
  statuses: Record<number, number>;
}

/**
 * Refused requests, per source and window (docs/security.md, "Abuse limits"). The first refusal
 * of a window is logged as it happens; the rest are only counted and summarized in one line when
 * the window closes, so a flood of bad keys writes a handful of lines, not one per request. A
 * source past the limit is answered 429 until the window ends: at once when it sends no
 * credentials, instead of its refusal when they are wrong. IPv6 sources count by /64, which one
 * attacker usually holds whole.
 */
export class RefusalGuard {
  private readonly windows = new Map<string, Window>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: FastifyBaseLogger,
    private readonly limits: RefusalLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Hooks the guard into an app: first in line on every request, summarizing as windows close. Answers are counted by `note`. */
  install(app: FastifyInstance): void {
    app.addHook('onRequest', async (request) => {
      // Without credentials there is nothing to check: a limited source is answered at once.
      if (!hasCredentials(request)) this.check(request.ip);
    });
    app.addHook('onReady', async () => {
      this.timer = setInterval(() => this.sweep(), Math.max(50, Math.min(this.limits.windowMs, 60_000)));
      this.timer.unref();
    });
    app.addHook('onClose', async () => {
      clearInterval(this.timer);
      this.sweep(Number.POSITIVE_INFINITY);
    });
  }

  /**
   * Throws 429 while `ip` is past its limit. Called first for requests without credentials, and
   * for the others only when they are about to be refused: a valid key is always served, so an
   * attacker sharing an address (a NAT, a proxy, the local agent) cannot lock its owner out.
   */
  check(ip: string): void {
    const retryAfterMs = this.blockedFor(ip);
    if (retryAfterMs !== undefined) throw tooManyRequests(`Too many refused requests from your address; try again in ${Math.ceil(retryAfterMs / 1000)} s`, retryAfterMs / 1000);
  }

  /** Milliseconds until `ip` may try again, or undefined when it may now. */
  blockedFor(ip: string): number | undefined {
    if (this.limits.limit <= 0) return undefined;
    const window = this.current(clientSource(ip));
    if (!window || window.refused < this.limits.limit) return undefined;
    return window.start + this.limits.windowMs - this.now();
  }

  /** Counts an answer; true when it was a refusal. */
  note(request: FastifyRequest, status: number): boolean {
    const source = clientSource(request.ip);
    if (status === 429 && this.current(source)) {
      this.current(source)!.limited++;
      return true;
    }
    if (!REFUSALS.has(status)) return false;
    let window = this.current(source);
    if (!window) {
      this.makeRoom();
      window = { start: this.now(), refused: 0, limited: 0, statuses: {} };
      this.windows.set(source, window);
      request.log.warn({ source, method: request.method, url: request.url.split('?')[0], statusCode: status }, 'request refused; further refusals from this source are summarized');
    }
    window.refused++;
    window.statuses[status] = (window.statuses[status] ?? 0) + 1;
    return true;
  }

  /** The open window of `source`; a window that has ended is summarized and dropped. */
  private current(source: string): Window | undefined {
    const window = this.windows.get(source);
    if (window && this.now() - window.start >= this.limits.windowMs) {
      this.close(source, window);
      return undefined;
    }
    return window;
  }

  private sweep(until = this.now()): void {
    for (const [source, window] of this.windows) {
      if (until === Number.POSITIVE_INFINITY || until - window.start >= this.limits.windowMs) this.close(source, window);
    }
  }

  private makeRoom(): void {
    if (this.windows.size < MAX_SOURCES) return;
    const [source, window] = this.windows.entries().next().value as [string, Window];
    this.close(source, window);
  }

  private close(source: string, window: Window): void {
    this.windows.delete(source);
    // The first refusal was logged when it happened; one line says what followed.
    if (window.refused + window.limited <= 1) return;
    this.log.warn(
      { source, refused: window.refused, limited: window.limited, statuses: window.statuses, seconds: Math.round((this.now() - window.start) / 1000) || undefined },
      'refused requests from one source',
    );
  }
}

/** Who a client address stands for in limits: itself, or its /64 for IPv6. */
/** Whether a request presents a key, a token or a session: only then is it worth checking. */
function hasCredentials(request: FastifyRequest): boolean {
  const h = request.headers;
  return h['x-server-key'] !== undefined || h['x-admin-key'] !== undefined || h.authorization !== undefined || h.cookie !== undefined;
}

export function clientSource(ip: string): string {
  if (!isIPv6(ip) || ip.startsWith('::ffff:')) return ip;
  const full = expandIPv6(ip);
  return `${full.slice(0, 4).join(':')}::/64`;
}

function expandIPv6(ip: string): string[] {
  const [head = '', tail = ''] = ip.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const fill = ip.includes('::') ? Array<string>(8 - left.length - right.length).fill('0') : [];
  return [...left, ...fill, ...right];
}
