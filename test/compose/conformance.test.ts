/**
 * Conformance of the loader with a real compose implementation. docker-compose v1 (the oracle, see
 * docs/oracle.md) was run on every corpus file by scripts/oracle.mjs; its verdicts and outputs are
 * in test/fixtures/oracle/docker-compose-v1.json. For each file:
 * - v1 accepted it (or a variant of it, see below): our output must equal v1's on the fields both
 *   understand, once each side is normalized into one comparable shape. A field that differs
 *   because v1 is the odd one out is listed in KNOWN_DIFFERENCES with the reason (mirrored in
 *   docs/compat.md); any other difference fails.
 * - v1 rejected it: we must reject it too with a located error, or v1's error must fall in one of
 *   the REJECTION_CATEGORIES (mostly v1 predating something compose v2 accepts; a few are gaps of
 *   ours, marked as such; all in docs/compat.md). Any other rejection fails.
 * Variants: `name-removed` (v1 predates the top-level `name:`; it only changes the project name,
 * so our loader reads the original file) and `paths-created` (the corpus ships no build contexts
 * or env files; the same empty folders and files are created in a copy of the corpus).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadProject, type Diagnostic, type Project } from '../../src/compose/index.js';
import { corpusFiles } from '../helpers/corpus.js';
import { fixturePath } from '../helpers/fixtures.js';
import { writeTree } from '../helpers/tmp.js';

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
// Where v1 is the odd one out, per file and field (`services.web.volumes`, `networks.front`, as
// `differences` names them). `rejected:<code>` means v1 accepts the file and we refuse it, with
// errors of that diagnostic code only. Each reason is described in docs/compat.md. An entry that
// no longer differs fails the test, so the table cannot hide anything.
// ---------------------------------------------------------------------------------------------

const V1_IS_ODD = {
  cleansBindSource: 'v1 removes the trailing slash of a bind source (/etc/pihole/ → /etc/pihole); compose v2 keeps the path as written',
  bareBuildArg:
    'v1 turns a build arg without a value into ""; compose v2 takes it from the environment and drops it when unset, so the Dockerfile default applies',
  emptyVolumeSource:
    'v1 reads the volume ":/media/" (an unset variable before the colon) as a bind of the project directory; compose v2 refuses the empty source',
  deviceCapabilities: 'v1 accepts deploy.resources.reservations.devices without "capabilities"; the compose spec requires it',
  numericKey: 'v1 accepts a number as a mapping key (environment: {1: FOO}); compose v2 refuses non-string keys',
  undeclaredNetwork: "v1's config does not check that a service's networks are declared; compose v2 refuses the file",
  undeclaredSecret: "v1's config does not check that a service's secrets are declared; compose v2 refuses the file",
  aliasLimit:
    'the file expands to more than 100,000 values through aliases; v1 expands without limit, Shipshape stops (compose v2 has its own limit)',
} as const;

const KNOWN_DIFFERENCES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'awesome-compose/pihole-cloudflared-DoH/compose.yaml': { 'services.pihole.volumes': V1_IS_ODD.cleansBindSource },
  'awesome-compose/plex/compose.yaml': { 'rejected:invalid-value': V1_IS_ODD.emptyVolumeSource },
  'compose-go/inline-go-tests/loader__normalize_test__L28.yaml': { 'services.foo.build': V1_IS_ODD.bareBuildArg },
  'compose-go/inline-go-tests/loader__loader_test__L1820.yaml': { 'rejected:schema': V1_IS_ODD.deviceCapabilities },
  'compose-go/inline-go-tests/loader__loader_test__L499.yaml': { 'rejected:yaml-syntax': V1_IS_ODD.numericKey },
  'compose-go/inline-go-tests/loader__loader_test__L81.yaml': { 'rejected:undefined-network': V1_IS_ODD.undeclaredNetwork },
  'compose-go/inline-go-tests/loader__override_test__L42.yaml': { 'rejected:undefined-network': V1_IS_ODD.undeclaredNetwork },
  'compose-go/inline-go-tests/override__merge_networks_test__L24.yaml': { 'rejected:undefined-network': V1_IS_ODD.undeclaredNetwork },
  'compose-go/inline-go-tests/override__merge_networks_test__L36.yaml': { 'rejected:undefined-network': V1_IS_ODD.undeclaredNetwork },
  'compose-go/inline-go-tests/override__merge_networks_test__L47.yaml': { 'rejected:undefined-network': V1_IS_ODD.undeclaredNetwork },
  'compose-go/inline-go-tests/override__merge_networks_test__L74.yaml': { 'rejected:undefined-network': V1_IS_ODD.undeclaredNetwork },
  'compose-go/inline-go-tests/override__merge_networks_test__L96.yaml': { 'rejected:undefined-network': V1_IS_ODD.undeclaredNetwork },
  'compose-go/inline-go-tests/override__merge_networks_test__L104.yaml': { 'rejected:undefined-network': V1_IS_ODD.undeclaredNetwork },
  'compose-go/inline-go-tests/override__merge_networks_test__L120.yaml': { 'rejected:undefined-network': V1_IS_ODD.undeclaredNetwork },
  'compose-go/inline-go-tests/loader__tests__secrets_test__L117.yaml': { 'rejected:undefined-secret': V1_IS_ODD.undeclaredSecret },
  'compose-go/inline-go-tests/loader__tests__secrets_test__L132.yaml': { 'rejected:undefined-secret': V1_IS_ODD.undeclaredSecret },
  'compose-go/inline-go-tests/override__merge_mounts_test__L25.yaml': { 'rejected:undefined-secret': V1_IS_ODD.undeclaredSecret },
  'compose-go/inline-go-tests/override__merge_mounts_test__L33.yaml': { 'rejected:undefined-secret': V1_IS_ODD.undeclaredSecret },
  'compose-go/inline-go-tests/override__merge_mounts_test__L40.yaml': { 'rejected:undefined-secret': V1_IS_ODD.undeclaredSecret },
  'compose-go/inline-go-tests/loader__reset_test__L196.yaml': { 'rejected:yaml-alias-limit': V1_IS_ODD.aliasLimit },
};

// ---------------------------------------------------------------------------------------------
// Why v1 rejects files that we load. Matched, in this order, against v1's error (the variant's
// when there is one) without its complaint about the top-level `name`; the first match wins. A
// file v1 rejects and we load must fall in one of these; every category is in docs/compat.md.
// Most say v1 is behind compose v2; `link-target` is a gap of ours, and
// `dependency-cycle` is left to the analyzer on purpose.
// ---------------------------------------------------------------------------------------------

const CATEGORY_REASONS = {
  'newer-syntax': 'v1 predates keys and values the compose spec added since (models, develop, annotations, gpus, …)',
  include: 'v1 predates top-level include (a file with only include: is even read as the legacy format)',
  'reset-override': 'v1 predates the !reset and !override tags',
  'multiple-documents': 'v1 reads one YAML document per file; compose v2 merges several',
  'boolean-environment': 'v1 refuses a boolean in the mapping form of environment; compose v2 writes it as "true"/"false"',
  'external-with-attributes': 'v1 refuses other attributes (name, x-*, internal) next to external: true; compose v2 allows them',
  'duplicate-ports': 'v1 refuses duplicate ports (schema uniqueItems); compose v2 merges duplicates before validating',
  'image-or-build': 'a `build:` without `context`: v1 refuses it, compose v2 and Shipshape build the project directory (a service with neither image nor build is refused by all three)',
  'link-target': 'links to an undefined service: v1 and compose v2 refuse it, Shipshape loads it (gap, see docs/compat.md)',
  'dependency-cycle': 'a depends_on cycle: refused by v1 and compose v2; Shipshape loads it and `analyze` reports it (rule dependency-cycle)',
} as const;

type CategoryId = keyof typeof CATEGORY_REASONS;

const NEWER_SERVICE_KEYS =
  'models|annotations|develop|pre_start|post_start|cgroup|label_file|attach|gpus|uts|provider|use_api_socket';
/** Newer keys inside a service, by the part v1 names in `services.<name>.<part> contains unsupported option`. */
const NEWER_SUB_KEYS: Readonly<Record<string, string>> = {
  build: 'additional_contexts|ssh|dockerfile_inline|no_cache_filter|no_cache|cache_to|pull|privileged|entitlements|provenance|sbom|secrets|ulimits',
  ports: 'host_ip|name|app_protocol',
  depends_on: 'required|restart',
  volumes: 'subpath|selinux|create_host_path|image',
  'networks\\.[^ ]+': 'gw_priority|interface_name|driver_opts|mac_address',
};

const REJECTION_CATEGORIES: readonly (readonly [CategoryId, RegExp])[] = [
  ['reset-override', /could not determine a constructor for the tag '!(reset|override)'/],
  ['include', /^'include'(, '\w+')* do(es)? not match any of the regexes: '\^x-'$/m],
  ['include', /services 'include' must be a mapping not an array/],
  ['newer-syntax', new RegExp(`^Unsupported config option for services\\.[^:]+: '(${NEWER_SERVICE_KEYS})'$`, 'm')],
  ...Object.entries(NEWER_SUB_KEYS).map(
    ([part, keys]) =>
      ['newer-syntax', new RegExp(`^services\\.[^ ]+\\.${part} contains unsupported option: '(${keys})'$`, 'm')] as const,
  ),
  ['newer-syntax', /^'models'(, '\w+')* do(es)? not match any of the regexes: '\^x-'$/m],
  ['newer-syntax', /value '(pids|start_interval|environment|content|enable_ipv4)' does not match any of the regexes: '\^x-'$/m],
  ['newer-syntax', /env_file contains \{"path": .*which is an invalid type, it should be a string$/m], // env_file long syntax
  ['newer-syntax', /extra_hosts\.\S+ contains \[.*\], which is an invalid type/], // several addresses for one host
  ['newer-syntax', /devices contains an invalid type, it should be a string$/m], // devices long syntax
  ['newer-syntax', /pull_policy value '\w+' is not one of/], // every_<duration>, daily, weekly
  ['newer-syntax', /is missing 'credential_spec\.file' or credential_spec\.registry'/], // credential_spec.config
  ['multiple-documents', /expected a single document in the stream/],
  ['boolean-environment', /environment\.\w+ contains (true|false), which is an invalid type/],
  ['external-with-attributes', /declared as external but specifies additional attributes/],
  ['duplicate-ports', /ports value .* has non-unique elements$/m],
  ['image-or-build', /has neither an image nor a build context specified/],
  ['link-target', /has a link to service '[^']+' which is undefined/],
  ['dependency-cycle', /^(Circular dependency between|A service can not depend on itself)/m],
];

// ---------------------------------------------------------------------------------------------
// One comparable shape for both sides
// ---------------------------------------------------------------------------------------------

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

function categoryOf(entry: OracleEntry): CategoryId | undefined {
  const reason = v1Reason(entry);
  return REJECTION_CATEGORIES.find(([, pattern]) => pattern.test(reason))?.[0];
}

function v1Config(entry: OracleEntry): unknown {
  return entry.accepted ? entry.config : entry.variantConfig;
}

/** What became of one file, and whether that is explained. */
type Verdict =
  | { kind: 'equal'; compared: string[] }
  | { kind: 'known-differences'; compared: string[] }
  | { kind: 'v1-accepts-we-reject' }
  | { kind: 'rejected-by-both' }
  | { kind: 'rejected-by-v1-only'; category: CategoryId }
  | { kind: 'unexplained'; problems: string[] };

/** Where v1 accepted the file (or its variant): our output against v1's, field by field. */
function judgeAccepted(o: Outcome, config: unknown): Verdict {
  const known = KNOWN_DIFFERENCES[o.file] ?? {};
  const allowedCodes = Object.keys(known)
    .filter((k) => k.startsWith('rejected:'))
    .map((k) => k.slice('rejected:'.length));
  const errors = errorsOf(o);
  if (!o.project || errors.length > 0) {
    if (errors.length > 0 && errors.every((d) => allowedCodes.includes(d.code))) return { kind: 'v1-accepts-we-reject' };
    return { kind: 'unexplained', problems: [`${o.file}: v1 accepts it, we reject it: ${describeErrors(o)}`] };
  }
  const problems = allowedCodes.map((code) => `${o.file}: KNOWN_DIFFERENCES says we reject it (${code}), but we accept it`);
  const v1 = normalizeV1(relocate(config, CORPUS_TOKEN, corpusDir));
  const ours = relocate(normalizeOurs(o.project), o.root, corpusDir) as Comparable;
  const found = differences(ours, v1);
  for (const [field, { ours: a, v1: b }] of found) {
    if (!known[field]) problems.push(`${o.file} ${field}\n    ours: ${JSON.stringify(a)}\n    v1:   ${JSON.stringify(b)}`);
  }
  for (const field of Object.keys(known)) {
    if (!field.startsWith('rejected:') && !found.has(field)) {
      problems.push(`${o.file} ${field}: listed in KNOWN_DIFFERENCES but equal now; remove the entry`);
    }
  }
  if (problems.length > 0) return { kind: 'unexplained', problems };
  return { kind: found.size > 0 ? 'known-differences' : 'equal', compared: comparedFields(ours, v1) };
}

/** Where v1 rejected the file (and its variant): we reject it with a located error, or v1 is behind. */
function judgeRejected(o: Outcome): Verdict {
  if (errorsOf(o).some((d) => d.file !== '' && d.line > 0)) return { kind: 'rejected-by-both' };
  const category = categoryOf(o.entry);
  if (category) return { kind: 'rejected-by-v1-only', category };
  const ours = errorsOf(o).length > 0 ? `we report only unlocated errors: ${describeErrors(o)}` : 'we load it';
  return { kind: 'unexplained', problems: [`${o.file}: ${ours}; v1: ${v1Reason(o.entry).split('\n')[0]}`] };
}

/** The fields that hold a value on either side, for the coverage line of the summary. */
function comparedFields(ours: Comparable, v1: Comparable): string[] {
  const fields: string[] = [];
  for (const [name, service] of Object.entries(v1.services)) {
    for (const field of SERVICE_FIELDS) if (service[field] !== undefined || ours.services[name]?.[field] !== undefined) fields.push(field);
  }
  for (const section of TOP_LEVEL_SECTIONS) for (const _ of Object.keys(v1[section])) fields.push(`top-level ${section}`);
  return fields;
}

describe('conformance with docker-compose v1 (the oracle)', () => {
  const verdicts = new Map<string, Verdict>();

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
      const o = load(file, entry, root);
      const config = v1Config(entry);
      verdicts.set(file, config === undefined ? judgeRejected(o) : judgeAccepted(o, config));
    }
  });

  after(() => {
    if (copyDir) rmSync(copyDir, { recursive: true, force: true });
  });

  const unexplained = (accepted: boolean): string[] =>
    [...verdicts].flatMap(([file, v]) =>
      v.kind === 'unexplained' && (v1Config(oracle[file]!) !== undefined) === accepted ? v.problems : [],
    );

  it('has an oracle verdict for every corpus file', () => {
    const missing = corpusFiles(corpusDir)
      .map((f) => relative(corpusDir, f).split(sep).join('/'))
      .filter((f) => !(f in oracle));
    assert.deepEqual(missing, [], 'corpus files the oracle has not seen: run node scripts/oracle.mjs');
    assert.ok(verdicts.size >= 600, `${verdicts.size} files`);
  });

  it('matches v1 on every file v1 accepts, except the known differences', () => {
    const problems = unexplained(true);
    assert.deepEqual(problems, [], `${problems.length} unexplained differences`);
  });

  it('rejects what v1 rejects with a located error, unless v1 is the one behind', () => {
    const problems = unexplained(false);
    assert.deepEqual(problems, [], `${problems.length} rejections without explanation`);
  });

  it('uses every category, and docs/compat.md lists every category and known difference', () => {
    const used = new Set([...verdicts.values()].flatMap((v) => (v.kind === 'rejected-by-v1-only' ? [v.category] : [])));
    assert.deepEqual(
      Object.keys(CATEGORY_REASONS).filter((id) => !used.has(id as CategoryId)),
      [],
      'categories no file needs any more',
    );
    const compat = readFileSync(join(corpusDir, '..', '..', '..', 'docs', 'compat.md'), 'utf8');
    const undocumented = [
      ...Object.keys(CATEGORY_REASONS).filter((id) => !compat.includes(`\`${id}\``)),
      ...Object.keys(KNOWN_DIFFERENCES).filter((file) => !compat.includes(file)),
    ];
    assert.deepEqual(undocumented, [], 'missing from docs/compat.md');
  });

  it('prints a summary', (t) => {
    const count = (kind: Verdict['kind']) => [...verdicts.values()].filter((v) => v.kind === kind).length;
    const v1Accepted = [...verdicts.keys()].filter((f) => v1Config(oracle[f]!) !== undefined);
    const byVariant = new Map<string, number>();
    for (const f of v1Accepted) {
      const variant = oracle[f]!.accepted ? 'as is' : `${oracle[f]!.variant ?? '?'}`;
      byVariant.set(variant, (byVariant.get(variant) ?? 0) + 1);
    }
    const coverage = new Map<string, number>();
    const byCategory = new Map<string, number>();
    for (const v of verdicts.values()) {
      if (v.kind === 'equal' || v.kind === 'known-differences') for (const f of v.compared) coverage.set(f, (coverage.get(f) ?? 0) + 1);
      if (v.kind === 'rejected-by-v1-only') byCategory.set(v.category, (byCategory.get(v.category) ?? 0) + 1);
    }
    const list = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
    t.diagnostic(`${verdicts.size} files; v1 accepts ${v1Accepted.length} (${list(byVariant)})`);
    t.diagnostic(
      `compared ${count('equal') + count('known-differences')}: equal ${count('equal')}, ` +
        `with known differences ${count('known-differences')}; v1 accepts but we reject (known) ${count('v1-accepts-we-reject')}`,
    );
    t.diagnostic(`values compared: ${list(coverage)}`);
    t.diagnostic(`rejected by both: ${count('rejected-by-both')}`);
    t.diagnostic(`rejected by v1 only: ${list(byCategory)}`);
    for (const [id, reason] of Object.entries(CATEGORY_REASONS)) t.diagnostic(`  ${id}: ${reason}`);
    t.diagnostic(`unexplained: ${count('unexplained')}`);
    assert.equal(count('unexplained'), 0);
  });
});

describe('normalizing both sides for the comparison', () => {
  it('reads the short ports v1 keeps as strings', () => {
    assert.deepEqual(v1Ports(['127.0.0.1::82/tcp', '::1:83:83/tcp', '127.0.0.1:8081:81/udp']), [
      { host_ip: '127.0.0.1', target: 82, protocol: 'tcp', mode: 'ingress' },
      { host_ip: '::1', published: '83', target: 83, protocol: 'tcp', mode: 'ingress' },
      { host_ip: '127.0.0.1', published: '8081', target: 81, protocol: 'udp', mode: 'ingress' },
    ]);
    assert.deepEqual(v1Ports(['0.0.0.0:5000-5001:6000-6001']), [
      { host_ip: '0.0.0.0', published: '5000', target: 6000, protocol: 'tcp', mode: 'ingress' },
      { host_ip: '0.0.0.0', published: '5001', target: 6001, protocol: 'tcp', mode: 'ingress' },
    ]);
    assert.deepEqual(v1Ports([{ published: 8080, target: 80 }]), [port({ mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' })]);
  });

  it('reads the short volumes v1 keeps as strings', () => {
    assert.deepEqual(v1Volumes(['/srv/data:/data:ro,z', 'db:/var/lib/db:rw', '/anon', 'C:\\data:/data:rw']), [
      { type: 'bind', source: '/srv/data', target: '/data', read_only: true, selinux: 'z' },
      { type: 'volume', source: 'db', target: '/var/lib/db' },
      { type: 'volume', target: '/anon' },
      { type: 'bind', source: 'C:\\data', target: '/data' },
    ]);
  });

  it('compares durations, sizes and command strings by meaning', () => {
    assert.equal(durationMs('90s'), durationMs('1m30s'));
    assert.equal(durationMs('1500ms'), durationMs('1.5s'));
    assert.notEqual(durationMs('90s'), durationMs('1m31s'));
    assert.equal(sizeBytes('1.5G'), 1.5 * 1024 ** 3);
    assert.equal(sizeBytes('50M'), sizeBytes('51200k'));
    assert.deepEqual(shellWords(`sh -c "echo 'a b' \\"q\\"" x\\ y ''`), ['sh', '-c', `echo 'a b' "q"`, 'x y', '']);
  });

  it('reports a value that differs, and ignores only what v1 leaves out', () => {
    const dir = writeTree({
      'compose.yaml': 'services:\n  web:\n    image: nginx\n    ports: ["8080:80"]\n    healthcheck:\n      interval: 1m30s\n',
    });
    try {
      const { project } = loadProject({ files: [join(dir, 'compose.yaml')], env: {} });
      assert.ok(project);
      const v1 = { services: { web: { image: 'nginx', ports: [{ published: 8080, target: 80 }], healthcheck: { interval: '90s' } } } };
      assert.deepEqual([...differences(normalizeOurs(project), normalizeV1(v1)).keys()], []);
      const other = { services: { web: { ...v1.services.web, ports: [{ published: 8081, target: 80 }] } } };
      assert.deepEqual([...differences(normalizeOurs(project), normalizeV1(other)).keys()], ['services.web.ports']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Loader fixes the comparison led to, pinned down on small inputs.
describe('what the comparison fixed in the loader', () => {
  const loadText = (text: string, env: Record<string, string> = {}) => {
    const dir = writeTree({ 'compose.yaml': text });
    try {
      const r = loadProject({ files: [join(dir, 'compose.yaml')], env });
      return { dir, project: r.project, errors: r.diagnostics.filter((d) => d.severity === 'error') };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('expands ~ with the HOME of the given environment', () => {
    const { project } = loadText('services:\n  a:\n    image: x\n    volumes: ["~/data:/data"]\n', { HOME: '/home/someone' });
    assert.equal(project?.services.a?.volumes?.[0]?.source, '/home/someone/data');
  });

  it('takes build args without a value from the environment, and drops them when unset', () => {
    const { project } = loadText('services:\n  a:\n    build:\n      context: .\n      args: [FOO, BAR, BAZ=1]\n', { FOO: 'x' });
    assert.deepEqual(project?.services.a?.build?.args, { FOO: 'x', BAZ: '1' });
  });

  it('reads the deprecated external.name as name, and refuses a conflicting name', () => {
    const ok = loadText('services: {}\nnetworks:\n  n:\n    external:\n      name: real\n');
    assert.deepEqual(ok.project?.networks.n, { external: true, name: 'real' });
    const conflict = loadText('services: {}\nnetworks:\n  n:\n    name: other\n    external:\n      name: real\n');
    assert.deepEqual(
      conflict.errors.map((d) => [d.line, d.message]),
      [[6, 'networks.n: name and external.name conflict; only use name']],
    );
  });

  it('resolves the device of a local bind volume against the project directory', () => {
    const text = 'services: {}\nvolumes:\n  v:\n    driver: local\n    driver_opts: {type: none, o: bind, device: ./data}\n';
    const { dir, project } = loadText(text);
    assert.equal((project?.volumes.v?.driver_opts as Record<string, string>).device, join(dir, 'data'));
  });

  it('refuses a mapping key that is not text, at its position', () => {
    const { errors } = loadText('services:\n  a:\n    image: x\n    environment:\n      1: FOO\n');
    assert.deepEqual(errors.map((d) => [d.code, d.line, d.column]), [['yaml-syntax', 5, 7]]);
  });

  it('refuses network_mode together with networks', () => {
    const { errors } = loadText('services:\n  a:\n    image: x\n    network_mode: host\n    networks: [n]\nnetworks:\n  n: {}\n');
    assert.deepEqual(errors.map((d) => [d.code, d.line]), [['invalid-value', 4]]);
  });
});
