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

/** Who did what, when, from where (GET /audit). */
export class AuditLog {
  private lastTime = 0;
  private sequence = 0;

  constructor(
    private readonly repo: Repository,
    private readonly log: FastifyBaseLogger,
    private readonly now: () => number,
  ) {}

  /**
   * Records an event. A failure to write is logged and swallowed: the action it describes has
   * already happened, and refusing to answer would not undo it.
   */
  async record(request: FastifyRequest | undefined, event: AuditEvent): Promise<void> {
    const entry = this.entry(request, event);
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
