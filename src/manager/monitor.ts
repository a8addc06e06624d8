import type { FastifyBaseLogger } from 'fastify';
import type { AuditLog } from './audit.js';
import type { Deployer } from './deployer.js';
import type { EventBus } from './events.js';
import type { ManagerMetrics } from './metrics.js';
import type { Repository } from './storage/repository.js';

export interface MonitorOptions {
  repo: Repository;
  events: EventBus;
  audit: AuditLog;
  metrics: ManagerMetrics;
  deployer: Deployer;
  log: FastifyBaseLogger;
  now: () => number;
  instanceId: string;
  offlineAfterMs: number;
  intervalMs: number;
  /** How often orphaned deployments are reconciled. */
  reconcileEveryMs?: number;
}

const LEASE_NAME = 'offline-monitor';

/**
 * Marks hosts offline when their heartbeats stop, and reconciles deployments whose manager died.
 * Several managers may share a PostgreSQL database; a lease row in it lets one of them at a time
 * do this work, and another takes over once the holder stops renewing it.
 */
export class Monitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private reconciling: Promise<void> | undefined;
  private stopped = true;
  private leader = false;
  private lastReconcile = 0;
  private startedAt = 0;
  private readonly leaseMs: number;

  constructor(private readonly options: MonitorOptions) {
    // Long enough to outlast a slow tick, short enough that a successor takes over soon.
    this.leaseMs = Math.max(3_000, options.intervalMs * 5);
  }

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.startedAt = this.options.now();
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.reconciling;
    if (this.leader) {
      this.leader = false;
      this.options.metrics.monitorLeader.set(0);
      await this.options.repo.releaseLease(LEASE_NAME, this.options.instanceId).catch(() => undefined);
    }
  }

  /** One round: take or renew the lease, then, as the leader, check heartbeats and deployments. */
  async tick(): Promise<void> {
    const { repo, now, instanceId, events, audit, metrics, log } = this.options;
    this.leader = await repo.tryLease(LEASE_NAME, instanceId, this.leaseMs, now());
    metrics.monitorLeader.set(this.leader ? 1 : 0);
    if (!this.leader) return;
    const at = now();
    // A manager that was not watching (it was down, or just started) gives every host one
    // OFFLINE_AFTER from its start: their heartbeats had nowhere to go (docs/manager.md).
    const cutoff = at - this.options.offlineAfterMs;
    const gone = cutoff >= this.startedAt ? await repo.markOffline(cutoff, at) : [];
    // Events first, all of them: the audit entries of a whole fleet going dark take longer to write.
    for (const host of gone) {
      metrics.offlineTransitions.inc();
      metrics.forgetHost(host.id);
      events.publish({ type: 'host.offline', host_id: host.id, hostname: host.hostname, at: new Date(at).toISOString() });
    }
    if (gone.length > 0) log.info({ hosts: gone.length, first: gone[0]!.hostname }, 'hosts offline: no heartbeat');
    await audit.recordMany(
      undefined,
      gone.map((host) => ({
        action: 'host.offline',
        target: host.id,
        actor: null,
        details: { hostname: host.hostname, offline_after_seconds: this.options.offlineAfterMs / 1000 },
      })),
    );
    // Beside the checks, not in their way: a round may wait seconds on an agent that does not answer.
    if (!this.reconciling && at - this.lastReconcile >= (this.options.reconcileEveryMs ?? this.options.offlineAfterMs / 3)) {
      this.lastReconcile = at;
      this.reconciling = this.options.deployer
        .reconcile()
        .catch((err: unknown) => log.error({ err }, 'reconciliation round failed'))
        .finally(() => {
          this.reconciling = undefined;
        });
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((err: unknown) => this.options.log.error({ err }, 'monitor round failed'))
        .finally(() => {
          this.running = undefined;
          this.schedule(this.options.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }
}
