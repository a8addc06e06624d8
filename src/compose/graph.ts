import type { Position } from './diagnostics.js';
import type { Project, Service } from './model.js';

/** How a dependency is written: `depends_on`, or one compose adds by itself. */
export type DependencyKind = 'depends_on' | 'links' | 'network_mode' | 'ipc' | 'pid' | 'uts' | 'cgroup' | 'volumes_from';

/** `from` waits for `to`; `path` is where that is written in the model (for file:line). */
export interface ServiceDependency {
  from: string;
  to: string;
  kind: DependencyKind;
  path: (string | number)[];
}

/**
 * The one service graph of a project, used by the analyzer (start order, `dependency-cycle`) and
 * the engine (`up`, `down`, `restart`), so the order `analyze` prints is the order `up` uses.
 */
export interface ServiceGraph {
  /** Every dependency once per from/to pair (the first way it is written), in file order. */
  dependencies: ServiceDependency[];
  /** The services a service waits for, sorted. */
  dependenciesOf(service: string): string[];
  /** The services that wait for a service, sorted. */
  dependentsOf(service: string): string[];
  /**
   * Start levels: level 0 needs nothing, level n only services of lower levels, sorted by name
   * within a level. Services caught in a cycle (or waiting on one) form one last level.
   */
  levels: string[][];
  /** Every elementary cycle once (bounded), each as its edges starting at its first service in file order. */
  cycles: ServiceDependency[][];
}

const NAMESPACES = ['network_mode', 'ipc', 'pid', 'uts', 'cgroup'] as const;

/** Reporting every elementary cycle of a dense graph would explode; these are far beyond real projects. */
const MAX_CYCLES = 50;
const MAX_STEPS = 100_000;

/**
 * What each service waits for before it starts: its `depends_on`, plus what compose adds by
 * itself (links, `volumes_from`, and `service:x` network/ipc/pid/uts/cgroup namespaces). Services
 * that are not in the project (unknown, or left out by profiles) are not waited for.
 */
export function serviceGraph(project: Project): ServiceGraph {
  const dependencies: ServiceDependency[] = [];
  for (const service of Object.values(project.services)) dependencies.push(...directDependencies(project, service));
  const deps = new Map<string, string[]>(Object.keys(project.services).map((s) => [s, []]));
  const dependents = new Map<string, string[]>(Object.keys(project.services).map((s) => [s, []]));
  for (const d of dependencies) {
    deps.get(d.from)?.push(d.to);
    dependents.get(d.to)?.push(d.from);
  }
  for (const list of [...deps.values(), ...dependents.values()]) list.sort();
  return {
    dependencies,
    dependenciesOf: (s) => [...(deps.get(s) ?? [])],
    dependentsOf: (s) => [...(dependents.get(s) ?? [])],
    levels: levelsOf(deps),
    cycles: cyclesOf(Object.keys(project.services), dependencies),
  };
}

function directDependencies(project: Project, service: Service): ServiceDependency[] {
  const out: ServiceDependency[] = [];
  const name = service.name;
  const add = (to: string, kind: DependencyKind, path: (string | number)[]): void => {
    // A service that depends on itself is a cycle of one: kept, so that it is found and refused.
    if (!Object.hasOwn(project.services, to) || out.some((d) => d.to === to)) return;
    out.push({ from: name, to, kind, path: ['services', name, ...path] });
  };
  for (const dep of Object.keys(service.depends_on ?? {})) add(dep, 'depends_on', ['depends_on', dep]);
  stringList(service['links']).forEach((link, i) => add(link.split(':')[0] ?? link, 'links', ['links', i]));
  for (const key of NAMESPACES) {
    const mode = service[key];
    if (typeof mode === 'string' && mode.startsWith('service:')) add(mode.slice('service:'.length), key, [key]);
  }
  stringList(service['volumes_from']).forEach((from, i) => {
    if (!from.startsWith('container:')) add(from.split(':')[0] ?? from, 'volumes_from', ['volumes_from', i]);
  });
  return out;
}

/** Kahn's algorithm by levels; what never becomes ready (a cycle and what waits on it) is one last level. */
function levelsOf(deps: ReadonlyMap<string, readonly string[]>): string[][] {
  const remaining = new Map(deps);
  const levels: string[][] = [];
  while (remaining.size > 0) {
    const ready = [...remaining].filter(([, d]) => d.every((x) => !remaining.has(x))).map(([name]) => name);
    if (ready.length === 0) break;
    levels.push(ready.sort());
    for (const name of ready) remaining.delete(name);
  }
  if (remaining.size > 0) levels.push([...remaining.keys()].sort());
  return levels;
}

/** Every elementary cycle once: each is found from its first service in file order, walking only through later services. */
function cyclesOf(services: readonly string[], dependencies: readonly ServiceDependency[]): ServiceDependency[][] {
  const order = new Map(services.map((name, i) => [name, i]));
  const edges = new Map<string, ServiceDependency[]>(services.map((s) => [s, []]));
  for (const d of dependencies) edges.get(d.from)?.push(d);
  const cycles: ServiceDependency[][] = [];
  let steps = 0;
  for (const [start, startIndex] of order) {
    const onPath = new Set<string>([start]);
    const walk = (node: string, path: ServiceDependency[]): void => {
      for (const edge of edges.get(node) ?? []) {
        if (cycles.length >= MAX_CYCLES || ++steps > MAX_STEPS) return;
        if (edge.to === start) cycles.push([...path, edge]);
        else if ((order.get(edge.to) ?? -1) > startIndex && !onPath.has(edge.to)) {
          onPath.add(edge.to);
          walk(edge.to, [...path, edge]);
          onPath.delete(edge.to);
        }
      }
    };
    walk(start, []);
  }
  return cycles;
}

/** `a → b → a`: the services of a cycle, back to its first. */
export function cycleNames(cycle: readonly ServiceDependency[]): string[] {
  return cycle.length === 0 ? [] : [...cycle.map((e) => e.from), cycle[0]!.from];
}

export class DependencyCycleError extends Error {
  /** What is wrong, without the position. */
  readonly reason: string;
  constructor(
    readonly cycle: string[],
    readonly at?: Position,
    /** Model path of the dependency that closes the cycle (back to its first service). */
    readonly path?: readonly (string | number)[],
  ) {
    const where = at ? `${at.file}:${at.line}:${at.column}: ` : '';
    const reason = `services depend on each other in a cycle: ${cycle.join(' → ')}`;
    super(`${where}${reason}`);
    this.reason = reason;
  }
}

/**
 * The start levels `up` runs, or a `DependencyCycleError` naming the first cycle and, with
 * `positionOf`, the file:line of the dependency that closes it (the one back to its first service).
 */
export function startupLevels(project: Project, positionOf?: (path: readonly (string | number)[]) => Position | undefined): string[][] {
  const graph = serviceGraph(project);
  const cycle = graph.cycles[0];
  if (cycle) {
    const closing = cycle[cycle.length - 1]!;
    throw new DependencyCycleError(cycleNames(cycle), positionOf?.(closing.path), closing.path);
  }
  return graph.levels;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
