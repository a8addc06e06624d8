import { createRule } from '../create-rule.js';
import { isRecord, type RawFinding, type RuleContext } from './shared.js';
import { services } from '../util.js';

interface Edge {
  to: string;
  path: (string | number)[];
  /** How the dependency is written, when it is not `depends_on`. */
  via?: string;
}

/** Reporting every elementary cycle of a dense graph would explode; these are far beyond real projects. */
const MAX_CYCLES = 50;
const MAX_STEPS = 100_000;

const SHARED_NAMESPACES = ['network_mode', 'ipc', 'pid', 'uts', 'cgroup'] as const;

/** depends_on plus the dependencies compose adds by itself: links, `service:` namespaces, volumes_from. */
function dependencyEdges(ctx: RuleContext): Map<string, Edge[]> {
  const known = new Set(Object.keys(ctx.project.services));
  const graph = new Map<string, Edge[]>();
  for (const [name, service] of services(ctx)) {
    const edges: Edge[] = [];
    const add = (to: string, path: (string | number)[], via?: string) => {
      if (known.has(to) && !edges.some((e) => e.to === to)) edges.push({ to, path, via });
    };
    for (const dep of Object.keys(isRecord(service.depends_on) ? service.depends_on : {})) add(dep, ['services', name, 'depends_on', dep]);
    const links = Array.isArray(service.links) ? service.links : [];
    links.forEach((link, i) => {
      if (typeof link === 'string') add(link.split(':')[0] ?? link, ['services', name, 'links', i], 'links');
    });
    for (const key of SHARED_NAMESPACES) {
      const value = service[key];
      if (typeof value === 'string' && value.startsWith('service:')) add(value.slice(8), ['services', name, key], key);
    }
    const volumesFrom = Array.isArray(service.volumes_from) ? service.volumes_from : [];
    volumesFrom.forEach((from, i) => {
      if (typeof from === 'string' && !from.startsWith('container:')) add(from.split(':')[0] ?? from, ['services', name, 'volumes_from', i], 'volumes_from');
    });
    graph.set(name, edges);
  }
  return graph;
}

/**
 * Every elementary cycle once: each is found from its first service in file order, walking only
 * through services that come after it.
 */
function findCycles(graph: Map<string, Edge[]>): Edge[][] {
  const order = new Map([...graph.keys()].map((name, i) => [name, i]));
  const cycles: Edge[][] = [];
  let steps = 0;
  for (const [start, startIndex] of order) {
    const onPath = new Set<string>([start]);
    const walk = (node: string, path: Edge[]): void => {
      for (const edge of graph.get(node) ?? []) {
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

export default createRule({
  id: 'dependency-cycle',
  severity: 'critical',
  category: 'validation',
  docs: {
    summary: 'Services depend on each other in a circle (through `depends_on`, `links`, `network_mode: service:…` or `volumes_from`).',
    why:
      'Compose needs an order to start services in; with a cycle there is none, and `docker compose up` refuses the ' +
      'project ("dependency cycle detected"). Nothing starts.',
    fix:
      'Remove one dependency of the cycle. A service that only needs another at run time should retry its ' +
      'connection instead of waiting for it at start.',
    example: 'services:\n  api:\n    image: api:1.0\n    depends_on: [worker]\n  worker:\n    image: worker:1.0\n    depends_on: [api]\n',
  },
  check: (ctx) => {
    const graph = dependencyEdges(ctx);
    return findCycles(graph).map((cycle): RawFinding => {
      const names = [...cycle.map((e) => e.path[1] as string), cycle[0]!.path[1] as string];
      const implicit = cycle.filter((e) => e.via).map((e) => `"${e.path[1] as string}" → "${e.to}" through ${e.via}`);
      const how = implicit.length > 0 ? ` (${implicit.join(', ')})` : '';
      const last = cycle[cycle.length - 1]!;
      const first = cycle[0]!;
      return {
        path: first.path,
        message: `dependency cycle: ${names.join(' → ')}${how}; compose cannot order these services and refuses to start the project`,
        fix: `remove one dependency of the cycle, e.g. "${last.path[1] as string}" on "${last.to}"`,
      };
    });
  },
});
