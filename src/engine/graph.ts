import { DependencyCycleError, serviceGraph, startupLevels, type Project, type Service } from '../compose/index.js';
import { linkedServices, volumesFromServices } from './translate-host.js';

// The service graph is the compose part's (docs/engine.md, "Start order"): `up` starts services in
// the order `analyze` prints. These are the engine's names for it.
export { DependencyCycleError, startupLevels };

/** One edge of the dependency description the scheduler consumes. */
export interface DependencyEdge {
  service: string;
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  required: boolean;
  restart: boolean;
  /** The dependent's container refers to this one at creation (a shared namespace, a link, volumes_from). */
  atCreate: boolean;
}

/** Every service → what it waits for; the only thing the scheduler reads of the model's graph. */
export type DependencyDescription = Readonly<Record<string, readonly DependencyEdge[]>>;

/**
 * Each service's dependencies, as the compose service graph has them (`depends_on`, links,
 * `volumes_from`, `service:` namespaces), with the conditions of `depends_on`; what compose adds
 * by itself waits for the start, and is created first.
 */
export function describeDependencies(project: Project): DependencyDescription {
  const graph = serviceGraph(project);
  const out: Record<string, DependencyEdge[]> = {};
  for (const service of Object.values(project.services)) {
    const atCreate = new Set(createDependencies(service));
    out[service.name] = graph
      .dependenciesOf(service.name)
      .filter((name) => name !== service.name)
      .map((name) => {
        const d = service.depends_on?.[name];
        return {
          service: name,
          condition: d?.condition ?? 'service_started',
          required: d ? d.required !== false : true,
          restart: d?.restart === true,
          atCreate: atCreate.has(name),
        };
      });
  }
  return out;
}

/** The services whose containers a service's container names when it is created. */
function createDependencies(service: Service): string[] {
  const s = service as Record<string, unknown>;
  const namespaces = [service.network_mode, s['pid'], s['ipc']]
    .filter((m): m is string => typeof m === 'string' && m.startsWith('service:'))
    .map((m) => m.slice('service:'.length));
  return [...namespaces, ...linkedServices(service), ...volumesFromServices(service)];
}

/** The services a service waits for: `depends_on`, links, `volumes_from`, `service:` namespaces. */
export function dependenciesOf(project: Project, service: Service): string[] {
  return serviceGraph(project).dependenciesOf(service.name);
}

/** `network_mode: service:db` → `db`. */
export function networkModeService(service: Service): string | undefined {
  const mode = service.network_mode;
  return mode?.startsWith('service:') ? mode.slice('service:'.length) : undefined;
}

/** The services that depend on each service. */
export function dependentsOf(project: Project): Map<string, string[]> {
  const graph = serviceGraph(project);
  return new Map(Object.keys(project.services).map((s) => [s, graph.dependentsOf(s)]));
}
