/**
 * Conformance of the loader with a real compose implementation. docker-compose v1 (the oracle, see
 * docs/oracle.md) was run on every corpus file by scripts/oracle.mjs; its verdicts and outputs are
 * in test/fixtures/oracle/docker-compose-v1.json. For each file:
 * - v1 accepted it (or a variant of it, see below): our output must equal v1's on the fields both
 *   understand, once each side is normalized into one comparable shape. A field that differs
 *   because v1 is the odd one out is listed in KNOWN_DIFFERENCES with the reason (mirrored in
 *   docs/compat.md); any other difference fails.
 * - v1 rejected it: we must reject it too with a located error, or v1's error must fall in one of
 *   the REJECTION_CATEGORIES (v1 predates or misreads something compose v2 accepts; also in
 *   docs/compat.md). Any other rejection fails.
 * Variants: `name-removed` (v1 predates the top-level `name:`; it only changes the project name,
 * so our loader reads the original file) and `paths-created` (the corpus ships no build contexts
 * or env files; the same empty folders and files are created in a copy of the corpus).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadProject, type Diagnostic, type Project } from '../../src/compose/index.js';
import { fixturePath } from '../helpers/fixtures.js';

// ---------------------------------------------------------------------------------------------
// The oracle's record
// ---------------------------------------------------------------------------------------------

interface OracleEntry {
  accepted: boolean;
  config?: unknown;
  error?: string;
  env?: Record<string, string>;
  variant?: string;
  variantConfig?: unknown;
  variantError?: string;
  variantCreated?: string[];
}

/** The token scripts/oracle.mjs writes in place of the absolute corpus directory. */
const CORPUS_TOKEN = '<corpus>';
/** The HOME scripts/oracle.mjs gives docker-compose (BASE_ENV there); fixtures may override it. */
const ORACLE_HOME = '/home/oracle';

// ---------------------------------------------------------------------------------------------
// Where v1 is the odd one out, per file and field (the field as `normalize` names it). Each
// entry is also described in docs/compat.md. A listed difference that disappears fails the test,
// so the table never hides anything.
// ---------------------------------------------------------------------------------------------

const KNOWN_DIFFERENCES: Readonly<Record<string, Readonly<Record<string, string>>>> = {};

// ---------------------------------------------------------------------------------------------
// Why v1 rejects files that compose v2 (and Shipshape) accept. Matched against v1's error (the
// variant's when there is one), minus the top-level `name` complaint, in this order; the first
// match wins. A file v1 rejects and we accept must fall in one of these.
// ---------------------------------------------------------------------------------------------

interface RejectionCategory {
  id: string;
  pattern: RegExp;
  /** Why v1 rejects what compose v2 accepts (docs/compat.md has the same list). */
  reason: string;
}

const REJECTION_CATEGORIES: readonly RejectionCategory[] = [];

// ---------------------------------------------------------------------------------------------
// One comparable shape for both sides
// ---------------------------------------------------------------------------------------------

type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };
type Dict = Record<string, unknown>;

interface Comparable {
  services: Record<string, Record<string, unknown>>;
  networks: Dict;
  volumes: Dict;
  secrets: Dict;
  configs: Dict;
}

const SERVICE_FIELDS = [
  'image',
  'build',
  'command',
  'entrypoint',
  'environment',
  'ports',
  'volumes',
  'networks',
  'depends_on',
  'healthcheck',
  'restart',
  'deploy.resources',
] as const;
const TOP_LEVEL_SECTIONS = ['networks', 'volumes', 'secrets', 'configs'] as const;

function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Drops undefined members so that "absent" compares equal however each side spells it. */
function compact<T extends Dict>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}

function mapValues(record: unknown, f: (v: unknown, k: string) => unknown): Dict | undefined {
  if (!isDict(record)) return undefined;
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v, k)]));
}

/** Text as compose passes it on: numbers and booleans written out, null kept. */
function text(v: unknown): string | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  return typeof v === 'string' ? v : String(v);
}

/** `KEY=VALUE` lists and mappings as one mapping of text. */
function keyValues(v: unknown, bare: null | '' = null): Record<string, string | null> | undefined {
  if (Array.isArray(v)) {
    const out: Record<string, string | null> = {};
    for (const item of v) {
      const s = String(item);
      const eq = s.indexOf('=');
      out[eq < 0 ? s : s.slice(0, eq)] = eq < 0 ? bare : s.slice(eq + 1);
    }
    return out;
  }
  return mapValues(v, (x) => text(x)) as Record<string, string | null> | undefined;
}

// --- durations and sizes, parsed here independently of src/compose/syntax ---------------------

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `1m30s`, `90s`, `1500ms` → milliseconds; anything else is kept as it is, to show up in a diff. */
function durationMs(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const parts = [...v.matchAll(/([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== v) return v;
  return parts.reduce((ms, p) => ms + Number(p[1]) * (DURATION_UNITS[p[2]!] ?? Number.NaN), 0);
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** `1.5G`, `50M`, `512m`, `1gb`, 2048 → bytes; anything else is kept as it is. */
function sizeBytes(v: unknown): unknown {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return v;
  const m = /^([0-9]*\.?[0-9]+)\s*([bkmgt]?)(?:i?b)?$/i.exec(v);
  return m ? Math.trunc(Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!) : v;
}

// --- shell words, as compose v2 splits a string command (go-shellwords) ------------------------

function shellWords(line: string): string[] | string {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && quote !== "'") {
      i++;
      if (i < line.length) word += line[i];
      inWord = true;
    } else if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) return line; // unbalanced: left as text, so it shows up in a diff
  if (inWord) words.push(word);
  return words;
}

// --- ports ---------------------------------------------------------------------------------------

interface ComparablePort {
  host_ip?: string;
  published?: string;
  target: unknown;
  protocol: string;
  mode: string;
}

function port(p: {
  host_ip?: unknown;
  published?: unknown;
  target?: unknown;
  protocol?: unknown;
  mode?: unknown;
}): ComparablePort {
  const published = p.published === undefined || p.published === null || p.published === '' ? undefined : String(p.published);
  return compact({
    host_ip: p.host_ip === undefined || p.host_ip === '' ? undefined : String(p.host_ip),
    published,
    target: p.target,
    protocol: typeof p.protocol === 'string' ? p.protocol : 'tcp',
    mode: typeof p.mode === 'string' ? p.mode : 'ingress',
  });
}

function range(spec: string): number[] | undefined {
  const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(spec);
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  return Array.from({ length: end - start + 1 }, (_, i) => start + i);
}

/**
 * v1 keeps a short port with a host IP as a string (`127.0.0.1:8081:81/udp`, `::1:83:83/tcp`
 * with the IPv6 brackets lost), one string per range; it is read from the right.
 */
function v1ShortPort(spec: string): ComparablePort[] | string {
  const [mapping = '', protocol = 'tcp'] = spec.split('/');
  const parts = mapping.split(':');
  const target = parts.pop() ?? '';
  const published = parts.pop() ?? '';
  const hostIp = parts.join(':');
  const targets = range(target);
  const publishedPorts = published === '' ? undefined : range(published);
  if (!targets || (publishedPorts && publishedPorts.length !== targets.length)) return spec;
  return targets.map((t, i) =>
    port({ host_ip: hostIp, published: publishedPorts?.[i], target: t, protocol }),
  );
}

function v1Ports(v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  return v.flatMap((p: unknown) => (typeof p === 'string' ? v1ShortPort(p) : isDict(p) ? [port(p)] : [p]));
}

// --- volumes -------------------------------------------------------------------------------------

const PROPAGATIONS = new Set(['shared', 'slave', 'private', 'rshared', 'rslave', 'rprivate']);

/** A mount reduced to what it does: the defaults compose prints (create_host_path, empty volume options) are left out. */
function mount(m: Dict): Dict {
  const bind = isDict(m.bind) ? m.bind : {};
  const volume = isDict(m.volume) ? m.volume : {};
  const tmpfs = isDict(m.tmpfs) ? m.tmpfs : {};
  return compact({
    type: m.type,
    source: m.source === '' ? undefined : m.source,
    target: m.target,
    read_only: m.read_only === true ? true : undefined,
    consistency: m.consistency,
    propagation: bind.propagation,
    selinux: bind.selinux,
    nocopy: volume.nocopy === true ? true : undefined,
    subpath: volume.subpath,
    tmpfs_size: sizeBytes(tmpfs.size),
    tmpfs_mode: tmpfs.mode,
  });
}

/** v1's short volume: `SOURCE:TARGET:MODE` with an absolute (or named) source, or `/anon`. */
function v1ShortVolume(spec: string): Dict {
  // The colon of a Windows drive (`C:\…`) is part of the source, not a separator.
  const drive = /^[A-Za-z]:[\\/]/.test(spec) ? spec.slice(0, 2) : '';
  const parts = spec.slice(drive.length).split(':');
  parts[0] = drive + (parts[0] ?? '');
  if (parts.length === 1) return mount({ type: 'volume', target: spec });
  const [source = '', target = '', mode = ''] = parts;
  const isPath = /^[./~\\]/.test(source) || /^[A-Za-z]:[\\/]/.test(source);
  const options = mode.split(',').filter(Boolean);
  return mount({
    type: isPath ? 'bind' : 'volume',
    source,
    target,
    read_only: options.includes('ro'),
    consistency: options.find((o) => ['cached', 'delegated', 'consistent'].includes(o)),
    bind: {
      propagation: options.find((o) => PROPAGATIONS.has(o)),
      selinux: options.find((o) => o === 'z' || o === 'Z'),
    },
    volume: { nocopy: options.includes('nocopy') },
  });
}

function v1Volumes(v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  return v.map((m: unknown) => (typeof m === 'string' ? v1ShortVolume(m) : isDict(m) ? mount(m) : m));
}

// --- the rest of a service -------------------------------------------------------------------------

function build(b: unknown, bareArg: null | ''): unknown {
  if (!isDict(b)) return b;
  return compact({
    context: b.context,
    dockerfile: b.dockerfile ?? (b.dockerfile_inline === undefined ? 'Dockerfile' : undefined),
    args: keyValues(b.args, bareArg),
    target: b.target,
  });
}

function serviceNetworks(v: unknown): unknown {
  return mapValues(v, (n) => {
    if (!isDict(n)) return n ?? null;
    const kept = compact({ ...n, aliases: Array.isArray(n.aliases) && n.aliases.length === 0 ? undefined : n.aliases });
    return Object.keys(kept).length === 0 ? null : kept;
  });
}

function dependsOn(v: unknown): unknown {
  return mapValues(v, (d) =>
    isDict(d)
      ? compact({
          condition: d.condition ?? 'service_started',
          required: d.required === false ? false : undefined,
          restart: d.restart === true ? true : undefined,
        })
      : d,
  );
}

function healthcheck(h: unknown): unknown {
  if (!isDict(h)) return h;
  return compact({
    test: typeof h.test === 'string' ? ['CMD-SHELL', h.test] : h.test,
    interval: durationMs(h.interval),
    timeout: durationMs(h.timeout),
    start_period: durationMs(h.start_period),
    start_interval: durationMs(h.start_interval),
    retries: h.retries,
    disable: h.disable === true ? true : undefined,
  });
}

function resources(r: unknown): unknown {
  const limits = (l: unknown): unknown =>
    isDict(l)
      ? compact({ ...l, cpus: l.cpus === undefined ? undefined : Number(l.cpus), memory: sizeBytes(l.memory) })
      : l;
  return isDict(r) ? compact({ limits: limits(r.limits), reservations: limits(r.reservations) }) : r;
}

function commandWords(v: unknown): unknown {
  return typeof v === 'string' ? shellWords(v) : v;
}

/** A top-level network/volume/secret/config: the names compose derives from the project are left out. */
function topLevelObject(o: unknown, key: string, projectName: string | undefined): unknown {
  if (!isDict(o)) return o ?? {};
  const external = isDict(o.external) ? true : o.external;
  const legacyName = isDict(o.external) ? o.external.name : undefined;
  let name = o.name ?? legacyName;
  if (projectName !== undefined && name === `${projectName}_${key}`) name = undefined;
  if (external === true && name === key) name = undefined;
  return compact({
    ...o,
    external: external === false ? undefined : external,
    name,
    labels: keyValues(o.labels),
    driver_opts: mapValues(o.driver_opts, (x) => text(x)),
  });
}

// ---------------------------------------------------------------------------------------------
// Each side into the comparable shape
// ---------------------------------------------------------------------------------------------

/** v1 re-escapes `$` as `$$` in every string it prints. */
function unescapeDollars(v: unknown): unknown {
  if (typeof v === 'string') return v.replaceAll('$$', '$');
  if (Array.isArray(v)) return v.map(unescapeDollars);
  if (isDict(v)) return mapValues(v, unescapeDollars);
  return v;
}

/** Replaces `<corpus>` (the oracle) or the directory the corpus was loaded from (ours) by one token. */
function relocate(v: unknown, from: string, to: string): unknown {
  if (typeof v === 'string') return v.replaceAll(from, to);
  if (Array.isArray(v)) return v.map((x) => relocate(x, from, to));
  if (isDict(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replaceAll(from, to), relocate(x, from, to)]));
  return v;
}

function normalizeV1(config: unknown): Comparable {
  const c = unescapeDollars(config) as Dict;
  const services: Comparable['services'] = {};
  let usesDefault = false;
  for (const [name, raw] of Object.entries(isDict(c.services) ? c.services : {})) {
    const s = isDict(raw) ? raw : {};
    // v1 adds no default network; compose v2 connects such a service to `default`.
    const networks = s.networks ?? (s.network_mode === undefined ? { default: null } : undefined);
    if (isDict(networks) && 'default' in networks) usesDefault = true;
    services[name] = compact({
      image: s.image,
      build: build(s.build, ''),
      command: commandWords(s.command),
      entrypoint: commandWords(s.entrypoint),
      environment: keyValues(s.environment),
      ports: v1Ports(s.ports),
      volumes: v1Volumes(s.volumes),
      networks: serviceNetworks(networks),
      depends_on: dependsOn(s.depends_on),
      healthcheck: healthcheck(s.healthcheck),
      restart: s.restart,
      'deploy.resources': isDict(s.deploy) ? resources(s.deploy.resources) : undefined,
    });
  }
  const sections = Object.fromEntries(
    TOP_LEVEL_SECTIONS.map((section) => [
      section,
      mapValues(c[section] ?? {}, (o, key) => topLevelObject(o, key, undefined)) ?? {},
    ]),
  ) as Pick<Comparable, (typeof TOP_LEVEL_SECTIONS)[number]>;
  if (usesDefault && !('default' in sections.networks)) sections.networks.default = {};
  return { services, ...sections };
}

function normalizeOurs(project: Project): Comparable {
  const services: Comparable['services'] = {};
  // v1's `config` ignores profiles: it prints every service.
  for (const [name, s] of Object.entries({ ...project.services, ...project.disabled_services })) {
    services[name] = compact({
      image: s.image,
      build: build(s.build, null),
      command: s.command,
      entrypoint: s.entrypoint,
      environment: keyValues(s.environment),
      ports: Array.isArray(s.ports) ? s.ports.map((p) => port(p)) : s.ports,
      volumes: Array.isArray(s.volumes) ? s.volumes.map((m) => mount(m as unknown as Dict)) : s.volumes,
      networks: serviceNetworks(s.networks),
      depends_on: dependsOn(s.depends_on),
      healthcheck: healthcheck(s.healthcheck),
      restart: s.restart,
      'deploy.resources': resources(s.deploy?.resources),
    });
  }
  const section = (name: (typeof TOP_LEVEL_SECTIONS)[number]): Dict =>
    mapValues(project[name], (o, key) => topLevelObject(o, key, project.name)) ?? {};
  return {
    services,
    networks: section('networks'),
    volumes: section('volumes'),
    secrets: section('secrets'),
    configs: section('configs'),
  };
}

/** Field-by-field differences: `services.web.ports`, `networks.front`, `services` (a service only on one side). */
function differences(ours: Comparable, v1: Comparable): Map<string, { ours: unknown; v1: unknown }> {
  const out = new Map<string, { ours: unknown; v1: unknown }>();
  const compare = (field: string, a: unknown, b: unknown) => {
    try {
      assert.deepStrictEqual(a, b);
    } catch {
      out.set(field, { ours: a, v1: b });
    }
  };
  const names = new Set([...Object.keys(ours.services), ...Object.keys(v1.services)]);
  for (const name of [...names].sort()) {
    const a = ours.services[name];
    const b = v1.services[name];
    if (!a || !b) {
      out.set(`services.${name}`, { ours: a, v1: b });
      continue;
    }
    for (const field of SERVICE_FIELDS) compare(`services.${name}.${field}`, a[field], b[field]);
  }
  for (const section of TOP_LEVEL_SECTIONS) {
    const keys = new Set([...Object.keys(ours[section]), ...Object.keys(v1[section])]);
    for (const key of [...keys].sort()) compare(`${section}.${key}`, ours[section][key], v1[section][key]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

const corpusDir = fixturePath('corpus');
const oracle = JSON.parse(readFileSync(fixturePath('oracle', 'docker-compose-v1.json'), 'utf8')) as Record<string, OracleEntry>;

interface Outcome {
  file: string;
  entry: OracleEntry;
  diagnostics: Diagnostic[];
  project: Project | undefined;
  /** Directory the file was loaded from: the corpus, or the copy with created paths. */
  root: string;
}

let copyDir: string | undefined;
const outcomes: Outcome[] = [];

function load(file: string, entry: OracleEntry, root: string): Outcome {
  const env = { HOME: ORACLE_HOME, ...entry.env };
  const r = loadProject({ files: [join(root, file)], env });
  return { file, entry, diagnostics: r.diagnostics, project: r.project, root };
}

function errorsOf(o: Outcome): Diagnostic[] {
  return o.diagnostics.filter((d) => d.severity === 'error');
}

function describeErrors(o: Outcome): string {
  return errorsOf(o)
    .slice(0, 3)
    .map((d) => `${d.line}:${d.column} [${d.code}] ${d.message}`)
    .join(' | ');
}

/** v1's reason for rejecting, without the `name` complaint when something else is said too. */
function v1Reason(entry: OracleEntry): string {
  const error = entry.variantError ?? entry.error ?? '';
  const lines = error.split('\n').filter((l) => !/^The Compose file( '[^']*')? is invalid because:$/.test(l));
  const rest = lines.filter((l) => l !== "'name' does not match any of the regexes: '^x-'");
  return (rest.length > 0 ? rest : lines).join('\n');
}

function categoryOf(entry: OracleEntry): RejectionCategory | undefined {
  const reason = v1Reason(entry);
  return REJECTION_CATEGORIES.find((c) => c.pattern.test(reason));
}

function v1Config(entry: OracleEntry): unknown {
  return entry.accepted ? entry.config : entry.variantConfig;
}

describe('conformance with docker-compose v1 (the oracle)', () => {
  before(() => {
    // One copy of the corpus holds every path a `paths-created` variant needed.
    const created = Object.values(oracle).flatMap((e) => (e.variantConfig ? (e.variantCreated ?? []) : []));
    if (created.length > 0) {
      copyDir = mkdtempSync(join(tmpdir(), 'shipshape-conformance-'));
      cpSync(corpusDir, copyDir, { recursive: true });
      for (const path of created) {
        if (path.endsWith('/')) mkdirSync(join(copyDir, path), { recursive: true });
        else {
          mkdirSync(dirname(join(copyDir, path)), { recursive: true });
          writeFileSync(join(copyDir, path), '');
        }
      }
    }
    for (const [file, entry] of Object.entries(oracle)) {
      const root = entry.variantConfig && entry.variantCreated && copyDir ? copyDir : corpusDir;
      outcomes.push(load(file, entry, root));
    }
  });

  after(() => {
    if (copyDir) rmSync(copyDir, { recursive: true, force: true });
  });

  it('has an oracle verdict for every corpus file', () => {
    assert.ok(Object.keys(oracle).length >= 600, `${Object.keys(oracle).length} entries`);
  });

  it('matches v1 on every file v1 accepts, except the known differences', () => {
    const unexplained: string[] = [];
    const stale: string[] = [];
    for (const o of outcomes) {
      const config = v1Config(o.entry);
      if (config === undefined) continue;
      const known = KNOWN_DIFFERENCES[o.file] ?? {};
      if (!o.project || errorsOf(o).length > 0) {
        if (!known['*']) unexplained.push(`${o.file}: v1 accepts it, we reject it: ${describeErrors(o)}`);
        continue;
      }
      const v1 = normalizeV1(relocate(config, CORPUS_TOKEN, corpusDir));
      const ours = normalizeOurs(o.project);
      const found = differences(relocate(ours, o.root, corpusDir) as Comparable, v1);
      for (const [field, { ours: a, v1: b }] of found) {
        if (!known[field]) unexplained.push(`${o.file} ${field}\n    ours: ${JSON.stringify(a)}\n    v1:   ${JSON.stringify(b)}`);
      }
      for (const field of Object.keys(known)) {
        if (field !== '*' && !found.has(field)) stale.push(`${o.file} ${field}`);
      }
    }
    assert.deepEqual(unexplained, [], `${unexplained.length} unexplained differences`);
    assert.deepEqual(stale, [], 'KNOWN_DIFFERENCES entries that no longer differ');
  });

  it('rejects what v1 rejects with a located error, unless v1 is the one behind', () => {
    const unexplained: string[] = [];
    for (const o of outcomes) {
      if (v1Config(o.entry) !== undefined) continue;
      const located = errorsOf(o).some((d) => d.file !== '' && d.line > 0);
      if (located || categoryOf(o.entry)) continue;
      const ours = errorsOf(o).length > 0 ? `we report only unlocated errors: ${describeErrors(o)}` : 'we accept it';
      unexplained.push(`${o.file}: ${ours}; v1: ${v1Reason(o.entry).split('\n')[0]}`);
    }
    assert.deepEqual(unexplained, [], `${unexplained.length} rejections without explanation`);
  });

  it('prints a summary', (t) => {
    let compared = 0;
    let equal = 0;
    let knownFiles = 0;
    let rejectedByBoth = 0;
    const byCategory = new Map<string, number>();
    for (const o of outcomes) {
      const config = v1Config(o.entry);
      if (config !== undefined) {
        compared++;
        if (KNOWN_DIFFERENCES[o.file]) knownFiles++;
        else equal++;
        continue;
      }
      if (errorsOf(o).some((d) => d.line > 0)) rejectedByBoth++;
      else {
        const id = categoryOf(o.entry)?.id ?? 'unexplained';
        byCategory.set(id, (byCategory.get(id) ?? 0) + 1);
      }
    }
    t.diagnostic(`compared ${compared}: equal ${equal}, with known differences ${knownFiles}`);
    t.diagnostic(`rejected by both: ${rejectedByBoth}`);
    for (const [id, n] of [...byCategory].sort((a, b) => b[1] - a[1])) t.diagnostic(`rejected by v1 only, ${id}: ${n}`);
    assert.equal(compared + rejectedByBoth + [...byCategory.values()].reduce((a, b) => a + b, 0), outcomes.length);
  });
});
