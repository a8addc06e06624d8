import type { AuditLog } from './audit.js';
import type { ManagerConfig } from './config.js';
import type { Deployer } from './deployer.js';
import type { EventBus } from './events.js';
import type { HostHistory } from './host-history.js';
import type { EventStreams } from './http/index.js';
import type { Fleet } from './fleet/index.js';
import type { ManagerMetrics } from './metrics.js';
import type { LoginBackoff } from './security/index.js';
import type { Repository } from './storage/repository.js';
import type { ManagerTls } from './tls.js';

/** What the route plugins share; passed to each as its options. */
export interface ManagerContext {
  config: ManagerConfig;
  repo: Repository;
  /** Signs admin and server keys. */
  secret: string;
  now: () => number;
  events: EventBus;
  audit: AuditLog;
  metrics: ManagerMetrics;
  deployer: Deployer;
  /** Failed logins per account and client address. */
  logins: LoginBackoff;
  version: string;
  instanceId: string;
  tls: ManagerTls;
  /** The last hour of each host's heartbeats, for the dashboard's charts. */
  history: HostHistory;
  /** Inventories, search, alerts (docs/manager.md, "Fleet operations"). */
  fleet: Fleet;
  /** Every open event and log stream, counted per user. */
  streams: EventStreams;
}
