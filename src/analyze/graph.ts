import { basename, join, posix } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { serviceGraph, type Project, type Service } from '../compose/index.js';
import { nameParts } from './mask.js';
import type { EdgeKind, Graph, GraphEdge } from './report-types.js';
import { imageName } from './rules/util.js';
import type { RuleContext } from './types.js';

/** A host (and port, when known) that a value or a config file points at. */
export interface Target {
  host: string;
  port: number | null;
}

/**
 * The communication graph of a project: who waits for whom (the compose service graph's
 * dependencies, also used by `up`), who calls whom according to its environment (`env-url`) and
 * according to the proxy or scrape configuration it mounts (`config-file`), plus the start order
 * by dependency levels exactly as `up` runs it.
 */
export function buildGraph(ctx: RuleContext): Graph {
  const project = ctx.project;
  const services = serviceGraph(project);
  const edges: GraphEdge[] = [];
  for (const service of Object.values(project.services)) {
    const resolve = hostResolver(project, service);
    const add = (kind: EdgeKind, targets: Iterable<Target>): void => {
      for (const t of targets) {
        const to = resolve(t.host);
        if (to !== undefined && to !== service.name) edges.push({ from: service.name, to, kind, port: t.port });
      }
    };
    for (const to of services.dependenciesOf(service.name)) {
      if (to !== service.name) edges.push({ from: service.name, to, kind: 'depends_on', port: null });
    }
    add('env-url', environmentTargets(service.environment ?? {}));
    add('config-file', mountedConfigTargets(ctx, service));
    add('config-file', traefikTargets(service, project));
  }
  return { startup_order: services.levels, edges: dedupe(edges) };
}

// ---------------------------------------------------------------------------------------------
// Names

/**
 * Maps a host name as one service would write it to the service it reaches: service names,
 * container names and network aliases on the project's networks, and this service's link aliases.
 */
export function hostResolver(project: Project, from?: Service): (host: string) => string | undefined {
  const names = new Map<string, string>();
  const claim = (alias: string, service: string): void => {
    const key = alias.toLowerCase();
    if (!names.has(key)) names.set(key, service);
  };
  const services = Object.values(project.services);
  for (const s of services) claim(s.name, s.name);
  for (const s of services) if (typeof s.container_name === 'string') claim(s.container_name, s.name);
  for (const s of services) {
    for (const net of Object.values(s.networks ?? {})) for (const alias of net?.aliases ?? []) claim(alias, s.name);
  }
  for (const link of stringList(from?.['links'])) {
    const [service, alias] = link.split(':');
    if (service && alias && Object.hasOwn(project.services, service)) names.set(alias.toLowerCase(), service);
  }
  return (host) => names.get(host.toLowerCase());
}

// ---------------------------------------------------------------------------------------------
// Environment

const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  http: 80, https: 443, ws: 80, wss: 443, postgres: 5432, postgresql: 5432, mysql: 3306, mariadb: 3306,
  redis: 6379, rediss: 6379, mongodb: 27017, amqp: 5672, amqps: 5671, nats: 4222, mqtt: 1883, mqtts: 8883,
  memcached: 11211, sqlserver: 1433, mssql: 1433, ldap: 389, ldaps: 636, ftp: 21, smtp: 25, kafka: 9092,
  clickhouse: 9000, cassandra: 9042, elasticsearch: 9200, zookeeper: 2181, influxdb: 8086, neo4j: 7687, bolt: 7687,
};

/** The default port of a URL scheme (`postgresql+asyncpg` → 5432); null when it has none we know. */
export function defaultPort(scheme: string): number | null {
  return DEFAULT_PORTS[scheme.toLowerCase().split('+')[0] ?? ''] ?? null;
}

const URL_AUTHORITY = /([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^\s/?#'"<>]*)/g;
const HOST_PORT = /^([A-Za-z0-9_][A-Za-z0-9_.-]*):(\d{1,5})(?:\/\S*)?$/;
const HOST_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** `host`, `host:port` or `[v6]:port`; a port that is not a number (say `${PORT}`) drops the target. */
export function parseHostPort(text: string, fallbackPort: number | null): Target | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return withPort(bracketed[1] ?? '', bracketed[2], fallbackPort);
  const colon = text.lastIndexOf(':');
  if (colon < 0) return HOST_NAME.test(text) ? { host: text, port: fallbackPort } : undefined;
  const host = text.slice(0, colon);
  return HOST_NAME.test(host) ? withPort(host, text.slice(colon + 1), fallbackPort) : undefined;
}

function withPort(host: string, port: string | undefined, fallback: number | null): Target | undefined {
  if (port === undefined || port === '') return { host, port: fallback };
  const n = /^\d{1,5}$/.test(port) ? Number(port) : NaN;
  return n >= 1 && n <= 65535 ? { host, port: n } : undefined;
}

/**
 * Every host in the URLs of a value, also several hosts in one authority
 * (`mongodb://a:27017,b:27017/db`) and URLs inside longer text (`jdbc:mysql://db/app`).
 */
export function urlTargets(value: string): Target[] {
  const targets: Target[] = [];
  for (const m of value.matchAll(URL_AUTHORITY)) {
    const scheme = m[1] ?? '';
    const authority = m[2] ?? '';
    const hosts = authority.slice(authority.lastIndexOf('@') + 1);
    for (const h of hosts.split(',')) {
      const t = h === '' ? undefined : parseHostPort(h, defaultPort(scheme));
      if (t) targets.push(t);
    }
  }
  return targets;
}

/** Last name parts of variables whose value is a host name (`DB_HOST=db`, `KAFKA_BROKERS=k1,k2`). */
const HOST_KEYS = new Set(['HOST', 'HOSTS', 'HOSTNAME', 'SERVER', 'SERVERS', 'ADDR', 'ADDRESS', 'ENDPOINT', 'BROKER', 'BROKERS']);

/**
 * Hosts named in a service's environment: URLs, plain `host:port` values, and bare host names in
 * host-like variables, with the port from the matching `*_PORT` variable (`DB_HOST` + `DB_PORT`).
 * Only names that resolve to a service become edges, which keeps ordinary values out.
 */
export function environmentTargets(env: Readonly<Record<string, string | null>>): Target[] {
  const targets: Target[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (value === null || value === '') continue;
    if (value.includes('://')) {
      targets.push(...urlTargets(value));
      continue;
    }
    const parts = nameParts(key);
    // A bare HOSTNAME names the container itself, not a peer.
    const hostKey = parts.join('_') !== 'HOSTNAME' && HOST_KEYS.has(parts.at(-1) ?? '');
    for (const token of value.split(/[\s,;]+/)) {
      const hostPort = HOST_PORT.exec(token);
      if (hostPort) {
        const t = parseHostPort(`${hostPort[1]}:${hostPort[2]}`, null);
        if (t) targets.push(t);
      } else if (hostKey && HOST_NAME.test(token)) {
        targets.push({ host: token, port: siblingPort(env, key) });
      }
    }
  }
  return targets;
}

/** `DB_HOST` → the number in `DB_PORT`, `dbHost` → `dbPort`, `FLASK_SERVER_ADDR` → `FLASK_SERVER_PORT`. */
function siblingPort(env: Readonly<Record<string, string | null>>, key: string): number | null {
  const m = /^(.*?)(host|hostname|server|addr|address)$/i.exec(key);
  if (!m) return null;
  const wanted = `${m[1] ?? ''}port`.toLowerCase();
  const entry = Object.entries(env).find(([k]) => k.toLowerCase() === wanted);
  const n = entry?.[1] && /^\d{1,5}$/.test(entry[1].trim()) ? Number(entry[1]) : NaN;
  return n >= 1 && n <= 65535 ? n : null;
}

// ---------------------------------------------------------------------------------------------
// Mounted config files

const MAX_CONFIG_BYTES = 1_000_000;
const MAX_CONFIG_FILES = 64;
const MAX_CONFIG_DEPTH = 2;
const NGINX_LIKE = /nginx|openresty|angie/i;
const PROMETHEUS_LIKE = /prometheus/i;
/** Where proxies and Prometheus keep configuration (not logs, caches or web roots). */
const CONFIG_DIR = /^\/etc\/|conf|templates|sites-|prometheus/i;
/** Names a configuration file has: `nginx.conf`, `default.conf.template`, `prometheus.yml`, `default`. */
const CONFIG_FILE = /(^[^.]+$)|\.(conf|template|inc|ya?ml|cfg)$/i;

/** A configuration file read for a service: where it is on the host and in the container. */
interface ConfigFile {
  path: string;
  container: string;
  text: string;
  /** Reached through an nginx `include`: nginx syntax whatever it contains. */
  included: boolean;
}

/** A bind mount: the host path `source` appears at `target` in the container. */
interface Bind {
  source: string;
  target: string;
}

/**
 * Hosts named by the nginx and Prometheus configuration a service bind-mounts. A mounted file is
 * read whatever its target when its name is a config file's (its content tells what it is); a
 * mounted directory only when the mount or the image is nginx's or Prometheus's and it holds
 * configuration, so an application's source tree, logs or a database dump are never read. The
 * files nginx `include`s are read too, found through the mounts, and the `upstream` blocks of all
 * of them are known in each: `proxy_pass http://app;` in `conf.d/` names the servers of the
 * `upstream app` of `nginx.conf`.
 */
export function mountedConfigTargets(ctx: RuleContext, service: Service): Target[] {
  const image = service.image ? imageName(service.image) : '';
  const files: ConfigFile[] = [];
  const seen = new Set<string>();
  let budget = MAX_CONFIG_FILES;
  const read = (path: string, container: string, included: boolean): void => {
    if (budget <= 0 || seen.has(path)) return;
    const text = ctx.readText(path);
    if (text === undefined) return;
    seen.add(path);
    budget--;
    if (text.length <= MAX_CONFIG_BYTES) files.push({ path, container, text, included });
  };
  const visit = (path: string, container: string, depth: number, searchDir: boolean): void => {
    if (budget <= 0) return;
    if (CONFIG_FILE.test(basename(path)) && ctx.readText(path) !== undefined) {
      read(path, container, false);
      return;
    }
    if (!searchDir || depth >= MAX_CONFIG_DEPTH) return;
    for (const entry of ctx.listDir(path).sort()) {
      if (!entry.startsWith('.') && entry !== 'node_modules') visit(join(path, entry), posix.join(container, entry), depth + 1, true);
    }
  };
  const binds: Bind[] = [];
  for (const mount of service.volumes ?? []) {
    if (mount.type !== 'bind' || mount.source === undefined) continue;
    binds.push({ source: mount.source, target: posix.normalize(mount.target) });
    const where = `${mount.source} ${mount.target} ${image}`;
    const configDir = CONFIG_DIR.test(mount.target) && (NGINX_LIKE.test(where) || PROMETHEUS_LIKE.test(where));
    visit(mount.source, posix.normalize(mount.target), 0, configDir);
  }
  // Files are appended while the loop runs, so includes of included files are followed too.
  for (let i = 0; i < files.length; i++) {
    const file = files[i] as ConfigFile;
    if (!file.included && configKind(file.text) !== 'nginx') continue;
    for (const pattern of nginxIncludes(file.text)) {
      for (const path of includedFiles(ctx, pattern, file.container, binds)) read(path.host, path.container, true);
    }
  }
  const env = service.environment ?? {};
  const nginx = files.filter((f) => f.included || configKind(f.text) === 'nginx').map((f) => expandTemplate(f.text, env));
  const upstreams = new Set(nginx.flatMap((text) => [...nginxDirectives(text).upstreams]));
  const targets = nginx.flatMap((text) => nginxTargets(text, upstreams));
  for (const f of files) if (configKind(f.text) === 'prometheus') targets.push(...prometheusTargets(f.text));
  return targets;
}

/** nginx's configuration prefix in the official images, against which relative includes resolve. */
const NGINX_PREFIX = '/etc/nginx';

/** The patterns of the `include` directives of an nginx configuration. */
function nginxIncludes(text: string): string[] {
  return nginxDirectives(text)
    .directives.filter((d) => d.words[0] === 'include' && d.words[1] !== undefined)
    .map((d) => d.words[1] as string);
}

/**
 * The host files an nginx `include` reads: the pattern resolved in the container (relative to the
 * nginx prefix and to the including file's folder), then mapped back through the bind mount that
 * covers it. A glob in the file name (`conf.d/*.conf`) matches the mounted folder's entries; files
 * of the image itself (`mime.types`) are not on the host and are left out.
 */
function includedFiles(ctx: RuleContext, pattern: string, from: string, binds: readonly Bind[]): { host: string; container: string }[] {
  const candidates = pattern.startsWith('/') ? [pattern] : [posix.join(NGINX_PREFIX, pattern), posix.join(posix.dirname(from), pattern)];
  const out: { host: string; container: string }[] = [];
  for (const container of new Set(candidates.map((c) => posix.normalize(c)))) {
    const dir = posix.dirname(container);
    const name = posix.basename(container);
    if (/[*?[]/.test(dir)) continue;
    if (!/[*?[]/.test(name)) {
      const host = hostPathOf(container, binds);
      if (host !== undefined) out.push({ host, container });
      continue;
    }
    const hostDir = hostPathOf(dir, binds);
    if (hostDir === undefined) continue;
    const matches = globMatcher(name);
    for (const entry of ctx.listDir(hostDir).sort()) {
      if (matches(entry)) out.push({ host: join(hostDir, entry), container: posix.join(dir, entry) });
    }
  }
  return out;
}

/** The host path behind a container path, through the innermost bind mount that covers it. */
function hostPathOf(container: string, binds: readonly Bind[]): string | undefined {
  let best: Bind | undefined;
  for (const b of binds) {
    const covers = container === b.target || container.startsWith(b.target === '/' ? '/' : `${b.target}/`);
    if (covers && (!best || b.target.length > best.target.length)) best = b;
  }
  if (!best) return undefined;
  const rest = posix.relative(best.target, container);
  return rest === '' ? best.source : join(best.source, ...rest.split('/'));
}

/** A shell glob of one path component (`*`, `?`, `[a-z]`) as a predicate. */
function globMatcher(glob: string): (name: string) => boolean {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  const re = new RegExp(`^${source}$`);
  // Like the shell (and nginx's glob), `*` does not match a leading dot.
  return (name) => re.test(name) && !(name.startsWith('.') && !glob.startsWith('.'));
}

function configKind(text: string): 'prometheus' | 'nginx' | undefined {
  if (/^\s*(scrape_configs|alerting|remote_write)\s*:/m.test(text)) return 'prometheus';
  if (/\b(proxy_pass|grpc_pass|uwsgi_pass|fastcgi_pass|scgi_pass|memcached_pass)\b|\bupstream\s+[^\s{]+\s*\{/.test(text)) return 'nginx';
  return undefined;
}

/** The nginx image substitutes the container's environment into its templates at start. */
function expandTemplate(text: string, env: Readonly<Record<string, string | null>>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name: string) => env[name] ?? m);
}

/** Detects a Prometheus or nginx configuration by its content and returns the hosts it names. */
export function configTextTargets(text: string, env: Readonly<Record<string, string | null>> = {}): Target[] {
  const kind = configKind(text);
  if (kind === 'prometheus') return prometheusTargets(text);
  if (kind === 'nginx') return nginxTargets(expandTemplate(text, env));
  return [];
}

interface Directive {
  words: string[];
  /** The enclosing blocks, outermost first (`http`, `upstream`, `server`, `location`…). */
  blocks: string[];
}

/** nginx's syntax: words, `;` ends a directive, `{ … }` a block, `#` a comment, quotes group. */
function nginxDirectives(text: string): { directives: Directive[]; upstreams: Set<string> } {
  const directives: Directive[] = [];
  const upstreams = new Set<string>();
  const blocks: string[] = [];
  let words: string[] = [];
  let word = '';
  const endWord = (): void => {
    if (word !== '') words.push(word);
    word = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '#' && word === '') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      word += text.slice(i + 1, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    } else if (/\s/.test(c)) {
      endWord();
    } else if (c === ';' || c === '{' || c === '}') {
      endWord();
      if (c === ';' && words.length > 0) directives.push({ words, blocks: [...blocks] });
      if (c === '{') {
        blocks.push(words[0] ?? '');
        if (words[0] === 'upstream' && words[1] !== undefined) upstreams.add(words[1].toLowerCase());
      }
      if (c === '}') blocks.pop();
      words = [];
    } else {
      word += c;
    }
  }
  return { directives, upstreams };
}

const PASS_DIRECTIVES = new Set(['proxy_pass', 'grpc_pass', 'uwsgi_pass', 'fastcgi_pass', 'scgi_pass', 'memcached_pass']);

/**
 * Hosts in an nginx configuration: `server` lines of `upstream` blocks (port 80 unless given),
 * the `*_pass` directives, and URLs kept in variables (`set $backend http://api:8000;`). A
 * `proxy_pass` to an upstream's name is covered by that upstream's servers, also when the
 * upstream is defined in another file of the same configuration (`known`).
 */
export function nginxTargets(text: string, known: ReadonlySet<string> = new Set()): Target[] {
  const parsed = nginxDirectives(text);
  const directives = parsed.directives;
  const upstreams = new Set([...parsed.upstreams, ...known]);
  const targets: Target[] = [];
  for (const { words, blocks } of directives) {
    const [name, arg] = words;
    if (arg === undefined || (arg.includes('$') && name !== 'set')) continue;
    if (blocks.at(-1) === 'upstream' && name === 'server') {
      const t = arg.startsWith('unix:') ? undefined : parseHostPort(arg, 80);
      if (t) targets.push(t);
    } else if (name !== undefined && PASS_DIRECTIVES.has(name)) {
      const t = arg.includes('://') ? urlTargets(arg)[0] : parseHostPort(arg, null);
      if (t && !upstreams.has(t.host.toLowerCase())) targets.push(t);
    } else if (name === 'set' && words[2] !== undefined) {
      const value = words[2];
      const t = value.includes('://') ? urlTargets(value)[0] : HOST_PORT.test(value) ? parseHostPort(value, null) : undefined;
      if (t) targets.push(t);
    }
  }
  return targets;
}

/**
 * Hosts in a Prometheus configuration: `static_configs` targets of every scrape job (port from the
 * job's scheme when absent), Alertmanager targets, and remote write/read URLs.
 */
export function prometheusTargets(text: string): Target[] {
  let config: unknown;
  try {
    config = parseYaml(text);
  } catch {
    return [];
  }
  if (!isRecord(config)) return [];
  const targets: Target[] = [];
  const staticTargets = (job: unknown): void => {
    if (!isRecord(job)) return;
    const port = job['scheme'] === 'https' ? 443 : 80;
    for (const group of asArray(job['static_configs'])) {
      if (!isRecord(group)) continue;
      for (const t of asArray(group['targets'])) {
        const target = typeof t === 'string' ? parseHostPort(t.trim(), port) : undefined;
        if (target) targets.push(target);
      }
    }
  };
  for (const job of asArray(config['scrape_configs'])) staticTargets(job);
  const alerting = config['alerting'];
  if (isRecord(alerting)) for (const am of asArray(alerting['alertmanagers'])) staticTargets(am);
  for (const key of ['remote_write', 'remote_read']) {
    for (const r of asArray(config[key])) if (isRecord(r) && typeof r['url'] === 'string') targets.push(...urlTargets(r['url']));
  }
  return targets;
}

// ---------------------------------------------------------------------------------------------
// Traefik

/**
 * Traefik's Docker provider routes to the services that carry `traefik.*` labels; the labels are
 * its configuration, so each becomes a `config-file` edge from the project's Traefik service, on the
 * load balancer port when the labels name one.
 */
export function traefikTargets(service: Service, project: Project): Target[] {
  if (!service.image || imageName(service.image) !== 'traefik') return [];
  const targets: Target[] = [];
  for (const other of Object.values(project.services)) {
    const labels = other.labels ?? {};
    const keys = Object.keys(labels).filter((k) => k.startsWith('traefik.'));
    if (other === service || keys.length === 0 || labels['traefik.enable'] === 'false') continue;
    const portKey = keys.find((k) => /^traefik\.(http|tcp|udp)\.services\.[^.]+\.loadbalancer\.server\.port$/.test(k));
    const port = portKey ? Number(labels[portKey]) : NaN;
    targets.push({ host: other.name, port: Number.isInteger(port) && port > 0 && port <= 65535 ? port : null });
  }
  return targets;
}

// ---------------------------------------------------------------------------------------------

const KIND_ORDER: Record<EdgeKind, number> = { depends_on: 0, 'env-url': 1, 'config-file': 2 };

/**
 * One edge per from/to/kind/port, sorted; an edge without a port is dropped when the same link is
 * also known with its port (`DB_HOST=db` next to `postgres://db:5432`).
 */
function dedupe(edges: GraphEdge[]): GraphEdge[] {
  const key = (e: GraphEdge): string => `${e.from}\n${e.to}\n${e.kind}`;
  const withPort = new Set(edges.filter((e) => e.port !== null).map(key));
  const seen = new Set<string>();
  const kept = edges.filter((e) => {
    if (e.port === null && withPort.has(key(e))) return false;
    const k = `${key(e)}\n${e.port}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return kept.sort(
    (a, b) =>
      compare(a.from, b.from) ||
      compare(a.to, b.to) ||
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      (a.port ?? -1) - (b.port ?? -1),
  );
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
