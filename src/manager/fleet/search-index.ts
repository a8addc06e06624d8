import type { FleetContainer, SearchHit, SearchKind, SearchResponse } from '../../contract/index.js';

interface HostEntry {
  hostId: string;
  hostname: string;
  containers: FleetContainer[];
}

interface Posting {
  host: HostEntry;
  container: FleetContainer;
  kind: SearchKind;
  value: string;
}

/** Matches counted beyond the hits returned, at most. */
const MAX_COUNTED = 10_000;

/**
 * An in-memory inverted index of what agents reported (docs/manager.md, "Search"): every
 * container name, stack, image, published port and env name is a term (lower case), pointing
 * to the containers it belongs to, by host. A host's new report replaces its postings. A query
 * scans the distinct terms, which are far fewer than the containers (images, env names and
 * stacks repeat across a fleet), so 1,000 hosts × 20 containers answer in milliseconds
 * (docs/benchmarks.md).
 */
export class SearchIndex {
  private readonly terms = new Map<string, Map<string, Posting[]>>();
  private readonly hosts = new Map<string, { entry: HostEntry; terms: Set<string> }>();

  get hostCount(): number {
    return this.hosts.size;
  }

  /** Replaces what the index knows about a host. */
  put(hostId: string, hostname: string, containers: readonly FleetContainer[]): void {
    this.remove(hostId);
    const entry: HostEntry = { hostId, hostname, containers: [...containers] };
    const own = new Set<string>();
    const add = (kind: SearchKind, value: string, container: FleetContainer) => {
      if (value === '') return;
      const term = value.toLowerCase();
      let byHost = this.terms.get(term);
      if (!byHost) this.terms.set(term, (byHost = new Map()));
      let list = byHost.get(hostId);
      if (!list) byHost.set(hostId, (list = []));
      list.push({ host: entry, container, kind, value });
      own.add(term);
    };
    const stacks = new Set<string>();
    for (const c of entry.containers) {
      add('container', c.name, c);
      add('image', c.image, c);
      if (c.stack !== null && !stacks.has(c.stack)) {
        stacks.add(c.stack);
        add('stack', c.stack, c);
      }
      for (const p of c.ports) {
        if (p.host_port === null) continue;
        const shown = `${p.host_ip || '0.0.0.0'}:${p.host_port}->${p.container_port}/${p.protocol}`;
        add('port', shown, c);
      }
      for (const name of new Set(c.env_names)) add('env', name, c);
    }
    this.hosts.set(hostId, { entry, terms: own });
  }

  remove(hostId: string): void {
    const known = this.hosts.get(hostId);
    if (!known) return;
    for (const term of known.terms) {
      const byHost = this.terms.get(term);
      byHost?.delete(hostId);
      if (byHost?.size === 0) this.terms.delete(term);
    }
    this.hosts.delete(hostId);
  }

  /** Exact matches first, then prefixes, then the rest; within each, by kind, host name and container. */
  search(query: string, options: { kind?: SearchKind; limit: number }): Omit<SearchResponse, 'took_ms'> {
    const q = query.trim().toLowerCase();
    const found: { posting: Posting; rank: number }[] = [];
    let total = 0;
    if (q !== '') {
      for (const [term, byHost] of this.terms) {
        if (!term.includes(q)) continue;
        const rank = term === q ? 0 : term.startsWith(q) ? 1 : 2;
        for (const postings of byHost.values()) {
          for (const posting of postings) {
            if (options.kind !== undefined && posting.kind !== options.kind) continue;
            total++;
            if (found.length < MAX_COUNTED) found.push({ posting, rank });
          }
        }
      }
    }
    found.sort(
      (a, b) =>
        a.rank - b.rank ||
        KIND_ORDER[a.posting.kind] - KIND_ORDER[b.posting.kind] ||
        compare(a.posting.host.hostname, b.posting.host.hostname) ||
        compare(a.posting.container.name, b.posting.container.name),
    );
    return { query, hits: found.slice(0, options.limit).map(({ posting }) => hit(posting)), total: Math.min(total, MAX_COUNTED), hosts_indexed: this.hosts.size };
  }
}

/** Code-unit order: stable and many times faster than localeCompare over thousands of hits. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const KIND_ORDER: Record<SearchKind, number> = { container: 0, stack: 1, image: 2, port: 3, env: 4 };

function hit(p: Posting): SearchHit {
  return {
    kind: p.kind,
    value: p.value,
    host_id: p.host.hostId,
    hostname: p.host.hostname,
    container: p.container.name,
    container_id: p.container.id,
    stack: p.container.stack,
    image: p.container.image,
    state: p.container.state,
  };
}
