import type { ServiceHealth, ServiceState, ServiceStatus, StackStatus } from '../contract/index.js';
import type { ContainerSummary } from '../docker/index.js';
import { LABEL } from '../engine/index.js';

/**
 * A stack's status from what the engine shows of its containers (docs/agent.md, "Heartbeats"):
 * pure, so heartbeats, `GET /stacks` and the tests derive it the same way.
 */

export interface Derived {
  status: Extract<StackStatus, 'running' | 'degraded' | 'stopped'>;
  /** Which services are down, for `degraded` and `stopped`. */
  reason: string | null;
  services: ServiceStatus[];
}

/**
 * `expected`: the services the stack was deployed with (a service without any container is
 * `missing`); services only the labels know are added. `oneShot`: services that are meant to run
 * once and exit 0 (docs/agent.md): for them `completed` is as good as `running`.
 */
export function deriveStack(expected: readonly string[], containers: readonly ContainerSummary[], oneShot: readonly string[] = []): Derived {
  const byService = new Map<string, ContainerSummary[]>(expected.map((s) => [s, []]));
  for (const c of containers) {
    if (c.Labels[LABEL.oneoff] === 'True') continue;
    const service = c.Labels[LABEL.service];
    if (!service) continue;
    byService.set(service, [...(byService.get(service) ?? []), c]);
  }
  const services = [...byService.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, list]) => deriveService(name, list));
  const once = new Set(oneShot);
  const fine = (s: ServiceStatus) => (s.state === 'running' && s.health !== 'unhealthy') || (once.has(s.name) && s.state === 'completed');
  const down = services.filter((s) => !fine(s));
  const longRunning = services.filter((s) => !once.has(s.name));
  const anyUp = longRunning.some((s) => s.running > 0 || s.state === 'restarting');
  let status: Derived['status'];
  if (services.length === 0 || (longRunning.length > 0 && !anyUp)) status = 'stopped';
  else if (down.length === 0) status = 'running';
  else status = 'degraded';
  const reason = down.length === 0 ? null : down.map((s) => `${s.name} ${s.health === 'unhealthy' && s.state === 'running' ? 'unhealthy' : s.state}`).join(', ');
  return { status, reason: status === 'running' ? null : (reason ?? 'no services'), services };
}

const HEALTH_ORDER: readonly ServiceHealth[] = ['unhealthy', 'starting', 'healthy'];
const STATE_ORDER: readonly ServiceState[] = ['dead', 'exited', 'restarting', 'paused', 'created', 'completed', 'running'];

/** One service from its containers: `running` only when every replica runs; otherwise its worst replica's state. */
export function deriveService(name: string, containers: readonly ContainerSummary[]): ServiceStatus {
  const running = containers.filter((c) => c.State === 'running').length;
  const states = containers.map(containerState);
  let state: ServiceState;
  if (containers.length === 0) state = 'missing';
  else state = STATE_ORDER.find((s) => states.includes(s)) ?? 'exited';
  const healths = containers.map((c) => healthOf(c.Status)).filter((h): h is ServiceHealth => h !== null);
  const health = HEALTH_ORDER.find((h) => healths.includes(h)) ?? null;
  return { name, state, health, running, total: containers.length };
}

function containerState(c: ContainerSummary): ServiceState {
  switch (c.State) {
    case 'running':
    case 'restarting':
    case 'paused':
    case 'created':
    case 'dead':
      return c.State;
    case 'exited':
      return exitCodeOf(c.Status) === 0 ? 'completed' : 'exited';
    default:
      // removing, or a state a newer engine invents: not running, and not known to be fine.
      return 'exited';
  }
}

/** `Exited (137) 5 seconds ago` → 137. */
export function exitCodeOf(status: string): number | null {
  const match = /^Exited \((-?\d+)\)/.exec(status);
  return match ? Number(match[1]) : null;
}

/** `Up 5 seconds (healthy)` → healthy; `(health: starting)` → starting. */
export function healthOf(status: string): ServiceHealth | null {
  const match = /\((healthy|unhealthy|health: starting)\)/.exec(status);
  if (!match) return null;
  return match[1] === 'health: starting' ? 'starting' : (match[1] as ServiceHealth);
}
