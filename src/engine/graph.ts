import type { Project, Service } from '../compose/index.js';

/**
 * The services a service needs before it can start: its `depends_on` entries and the service
 * whose network namespace it joins (`network_mode: service:x`). Dependencies on services that
 * are not in the project (disabled by a profile) are left out.
 */
export function dependenciesOf(project: Project, service: Service): string[] {
  const deps = new Set(Object.keys(service.depends_on ?? {}));
  const shared = networkModeService(service);
  if (shared) deps.add(shared);
  return [...deps].filter((d) => d in project.services && d !== service.name).sort();
}

/** `network_mode: service:db` → `db`. */
export function networkModeService(service: Service): string | undefined {
  const mode = service.network_mode;
  return mode?.startsWith('service:') ? mode.slice('service:'.length) : undefined;
}

/** The services that depend on each service. */
export function dependentsOf(project: Project): Map<string, string[]> {
  const dependents = new Map<string, string[]>(Object.keys(project.services).map((s) => [s, []]));
  for (const service of Object.values(project.services)) {
    for (const dep of dependenciesOf(project, service)) dependents.get(dep)?.push(service.name);
  }
  return dependents;
}

export class DependencyCycleError extends Error {
  constructor(readonly cycle: string[]) {
    super(`services depend on each other in a cycle: ${cycle.join(' → ')}`);
  }
}

/**
 * Startup levels: level 0 needs nothing, level n needs only services of lower levels. Services of
 * one level never depend on each other, so each level can start in parallel. Sorted by name
 * within a level so plans print the same way every time.
 */
export function startupLevels(project: Project): string[][] {
  const remaining = new Map(Object.values(project.services).map((s) => [s.name, new Set(dependenciesOf(project, s))]));
  const levels: string[][] = [];
  while (remaining.size > 0) {
    const ready = [...remaining].filter(([, deps]) => deps.size === 0).map(([name]) => name).sort();
    if (ready.length === 0) throw new DependencyCycleError(findCycle(project, [...remaining.keys()]));
    for (const name of ready) remaining.delete(name);
    for (const deps of remaining.values()) for (const name of ready) deps.delete(name);
    levels.push(ready);
  }
  return levels;
}

function findCycle(project: Project, candidates: string[]): string[] {
  const visiting: string[] = [];
  const done = new Set<string>();
  const visit = (name: string): string[] | undefined => {
    const at = visiting.indexOf(name);
    if (at >= 0) return [...visiting.slice(at), name];
    if (done.has(name)) return undefined;
    visiting.push(name);
    for (const dep of dependenciesOf(project, project.services[name]!)) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    visiting.pop();
    done.add(name);
    return undefined;
  };
  for (const name of candidates.sort()) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return candidates;
}
