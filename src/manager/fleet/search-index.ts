import type { FleetContainer, SearchHit, SearchKind, SearchResponse } from '../../contract/index.js';

interface HostEntry {
  hostId: string;
  hostname: string;
  containers: FleetContainer[];
  /** This host's place among all hosts by name, kept current before each query. */
  order: number;
}

interface Posting {
  host: HostEntry;
  container: FleetContainer;
  /** The container's place among its host's containers by name. */
  containerOrder: number;
  kind: SearchKind;
  value: string;
}

interface TermEntry {
  byHost: Map<string, Posting[]>;
  /** Postings of this term by kind (KIND_ORDER). */
  counts: number[];
}

/** Term-host lists a group may hold and still be read whole; broader groups are read host by host. */
const DIRECT_SCAN = 2_000;
const HOST_SHIFT = 2 ** 20;
const KIND_SHIFT = 2 ** 40;
const RANK_SHIFT = 2 ** 43;

/**
 * An in-memory inverted index of what agents reported (docs/manager.md, "Search"): every
 * container name, stack, image, published port and env name is a term (lower case), pointing
 * to the containers it belongs to, by host. A host's new report replaces its postings. A query
 * scans the distinct terms, which are far fewer than the containers (images, env names and
 * stacks repeat across a fleet), so 1,000 hosts × 20 containers answer in milliseconds
 * (docs/benchmarks.md).
 */
export class SearchIndex {
  private readonly terms = new Map<string, TermEntry>();
  private readonly hosts = new Map<string, { entry: HostEntry; terms: Set<string> }>();
  private ordered = true;
  private byOrder: HostEntry[] = [];

  get hostCount(): number {
    return this.hosts.size;
  }

  /** Replaces what the index knows about a host. */
  put(hostId: string, hostname: string, containers: readonly FleetContainer[]): void {
    this.remove(hostId);
    const entry: HostEntry = { hostId, hostname, containers: [...containers], order: 0 };
    this.ordered = false;
    const byName = [...entry.containers].sort((a, b) => compare(a.name, b.name));
    const containerOrder = new Map(byName.map((c, i) => [c, i]));
    const own = new Set<string>();
    const add = (kind: SearchKind, value: string, container: FleetContainer) => {
      if (value === '') return;
      const term = value.toLowerCase();
      let known = this.terms.get(term);
      if (!known) this.terms.set(term, (known = { byHost: new Map(), counts: [0, 0, 0, 0, 0] }));
      let list = known.byHost.get(hostId);
      if (!list) known.byHost.set(hostId, (list = []));
      list.push({ host: entry, container, containerOrder: containerOrder.get(container) ?? 0, kind, value });
      known.counts[KIND_ORDER[kind]]!++;
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
      const entry = this.terms.get(term);
      if (!entry) continue;
      for (const posting of entry.byHost.get(hostId) ?? []) entry.counts[KIND_ORDER[posting.kind]]!--;
      entry.byHost.delete(hostId);
      if (entry.byHost.size === 0) this.terms.delete(term);
    }
    this.hosts.delete(hostId);
    this.ordered = false;
  }

  /**
   * Exact matches first, then prefixes, then the rest; within each, by kind, host name and
   * container. Each posting's place is one number, and only the best `limit` are kept while
   * scanning, so a query that matches nearly everything costs one pass over its postings.
   */
  search(query: string, options: { kind?: SearchKind; limit: number }): Omit<SearchResponse, 'took_ms'> {
    const q = query.trim().toLowerCase();
    if (!this.ordered) this.order();
    const best: { posting: Posting; key: number }[] = [];
    let total = 0;
    if (q === '') return { query, hits: [], total, hosts_indexed: this.hosts.size };
    // The matching terms, by the smallest key any of their postings can have (rank, then kind):
    // once the window is full of better hits, whole groups are only counted.
    const groups: TermEntry[][] = Array.from({ length: 15 }, () => []);
    const only = options.kind === undefined ? undefined : KIND_ORDER[options.kind];
    for (const [term, entry] of this.terms) {
      if (!term.includes(q)) continue;
      const count = only === undefined ? entry.counts.reduce((a, b) => a + b, 0) : entry.counts[only]!;
      if (count === 0) continue;
      total += count;
      const rank = term === q ? 0 : term.startsWith(q) ? 1 : 2;
      const kind = only ?? entry.counts.findIndex((n) => n > 0);
      groups[rank * 5 + kind]!.push(entry);
    }
    const consider = (posting: Posting, rank: number) => {
      if (options.kind !== undefined && posting.kind !== options.kind) return;
      const key = rank + KIND_ORDER[posting.kind] * KIND_SHIFT + posting.host.order * HOST_SHIFT + posting.containerOrder;
      if (best.length === options.limit && key >= best[best.length - 1]!.key) return;
      let at = best.length;
      while (at > 0 && key < best[at - 1]!.key) at--;
      best.splice(at, 0, { posting, key });
      if (best.length > options.limit) best.pop();
    };
    const full = () => best.length === options.limit;
    groups.forEach((entries, group) => {
      if (entries.length === 0) return;
      const rank = Math.floor(group / 5) * RANK_SHIFT;
      if (full() && rank + (group % 5) * KIND_SHIFT >= best[best.length - 1]!.key) return;
      const size = entries.reduce((n, e) => n + e.byHost.size, 0);
      if (size <= DIRECT_SCAN) {
        for (const entry of entries) for (const postings of entry.byHost.values()) for (const p of postings) consider(p, rank);
        return;
      }
      // A broad group: hosts in name order, so the window fills from the first ones and the rest is never read.
      for (const host of this.byOrder) {
        if (full() && rank + (group % 5) * KIND_SHIFT + host.order * HOST_SHIFT >= best[best.length - 1]!.key) return;
        for (const entry of entries) for (const p of entry.byHost.get(host.hostId) ?? []) consider(p, rank);
      }
    });
    return { query, hits: best.map(({ posting }) => hit(posting)), total, hosts_indexed: this.hosts.size };
  }

  private order(): void {
    this.byOrder = [...this.hosts.values()].map((h) => h.entry).sort((a, b) => compare(a.hostname, b.hostname) || compare(a.hostId, b.hostId));
    this.byOrder.forEach((entry, i) => (entry.order = i));
    this.ordered = true;
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
