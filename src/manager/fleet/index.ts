import type { FastifyBaseLogger } from 'fastify';
import { Alerts } from '../alerts/index.js';
import type { HttpAgentClient } from '../agent-client.js';
import type { Deployer } from '../deployer.js';
import type { EventBus } from '../events.js';
import type { Repository } from '../storage/index.js';
import type { FleetConfig } from './config.js';
import { InventoryPoller } from './inventory-poller.js';
import { SearchIndex } from './search-index.js';
import { FleetStore } from './store.js';

export { parseFleetConfig, type FleetConfig, type WebhookAllowList } from './config.js';
export { moveDeployment, MoveFailed, type MoveDependencies, type MoveOutcome } from './move.js';
export { SearchIndex } from './search-index.js';
export { FleetStore, type DeliveryRecord, type InventoryRow, type WebhookRecord } from './store.js';

export interface FleetOptions {
  repo: Repository;
  config: FleetConfig;
  events: EventBus;
  agents: HttpAgentClient;
  deployer: Deployer;
  secret: string;
  log: FastifyBaseLogger;
  now: () => number;
  instanceId: string;
  /** Poll agents for inventories (default true; off in tests that only read). */
  poll?: boolean;
  alertRetryBaseMs?: number;
}

/** What the fleet routes share: inventories and their index, alerts, and calls to agents (docs/manager.md, "Fleet operations"). */
export class Fleet {
  readonly store: FleetStore;
  readonly index = new SearchIndex();
  readonly alerts: Alerts;
  readonly poller: InventoryPoller;
  readonly agents: HttpAgentClient;

  constructor(private readonly options: FleetOptions) {
    this.store = new FleetStore(options.repo.database);
    this.agents = options.agents;
    this.alerts = new Alerts({
      store: this.store,
      config: options.config,
      events: options.events,
      secret: options.secret,
      now: options.now,
      log: options.log,
      instanceId: options.instanceId,
      retryBaseMs: options.alertRetryBaseMs,
    });
    this.poller = new InventoryPoller({
      repo: options.repo,
      store: this.store,
      index: this.index,
      alerts: this.alerts,
      agents: options.agents,
      deployer: options.deployer,
      events: options.events,
      log: options.log,
      now: options.now,
      instanceId: options.instanceId,
      intervalMs: options.config.inventoryInterval * 1000,
    });
  }

  async start(): Promise<void> {
    await this.poller.refresh();
    this.alerts.start();
    if (this.options.poll ?? true) this.poller.start();
  }

  async stop(): Promise<void> {
    await this.poller.stop();
    await this.alerts.stop();
  }
}
