import type { FastifyInstance, FastifyBaseLogger, RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { DockerClient } from '../docker/index.js';
import type { AgentConfig } from './config.js';
import type { EngineMonitor } from './engine-monitor.js';
import type { Heartbeat } from './heartbeat.js';
import type { HostStatus } from './host-status.js';
import type { ImageScanner } from './image-scans.js';
import type { KeyHolder } from './key-holder.js';
import type { LimitGuard } from './limits.js';
import type { AgentMetrics } from './metrics.js';
import type { PackageStore } from './package-store.js';
import type { ResourceProbe } from './resources.js';
import type { StackManager } from './stacks.js';

/** Everything the routes work with; one per app, reachable as `app.agent`. */
export interface AgentContext {
  config: AgentConfig;
  version: string;
  startedAt: number;
  docker: DockerClient;
  engine: EngineMonitor;
  probe: ResourceProbe;
  host: HostStatus;
  metrics: AgentMetrics;
  limits: LimitGuard;
  stacks: StackManager;
  packages: PackageStore;
  /** Scans of the images the host's containers use (docs/scan.md, "On the fleet"). */
  imageScans: ImageScanner;
  /** Present when MANAGER_URL is set. */
  heartbeat: Heartbeat | undefined;
  /** The key callers must present; it changes when the manager rotates or revokes it. */
  keys: KeyHolder;
  /** Enrolled: HTTPS, the manager's client certificate required (docs/agent.md, "Enrollment"). */
  enrolled: boolean;
}

export type AgentApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

declare module 'fastify' {
  interface FastifyInstance {
    agent: AgentContext;
  }
  interface FastifyContextConfig {
    /** Answered without a server key (only GET /health). */
    public?: boolean;
    /** machine-lab's routes: errors as `{"detail": …}`. */
    compat?: boolean;
  }
}
