import type { FastifyBaseLogger } from 'fastify';
import { Value } from 'typebox/value';
import { HostInventory, type PostureFinding } from '../../contract/index.js';
import type { Alerts } from '../alerts/index.js';
import type { HttpAgentClient } from '../agent-client.js';
import type { Deployer } from '../deployer.js';
import type { EventBus } from '../events.js';
import type { HostRecord, Repository } from '../storage/index.js';
import type { SearchIndex } from './search-index.js';
import type { FleetStore } from './store.js';

export interface InventoryPollerOptions {
  repo: Repository;
  store: FleetStore;
  index: SearchIndex;
  alerts: Alerts;
  agents: HttpAgentClient;
  deployer: Deployer;
  events: EventBus;
  log: FastifyBaseLogger;
  now: () => number;
  instanceId: string;
  intervalMs: number;
}

const LEASE_NAME = 'inventory-poller';
const TICK_MS = 1_000;
const CONCURRENCY = 16;
const CALL_TIMEOUT_MS = 15_000;
/** Replicas that do not poll read what the poller stored this often. */
const REFRESH_EVERY_MS = 3_000;

/**
 * Reads each online host's inventory from its agent every INVENTORY_INTERVAL seconds (at once
 * when it comes online), stores it, keeps the search index current, and raises the alerts that
 * come from what runs: a new critical posture finding, a deployment whose containers stopped
 * running or became unhealthy. One manager polls at a time (a lease, as the offline monitor);
 * every manager refreshes its index from the database.
 */
export class InventoryPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private readonly polledAt = new Map<string, number>();
  private lastRefresh = 0;
  private refreshedUpTo = 0;
  private unsubscribe: (() => void) | undefined;
  /** Aborted on stop, so closing the manager does not wait for slow agents. */
  private readonly stopping = new AbortController();

  constructor(private readonly options: InventoryPollerOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.options.events.subscribe((event) => {
      if (event.type === 'host.online') this.polledAt.delete(event.host_id);
      if (event.type === 'host.deleted') {
        this.polledAt.delete(event.host_id);
        this.options.index.remove(event.host_id);
      }
    });
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    this.stopping.abort();
    await this.running;
    await this.options.repo.releaseLease(LEASE_NAME, this.options.instanceId).catch(() => undefined);
  }

  /** Loads what the database holds that this index has not seen (all of it the first time). */
  async refresh(): Promise<void> {
    const rows = await this.options.store.inventoriesSince(this.refreshedUpTo);
    for (const row of rows) {
      this.options.index.put(row.hostId, row.hostname, row.inventory.containers);
      this.refreshedUpTo = Math.max(this.refreshedUpTo, row.updatedAt);
    }
    this.lastRefresh = this.options.now();
  }

  /** Reads one host's inventory now; false when its agent could not give one. */
  async poll(host: HostRecord): Promise<boolean> {
    const { agents, deployer, store, index, now, log } = this.options;
    this.polledAt.set(host.id, now());
    const result = await agents.call(await deployer.target(host), 'GET', '/fleet/inventory', undefined, AbortSignal.any([this.stopping.signal, AbortSignal.timeout(CALL_TIMEOUT_MS)]), { 200: undefined });
    if (!result.ok) {
      log.debug({ host: host.id, reason: result.reason }, 'no inventory from this agent');
      return false;
    }
    if (!Value.Check(HostInventory, result.body)) {
      log.warn({ host: host.id }, 'the agent sent an inventory that does not match the contract; ignored');
      return false;
    }
    const inventory = result.body;
    const previous = await store.inventoryOf(host.id);
    await store.putInventory(host.id, inventory, now());
    index.put(host.id, host.hostname, inventory.containers);
    await this.alertOnChanges(host, previous?.inventory, inventory);
    return true;
  }

  private async alertOnChanges(host: HostRecord, before: HostInventory | undefined, after: HostInventory): Promise<void> {
    const { alerts } = this.options;
    const key = (f: PostureFinding) => `${f.rule}\0${f.container}\0${f.message}`;
    const known = new Set((before?.posture ?? []).filter((f) => f.severity === 'critical').map(key));
    const fresh = after.posture.filter((f) => f.severity === 'critical' && !known.has(key(f)));
    if (fresh.length > 0) {
      await alerts.fire('posture.critical', {
        host_id: host.id,
        hostname: host.hostname,
        findings: fresh.slice(0, 20).map((f) => ({ rule: f.rule, container: f.container, stack: f.stack, message: f.message })),
        more: Math.max(0, fresh.length - 20),
      });
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((err: unknown) => this.options.log.warn({ err }, 'inventory round failed'))
        .finally(() => {
          this.running = undefined;
          this.schedule(TICK_MS);
        });
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const { repo, now, instanceId, intervalMs } = this.options;
    if (now() - this.lastRefresh >= REFRESH_EVERY_MS) await this.refresh();
    if (!(await repo.tryLease(LEASE_NAME, instanceId, Math.max(10_000, TICK_MS * 10), now()))) return;
    const due = (await repo.listHosts()).filter((h) => h.status === 'online' && now() - (this.polledAt.get(h.id) ?? 0) >= intervalMs);
    for (let i = 0; i < due.length && !this.stopped; i += CONCURRENCY) {
      await Promise.all(due.slice(i, i + CONCURRENCY).map((host) => this.poll(host).catch((err: unknown) => this.options.log.warn({ err, host: host.id }, 'inventory read failed'))));
    }
  }
}
