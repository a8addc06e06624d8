import type { EdgeKind, Graph, Inventory, InventoryService } from './report-types.js';

export interface SegmentationZones {
  /** Reachable from other machines. */
  external: string[];
  /** Reachable from other containers only. */
  internal: string[];
  /** Only on internal networks, or on none. */
  isolated: string[];
  /** Services on two or more networks: traffic can cross between those networks through them. */
  bridges: { service: string; networks: string[] }[];
}

/** The services of each exposure zone and the services that bridge networks, all sorted by name. */
export function segmentationZones(inventory: Inventory): SegmentationZones {
  const names = (exposure: InventoryService['exposure']): string[] =>
    inventory.services.filter((s) => s.exposure === exposure).map((s) => s.name).sort();
  return {
    external: names('external'),
    internal: names('internal'),
    isolated: names('isolated'),
    bridges: inventory.services
      .filter((s) => s.networks.length >= 2)
      .map((s) => ({ service: s.name, networks: [...s.networks].sort() }))
      .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0)),
  };
}

/** How one service can talk to another: a graph edge, or a shared network that lets it. */
export type CommunicationKind = EdgeKind | 'network';

export interface CommunicationMatrix {
  /** Row and column order, sorted. */
  services: string[];
  /** `cells[from][to]`, defined for every pair (empty when they cannot talk), kinds in a fixed order. */
  cells: Record<string, Record<string, CommunicationKind[]>>;
}

const KINDS: readonly CommunicationKind[] = ['depends_on', 'env-url', 'config-file', 'network'];

/**
 * Who talks to whom: the graph's edges per pair, plus `network` when the two share a network (or
 * both use the host's) and can therefore reach each other whether or not they mean to.
 */
export function communicationMatrix(graph: Graph, inventory: Inventory): CommunicationMatrix {
  const services = inventory.services.map((s) => s.name).sort();
  const networks = effectiveNetworks(inventory);
  const cells: CommunicationMatrix['cells'] = {};
  for (const from of services) {
    const row: Record<string, CommunicationKind[]> = {};
    for (const to of services) {
      const kinds = new Set<CommunicationKind>(graph.edges.filter((e) => e.from === from && e.to === to).map((e) => e.kind));
      if (from !== to && shareNetwork(networks.get(from), networks.get(to))) kinds.add('network');
      row[to] = KINDS.filter((k) => kinds.has(k));
    }
    cells[from] = row;
  }
  return { services, cells };
}

/**
 * The networks a service is reachable on: `network_mode: service:x` puts it on x's networks, and
 * `host` / `bridge` on the host's stack / Docker's default bridge (markers no network name can be).
 */
function effectiveNetworks(inventory: Inventory): Map<string, Set<string>> {
  const byName = new Map(inventory.services.map((s) => [s.name, s]));
  const networksOf = (s: InventoryService, seen: Set<string>): Set<string> => {
    const mode = s.network_mode;
    if (mode === 'host' || mode === 'bridge') return new Set([`\0${mode}`]);
    const owner = mode?.startsWith('service:') ? byName.get(mode.slice('service:'.length)) : undefined;
    if (owner && !seen.has(owner.name)) return networksOf(owner, seen.add(s.name));
    return new Set(mode === null ? s.networks : []);
  };
  return new Map(inventory.services.map((s) => [s.name, networksOf(s, new Set())]));
}

function shareNetwork(a: Set<string> | undefined, b: Set<string> | undefined): boolean {
  return a !== undefined && b !== undefined && [...a].some((n) => b.has(n));
}
