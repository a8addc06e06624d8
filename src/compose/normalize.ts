import { diagnostic, type Diagnostic, type Position } from './diagnostics.js';
import {
  fromPlain,
  mapNode,
  scalarNode,
  seqNode,
  type MapEntry,
  type MapNode,
  type Node,
  type SeqNode,
  toPlain,
} from './node.js';
import { findRule, type PathPattern } from './paths.js';
import { splitShellWords } from './shell-words.js';
import {
  formatDuration,
  formatExtraHosts,
  parseExtraHosts,
  normalizePortLong,
  parseDevice,
  parseDuration,
  parsePortShort,
  parseVolumeShort,
  type Parsed,
} from './syntax/index.js';

/**
 * Canonical form: every short syntax becomes the long one `docker compose config` prints, so that
 * merging, the analyzer and the engine each handle one shape. Derived values keep the position of
 * the text they came from. Applied to each file before it is merged (as compose-go does).
 */
type Transform = (n: Node, report: (message: string, at: Position) => void) => Node;

const KEY_VALUE_MAPS = [
  'services.*.environment',
  'services.*.labels',
  'services.*.annotations',
  'services.*.sysctls',
  'services.*.build.args',
  'services.*.build.labels',
  'services.*.deploy.labels',
  'networks.*.labels',
  'volumes.*.labels',
  'secrets.*.labels',
  'configs.*.labels',
] as const;

const SINGLE_OR_LIST = ['services.*.dns', 'services.*.dns_search', 'services.*.tmpfs', 'services.*.label_file'] as const;
const DURATIONS = [
  'services.*.healthcheck.interval',
  'services.*.healthcheck.timeout',
  'services.*.healthcheck.start_period',
  'services.*.healthcheck.start_interval',
  'services.*.stop_grace_period',
] as const;
const TOP_LEVEL_OBJECTS = ['networks.*', 'volumes.*', 'secrets.*', 'configs.*'] as const;

export const CANONICAL_RULES: readonly (readonly [PathPattern, Transform])[] = [
  ['services.*.build', (n) => (n.kind === 'scalar' ? fromPlainAt({ context: n.value }, n) : n)],
  ['services.*.extends', (n) => (n.kind === 'scalar' ? fromPlainAt({ service: n.value }, n) : n)],
  ['services.*.depends_on', dependsOn],
  ['services.*.env_file', envFiles],
  ['services.*.networks', (n) => (n.kind === 'seq' ? listToNullMap(n) : n)],
  ['services.*.ports', ports],
  ['services.*.expose', (n) => mapItems(n, (i) => (i.kind === 'scalar' ? { ...i, value: String(i.value) } : i))],
  ['services.*.volumes', volumes],
  ['services.*.secrets', (n) => mapItems(n, sourceOnly)],
  ['services.*.configs', (n) => mapItems(n, sourceOnly)],
  ['services.*.build.secrets', (n) => mapItems(n, sourceOnly)],
  ['services.*.devices', devices],
  ['services.*.command', command],
  ['services.*.entrypoint', command],
  ['services.*.healthcheck.test', healthcheckTest],
  ['services.*.extra_hosts', extraHosts],
  ['services.*.build.extra_hosts', extraHosts],
  ...KEY_VALUE_MAPS.map((p) => [p, keyValueMap] as const),
  ...SINGLE_OR_LIST.map((p) => [p, (n: Node) => (n.kind === 'scalar' ? seqNode(n.pos, [n]) : n)] as const),
  ...DURATIONS.map((p) => [p, duration] as const),
  ...TOP_LEVEL_OBJECTS.map((p) => [p, topLevelObject] as const),
];

export function canonicalize(root: MapNode, diagnostics: Diagnostic[]): MapNode {
  const report = (message: string, at: Position) => diagnostics.push(diagnostic('invalid-value', message, at));
  const visit = (n: Node, path: string[]): Node => {
    const rule = path.length > 0 ? findRule(CANONICAL_RULES, path) : undefined;
    const out = rule ? rule(n, (m, at) => report(`${path.join('.')}: ${m}`, at)) : n;
    // A rewritten value keeps its merge tag: `ports: !reset []` must still reset after canonicalization.
    if (out !== n && n.tag) out.tag = n.tag;
    if (out.kind === 'map') {
      for (const [k, e] of out.entries) e.value = visit(e.value, [...path, k]);
    } else if (out.kind === 'seq') {
      out.items = out.items.map((item, i) => visit(item, [...path, String(i)]));
    }
    return out;
  };
  return visit(root, []) as MapNode;
}

/**
 * A network, volume, secret or config: an empty declaration is an empty mapping, and the
 * deprecated `external: {name: x}` becomes `external: true` with `name: x`, as compose does.
 */
function topLevelObject(n: Node, report: (m: string, at: Position) => void): Node {
  if (n.kind === 'scalar' && n.value === null) return mapNode(n.pos);
  const external = n.kind === 'map' ? n.entries.get('external') : undefined;
  if (n.kind !== 'map' || external?.value.kind !== 'map') return n;
  const legacyName = external.value.entries.get('name');
  external.value = scalarNode(external.value.pos, true);
  if (!legacyName) return n;
  const name = n.entries.get('name');
  if (!name) n.entries.set('name', legacyName);
  else if (name.value.kind !== 'scalar' || legacyName.value.kind !== 'scalar' || name.value.value !== legacyName.value.value) {
    report('name and external.name conflict; only use name', legacyName.keyPos);
  }
  return n;
}

function fromPlainAt(value: unknown, n: Node): Node {
  return fromPlain(value, n.pos);
}

function mapItems(n: Node, f: (item: Node) => Node): Node {
  return n.kind === 'seq' ? { ...n, items: n.items.map(f) } : n;
}

function sourceOnly(n: Node): Node {
  return n.kind === 'scalar' ? fromPlainAt({ source: String(n.value) }, n) : n;
}

function listToNullMap(n: SeqNode): MapNode {
  const entries = new Map<string, MapEntry>();
  for (const item of n.items) {
    if (item.kind === 'scalar' && item.value !== null) {
      entries.set(String(item.value), { keyPos: item.pos, value: scalarNode(item.pos, null) });
    }
  }
  return mapNode(n.pos, entries);
}

/** `KEY=VALUE` lists become mappings; values become text, as compose passes them to the engine. */
function keyValueMap(n: Node, report: (m: string, at: Position) => void): Node {
  if (n.kind === 'map') {
    for (const e of n.entries.values()) {
      if (e.value.kind === 'scalar' && e.value.value !== null) e.value = { ...e.value, value: String(e.value.value) };
    }
    return n;
  }
  if (n.kind !== 'seq') return n;
  const entries = new Map<string, MapEntry>();
  for (const item of n.items) {
    if (item.kind !== 'scalar' || item.value === null) {
      report('each entry must be a "KEY=VALUE" string', item.pos);
      continue;
    }
    const text = String(item.value);
    const eq = text.indexOf('=');
    const key = eq < 0 ? text : text.slice(0, eq);
    const value = eq < 0 ? null : text.slice(eq + 1);
    entries.set(key, { keyPos: item.pos, value: scalarNode(item.pos, value) });
  }
  return mapNode(n.pos, entries);
}

function dependsOn(n: Node): Node {
  const map = n.kind === 'seq' ? listToNullMap(n) : n;
  if (map.kind !== 'map') return n;
  for (const e of map.entries.values()) {
    const v = e.value;
    const cond = v.kind === 'map' ? v : mapNode(v.pos);
    if (!cond.entries.has('condition')) cond.entries.set('condition', { keyPos: v.pos, value: scalarNode(v.pos, 'service_started') });
    if (!cond.entries.has('required')) cond.entries.set('required', { keyPos: v.pos, value: scalarNode(v.pos, true) });
    e.value = cond;
  }
  return map;
}

function envFiles(n: Node): Node {
  const list = n.kind === 'scalar' ? seqNode(n.pos, [n]) : n;
  return mapItems(list, (item) => {
    if (item.kind === 'scalar') return fromPlainAt({ path: String(item.value), required: true }, item);
    if (item.kind === 'map' && !item.entries.has('required')) {
      item.entries.set('required', { keyPos: item.pos, value: scalarNode(item.pos, true) });
    }
    return item;
  });
}

function fromParsed<T>(parsed: Parsed<T>, at: Node, report: (m: string, at: Position) => void): T | undefined {
  if (parsed.ok) return parsed.value;
  report(parsed.error, at.pos);
  return undefined;
}

function ports(n: Node, report: (m: string, at: Position) => void): Node {
  if (n.kind !== 'seq') return n;
  const items: Node[] = [];
  for (const item of n.items) {
    if (item.kind === 'scalar' && (typeof item.value === 'string' || typeof item.value === 'number')) {
      const parsed = fromParsed(parsePortShort(item.value), item, report);
      for (const p of parsed ?? []) items.push(fromPlainAt(p, item));
    } else if (item.kind === 'map') {
      const parsed = fromParsed(normalizePortLong(plainOf(item)), item, report);
      if (parsed) items.push(relocate(fromPlainAt(parsed, item), item));
    } else items.push(item);
  }
  return seqNode(n.pos, items);
}

function volumes(n: Node, report: (m: string, at: Position) => void): Node {
  return mapItems(n, (item) => {
    if (item.kind !== 'scalar' || typeof item.value !== 'string') return item;
    const parsed = fromParsed(parseVolumeShort(item.value), item, report);
    return parsed ? fromPlainAt(parsed, item) : item;
  });
}

function devices(n: Node, report: (m: string, at: Position) => void): Node {
  return mapItems(n, (item) => {
    if (item.kind !== 'scalar' || typeof item.value !== 'string') return item;
    const parsed = fromParsed(parseDevice(item.value), item, report);
    return parsed ? fromPlainAt(parsed, item) : item;
  });
}

function command(n: Node, report: (m: string, at: Position) => void): Node {
  if (n.kind !== 'scalar' || typeof n.value !== 'string') return n;
  const words = splitShellWords(n.value);
  if (!words) {
    report(`unterminated quote in "${n.value}"`, n.pos);
    return n;
  }
  return fromPlainAt(words, n);
}

function healthcheckTest(n: Node): Node {
  if (n.kind !== 'scalar' || typeof n.value !== 'string') return n;
  return fromPlainAt(['CMD-SHELL', n.value], n);
}

/** Map or list, `host:ip` or `host=ip`: printed as compose does, sorted `host=ip` entries. */
function extraHosts(n: Node, report: (m: string, at: Position) => void): Node {
  if (n.kind === 'scalar') return n;
  const hosts = fromParsed(parseExtraHosts(toPlain(n)), n, report);
  return hosts ? fromPlainAt(formatExtraHosts(hosts), n) : n;
}

function duration(n: Node, report: (m: string, at: Position) => void): Node {
  if (n.kind !== 'scalar' || n.value === null || typeof n.value === 'boolean') return n;
  const ms = fromParsed(parseDuration(n.value), n, report);
  return ms === undefined ? n : { ...n, value: formatDuration(ms) };
}

function plainOf(n: MapNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, e] of n.entries) out[k] = e.value.kind === 'scalar' ? e.value.value : undefined;
  return out;
}

/** Keeps the original per-key positions of a long-syntax entry that was rebuilt from plain values. */
function relocate(rebuilt: Node, original: MapNode): Node {
  if (rebuilt.kind !== 'map') return rebuilt;
  for (const [k, e] of rebuilt.entries) {
    const o = original.entries.get(k);
    if (o) {
      e.keyPos = o.keyPos;
      e.value.pos = o.value.pos;
    }
  }
  return rebuilt;
}
