import { type MapEntry, type MapNode, type Node, mapNode } from './node.js';
import { findRule, type PathPattern } from './paths.js';

/**
 * Override merging as the compose spec defines it, on trees already in canonical form (so that
 * `environment`, `labels`, `depends_on`, service `networks` … are mappings, and `ports`/`volumes`
 * are long syntax). Mappings merge deeply; `!reset` removes, `!override` replaces; sequences are
 * appended and then made unique by each path's identity, the later entry winning in place.
 */
type SeqIdentity = (item: Node) => string | undefined;
type MergeRule = 'replace' | { unique: SeqIdentity };

const scalarIdentity: SeqIdentity = (n) => (n.kind === 'scalar' ? String(n.value) : undefined);

const field =
  (...names: string[]): SeqIdentity =>
  (n) => {
    if (n.kind !== 'map') return scalarIdentity(n);
    return names.map((k) => scalarText(n.entries.get(k)?.value)).join('|');
  };

function scalarText(n: Node | undefined): string {
  return n?.kind === 'scalar' && n.value !== null ? String(n.value) : '';
}

const mountTarget =
  (defaultDir: string): SeqIdentity =>
  (n) => {
    if (n.kind !== 'map') return scalarIdentity(n);
    const target = scalarText(n.entries.get('target')?.value);
    if (target) return target.startsWith('/') || !defaultDir ? target : `${defaultDir}/${target}`;
    return `${defaultDir}/${scalarText(n.entries.get('source')?.value)}`;
  };

export const MERGE_RULES: readonly (readonly [PathPattern, MergeRule])[] = [
  ['services.*.command', 'replace'],
  ['services.*.entrypoint', 'replace'],
  ['services.*.healthcheck.test', 'replace'],
  ['services.*.ports', { unique: field('host_ip', 'published', 'target', 'protocol') }],
  ['services.*.volumes', { unique: mountTarget('') }],
  ['services.*.secrets', { unique: mountTarget('/run/secrets') }],
  ['services.*.configs', { unique: mountTarget('') }],
  ['services.*.devices', { unique: field('target') }],
  ['services.*.env_file', { unique: field('path') }],
  ['services.*.expose', { unique: scalarIdentity }],
  ['services.*.cap_add', { unique: scalarIdentity }],
  ['services.*.cap_drop', { unique: scalarIdentity }],
  ['services.*.dns', { unique: scalarIdentity }],
  ['services.*.dns_opt', { unique: scalarIdentity }],
  ['services.*.dns_search', { unique: scalarIdentity }],
  ['services.*.extra_hosts', { unique: scalarIdentity }],
  ['services.*.links', { unique: scalarIdentity }],
  ['services.*.profiles', { unique: scalarIdentity }],
  ['services.*.tmpfs', { unique: scalarIdentity }],
  ['services.*.security_opt', { unique: scalarIdentity }],
  ['services.*.group_add', { unique: scalarIdentity }],
  ['services.*.networks.*.aliases', { unique: scalarIdentity }],
  ['services.*.build.tags', { unique: scalarIdentity }],
  ['services.*.build.platforms', { unique: scalarIdentity }],
  ['services.*.build.cache_from', { unique: scalarIdentity }],
];

/**
 * Merges `override` into `base`. Returns the merged node, or `undefined` when the override is
 * tagged `!reset` (the key disappears). Neither input is modified.
 */
export function mergeNodes(base: Node | undefined, override: Node, path: string[] = []): Node | undefined {
  if (override.tag === '!reset') return undefined;
  if (override.tag === '!override' || base === undefined) return untagged(override);
  const rule = findRule(MERGE_RULES, path);
  if (rule === 'replace') return untagged(override);
  if (base.kind === 'map' && override.kind === 'map') return mergeMaps(base, override, path);
  if (base.kind === 'seq' && override.kind === 'seq') {
    const items = [...base.items, ...override.items.filter((i) => i.tag !== '!reset').map(untagged)];
    return { ...base, tag: undefined, items: rule ? unique(items, rule.unique) : items };
  }
  return untagged(override);
}

function mergeMaps(base: MapNode, override: MapNode, path: string[]): MapNode {
  const entries = new Map<string, MapEntry>(base.entries);
  for (const [key, entry] of override.entries) {
    const merged = mergeNodes(entries.get(key)?.value, entry.value, [...path, key]);
    if (merged === undefined) entries.delete(key);
    else entries.set(key, { keyPos: entries.get(key)?.keyPos ?? entry.keyPos, value: merged });
  }
  return mapNode(base.pos, entries);
}

function unique(items: Node[], identity: SeqIdentity): Node[] {
  const out: Node[] = [];
  const index = new Map<string, number>();
  for (const item of items) {
    const key = identity(item);
    const at = key === undefined ? undefined : index.get(key);
    if (at !== undefined) out[at] = item;
    else {
      if (key !== undefined) index.set(key, out.length);
      out.push(item);
    }
  }
  return out;
}

/** The node without merge tags; untouched subtrees are shared, not copied. */
function untagged(n: Node): Node {
  switch (n.kind) {
    case 'scalar':
      return n.tag ? { ...n, tag: undefined } : n;
    case 'seq': {
      let changed = n.tag !== undefined;
      const items: Node[] = [];
      for (const item of n.items) {
        if (item.tag === '!reset') {
          changed = true;
          continue;
        }
        const u = untagged(item);
        if (u !== item) changed = true;
        items.push(u);
      }
      return changed ? { ...n, tag: undefined, items } : n;
    }
    case 'map': {
      let changed = n.tag !== undefined;
      const entries = new Map<string, MapEntry>();
      for (const [k, e] of n.entries) {
        if (e.value.tag === '!reset') {
          changed = true;
          continue;
        }
        const u = untagged(e.value);
        if (u !== e.value) changed = true;
        entries.set(k, u === e.value ? e : { keyPos: e.keyPos, value: u });
      }
      return changed ? { ...n, tag: undefined, entries } : n;
    }
  }
}

/** Removes merge tags from a tree that is not merged onto anything (a base file keeps its values). */
export function stripMergeTags(n: Node): Node {
  return untagged(n);
}
