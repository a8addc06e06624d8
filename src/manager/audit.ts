import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { AuditRecord, Repository } from './storage/repository.js';

export interface AuditEvent {
  action: string;
  target?: string | null;
  outcome?: AuditRecord['outcome'];
  details?: unknown;
  /** When the request has no principal (a login, an agent): who acted. */
  actor?: string | null;
  actorRole?: string | null;
}

export interface AuditPolicy {
  /** Refused or failed entries per actor (or client address) and minute; past it they are counted, not written. */
  ratePerMinute: number;
  /** Entries older than this are pruned (ms); 0: kept forever. */
  retentionMs: number;
  /** Entries kept at most (the oldest go first); 0: no cap. */
  maxEntries: number;
}

const WINDOW_MS = 60_000;
const PRUNE_EVERY_MS = 10 * 60_000;
/** Actors throttled at once; past it the oldest window is closed early. */
const MAX_ACTORS = 10_000;

interface Window {
  start: number;
  written: number;
  suppressed: Record<string, number>;
  ip: string | null;
}

/**
 * Who did what, when, from where (GET /audit). Retention and throttling keep it from being a
 * way to fill the database (docs/security.md, "Abuse limits"): successful actions are always
 * written; refused and failed ones (a password guesser's) are written up to a rate per actor (a
 * signed-in user, else the client address), and the rest summed up in one `audit.suppressed`
 * entry per actor and minute.
 */
export class AuditLog {
  private lastTime = 0;
  private sequence = 0;
  private readonly windows = new Map<string, Window>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: Repository,
    private readonly log: FastifyBaseLogger,
    private readonly now: () => number,
    private readonly policy: AuditPolicy = { ratePerMinute: Number.POSITIVE_INFINITY, retentionMs: 0, maxEntries: 0 },
  ) {}

  /** Prunes now and every few minutes, and closes throttling windows as they end. */
  start(): void {
    void this.prune();
    let sincePrune = 0;
    this.timer = setInterval(() => {
      void this.flush(false);
      sincePrune += WINDOW_MS;
      if (sincePrune >= PRUNE_EVERY_MS) {
        sincePrune = 0;
        void this.prune();
      }
    }, WINDOW_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush(true);
  }

  /** Applies retention; returns how many entries went. */
  async prune(): Promise<number> {
    const before = this.policy.retentionMs > 0 ? this.now() - this.policy.retentionMs : 0;
    try {
      const removed = await this.repo.pruneAudit(before, this.policy.maxEntries);
      if (removed > 0) this.log.info({ removed }, 'pruned the audit log');
      return removed;
    } catch (err) {
      this.log.error({ err }, 'could not prune the audit log');
      return 0;
    }
  }

  /**
   * Records an event. A failure to write is logged and swallowed: the action it describes has
   * already happened, and refusing to answer would not undo it.
   */
  async record(request: FastifyRequest | undefined, event: AuditEvent): Promise<void> {
    const entry = this.entry(request, event);
    // An unauthenticated caller (a login) is throttled by its address: the e-mail it gives is its own choice.
    const throttleKey = request?.principal?.email ?? request?.ip ?? entry.actor ?? 'unknown';
    if (entry.outcome !== 'ok' && !(await this.admit(entry, throttleKey))) return;
    try {
      await this.repo.insertAudit(entry);
    } catch (err) {
      this.log.error({ err, action: event.action }, 'could not write the audit log');
    }
  }

  /** Several events at once, written in batches (the monitor's hosts gone offline). */
  async recordMany(request: FastifyRequest | undefined, events: readonly AuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      await this.repo.insertAudits(events.map((event) => this.entry(request, event)));
    } catch (err) {
      this.log.error({ err, action: events[0]!.action, count: events.length }, 'could not write the audit log');
    }
  }

  /** True when a refused or failed entry may be written; otherwise it is counted for the summary. */
  private async admit(entry: AuditRecord, key: string): Promise<boolean> {
    let window = this.windows.get(key);
    if (window && entry.at - window.start >= WINDOW_MS) {
      await this.close(key, window);
      window = undefined;
    }
    if (!window) {
      if (this.windows.size >= MAX_ACTORS) {
        const [oldKey, oldWindow] = this.windows.entries().next().value as [string, Window];
        await this.close(oldKey, oldWindow);
      }
      window = { start: entry.at, written: 0, suppressed: {}, ip: entry.ip };
      this.windows.set(key, window);
    }
    if (window.written < this.policy.ratePerMinute) {
      window.written++;
      return true;
    }
    window.suppressed[entry.action] = (window.suppressed[entry.action] ?? 0) + 1;
    return false;
  }

  private async flush(all: boolean): Promise<void> {
    const at = this.now();
    for (const [key, window] of [...this.windows]) if (all || at - window.start >= WINDOW_MS) await this.close(key, window);
  }

  private async close(key: string, window: Window): Promise<void> {
    this.windows.delete(key);
    const count = Object.values(window.suppressed).reduce((a, b) => a + b, 0);
    if (count === 0) return;
    const at = this.now();
    try {
      await this.repo.insertAudit({
        id: this.nextId(at),
        at,
        actor: key === window.ip ? null : key,
        actorRole: null,
        action: 'audit.suppressed',
        target: null,
        outcome: 'denied',
        ip: window.ip,
        requestId: null,
        details: JSON.stringify({ count, actions: window.suppressed, since: new Date(window.start).toISOString() }),
      });
    } catch (err) {
      this.log.error({ err, count }, 'could not write the audit log');
    }
  }

  private entry(request: FastifyRequest | undefined, event: AuditEvent): AuditRecord {
    const at = this.now();
    return {
      id: this.nextId(at),
      at,
      actor: event.actor !== undefined ? event.actor : (request?.principal?.email ?? null),
      actorRole: event.actorRole !== undefined ? event.actorRole : (request?.principal?.role ?? null),
      action: event.action,
      target: event.target ?? null,
      outcome: event.outcome ?? 'ok',
      ip: request?.ip ?? null,
      requestId: request ? String(request.id) : null,
      details: event.details === undefined ? null : JSON.stringify(event.details),
    };
  }

  /** Ids sort by time (then by order within a millisecond), so pages can continue from an id. */
  private nextId(at: number): string {
    this.sequence = at === this.lastTime ? this.sequence + 1 : 0;
    this.lastTime = at;
    return `${at.toString(36).padStart(9, '0')}-${this.sequence.toString(36).padStart(4, '0')}-${randomBytes(4).toString('hex')}`;
  }
}
