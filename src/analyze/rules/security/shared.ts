import { dirname, posix } from 'node:path';
import { parseImage } from '../util.js';
import type { PortConfig, Project, Service } from '../../../compose/index.js';
import { onInternalNetworksOnly } from '../../exposure.js';
import type { RuleContext } from '../../types.js';

/**
 * A list field of the model as a list. A file that fails schema validation is still analyzed, so
 * `cap_add: SYS_ADMIN` (a string) can reach the rules; that mistake is the schema rule's finding.
 */
export function listOf<T>(value: readonly T[] | undefined): readonly T[] {
  return Array.isArray(value) ? value : [];
}

function isObject<T>(value: T): value is T & object {
  return typeof value === 'object' && value !== null;
}

/** `cap_add`/`cap_drop` entries as the engine reads them: any case, with or without `CAP_`. */
export function capabilityName(raw: string): string {
  const upper = String(raw).trim().toUpperCase();
  return upper.startsWith('CAP_') ? upper.slice(4) : upper;
}

export interface SecurityOption {
  index: number;
  /** `seccomp`, `apparmor`, `label`, `no-new-privileges`, `systempaths`… (lower case). */
  key: string;
  /** What follows the first separator; '' for a bare flag such as `no-new-privileges`. */
  value: string;
  raw: string;
}

/**
 * Splits `security_opt` entries as the engine does: on the first `=` when there is one, else on
 * the first `:` (the older spelling), so `label:type:spc_t` keeps `type:spc_t` as its value.
 */
export function securityOptions(service: Service): SecurityOption[] {
  return listOf(service.security_opt).map((raw, index) => {
    const text = String(raw).trim();
    const sep = text.includes('=') ? '=' : ':';
    const at = text.indexOf(sep);
    const key = (at < 0 ? text : text.slice(0, at)).trim().toLowerCase();
    const value = at < 0 ? '' : text.slice(at + 1).trim();
    return { index, key, value, raw: text };
  });
}

/** Go's `strconv.ParseBool`, which the engine uses for `no-new-privileges:<bool>`. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/**
 * Whether `ports:` takes effect: with the host's network stack the ports are ignored (the
 * validation rule `ignored-ports` says so), `none`, `service:` and `container:` modes refuse them,
 * and a container only on internal networks has no way out to publish them through.
 */
export function publishesPorts(service: Service, project: Project): boolean {
  if (onInternalNetworksOnly(service, project)) return false;
  const mode: unknown = service.network_mode;
  if (typeof mode !== 'string') return true;
  return !(mode === 'host' || mode === 'none' || mode.startsWith('service:') || mode.startsWith('container:'));
}

export interface PublishedPort {
  index: number;
  port: PortConfig;
}

/** The service's `ports:` entries that really publish something on the host. */
export function publishedPorts(service: Service, project: Project): PublishedPort[] {
  if (!publishesPorts(service, project)) return [];
  return listOf(service.ports).flatMap((port, index) =>
    isObject(port) && typeof port.target === 'number' ? [{ index, port }] : [],
  );
}

/** No host IP, `0.0.0.0` or `::`: the engine listens on every interface of the host. */
export function bindsAllInterfaces(port: PortConfig): boolean {
  const ip = port.host_ip?.trim() ?? '';
  return ip === '' || ip === '0.0.0.0' || /^\[?::\]?$/.test(ip) || ip === '::0';
}

export function isLoopback(ip: string | undefined): boolean {
  if (ip === undefined) return false;
  const bare = ip.trim().replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare)) return true;
  if (/^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare)) return true;
  return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
}

/** The host side of a mapping as a user would write it: `0.0.0.0:8080`, `[::1]:80`, `0.0.0.0:<random>`. */
export function hostSide(port: PortConfig): string {
  const ip = port.host_ip?.trim() || '0.0.0.0';
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return `${host}:${port.published ?? '<random port>'}`;
}

/** The lowest host port of a `published` value (`"8080"`, `"8000-8010"`); undefined when the engine picks. */
export function lowestPublishedPort(port: PortConfig): number | undefined {
  if (port.published === undefined) return undefined;
  const first = /^\+?(\d+)/.exec(port.published.trim());
  return first?.[1] === undefined ? undefined : Number(first[1]);
}

export interface HostBinding {
  /** Index in `services.<name>.volumes`. */
  index: number;
  /** Normalized absolute host path. */
  source: string;
  readOnly: boolean;
  /** Set when the host path comes from a named volume declared as a bind (`driver_opts.o: bind`). */
  volume?: string;
}

/**
 * Every host path the service mounts: `type: bind` entries, and named volumes whose top-level
 * definition is itself a bind (`driver: local` with `o: bind` and `device: /path`), a common way
 * to hide a host path behind a volume name.
 */
export function hostBindings(ctx: RuleContext, service: Service): HostBinding[] {
  const out: HostBinding[] = [];
  listOf(service.volumes).forEach((v, index) => {
    if (!isObject(v)) return;
    const readOnly = v.read_only === true;
    if (v.type === 'bind' && typeof v.source === 'string' && v.source.startsWith('/')) {
      out.push({ index, source: normalizeHostPath(v.source), readOnly });
    } else if (v.type === 'volume' && typeof v.source === 'string') {
      const device = bindDeviceOf(ctx, v.source);
      if (device) out.push({ index, source: normalizeHostPath(device), readOnly, volume: v.source });
    }
  });
  return out;
}

function bindDeviceOf(ctx: RuleContext, volume: string): string | undefined {
  const config = ctx.project.volumes[volume];
  const opts = config?.['driver_opts'];
  if (!opts || typeof opts !== 'object') return undefined;
  const { o, device } = opts as Record<string, unknown>;
  const isBind = typeof o === 'string' && o.split(',').some((flag) => ['bind', 'rbind'].includes(flag.trim()));
  return isBind && typeof device === 'string' && device.startsWith('/') ? device : undefined;
}

export function normalizeHostPath(path: string): string {
  const normalized = posix.normalize(path);
  return normalized.length > 1 ? normalized.replace(/\/+$/, '') : normalized;
}

/** `path` equals `root` or lies below it. */
export function isWithin(path: string, root: string): boolean {
  return path === root || path.startsWith(root === '/' ? '/' : `${root}/`);
}

/**
 * The Unix sockets that control a container engine; whoever can write to one controls the host.
 * Rootless Docker lives under `/run/user/<uid>/docker.sock`, so the name decides, not the folder.
 */
const ENGINE_SOCKETS = new Set(['docker.sock', 'podman.sock', 'containerd.sock', 'crio.sock', 'cri-dockerd.sock']);

export function isEngineSocket(path: string): boolean {
  return ENGINE_SOCKETS.has(posix.basename(path));
}

/**
 * Whether a bind source is part of the project itself (`./data`, `./nginx.conf`, resolved to an
 * absolute path by the loader): such paths say nothing about the host and must not look like a
 * mount of `/home` or `/tmp` just because the project happens to live there.
 */
export function isProjectPath(ctx: RuleContext, source: string, writtenIn: string | undefined): boolean {
  const roots = [ctx.dir, ctx.project.working_dir, ...(writtenIn ? [dirname(writtenIn)] : [])];
  return roots.some((root) => root !== '/' && isWithin(source, normalizeHostPath(root)));
}

/** The repository path in lower case, without a `docker.io/library/` style prefix. */
export function repositoryOf(image: string): string {
  return parseImage(image.trim()).repository.toLowerCase().replace(/^(docker\.io\/|index\.docker\.io\/)?(library\/)?/, '');
}

/** A `user:` value or a Dockerfile `USER` that is root: `root`, `0`, `root:…`, `0:0`. */
export function isRootUser(user: string): boolean {
  const name = user.trim().split(':')[0]?.trim() ?? '';
  return name === 'root' || /^0+$/.test(name);
}

interface Instruction {
  keyword: string;
  args: string;
  /** 1-based line of the instruction's first line. */
  line: number;
}

/**
 * A Dockerfile as a list of instructions: the `escape` directive, line continuations, comments
 * and heredoc bodies handled as BuildKit does, so a `USER` inside a heredoc or a comment is not
 * taken for an instruction.
 */
export function dockerfileInstructions(text: string): Instruction[] {
  const lines = text.split(/\r?\n/);
  let escape = '\\';
  let i = 0;
  for (; i < lines.length; i++) {
    const directive = /^#\s*([a-z]+)\s*=\s*(\S+)\s*$/i.exec(lines[i] ?? '');
    if (!directive) break;
    if (directive[1]?.toLowerCase() === 'escape' && (directive[2] === '`' || directive[2] === '\\')) escape = directive[2];
  }
  const out: Instruction[] = [];
  while (i < lines.length) {
    const first = lines[i] ?? '';
    const start = i++;
    if (first.trim() === '' || first.trimStart().startsWith('#')) continue;
    let text = first;
    while (text.trimEnd().endsWith(escape) && i < lines.length) {
      text = text.trimEnd().slice(0, -1);
      const next = lines[i++] ?? '';
      if (!next.trimStart().startsWith('#')) text += ' ' + next;
      else text += ' ';
    }
    const m = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(text);
    if (!m) continue;
    const keyword = (m[1] ?? '').toUpperCase();
    const args = (m[2] ?? '').trim();
    out.push({ keyword, args, line: start + 1 });
    const heredoc = /(?<!<)<<(?!<)(-?)\s*["']?([A-Za-z_][A-Za-z0-9_]*)["']?/.exec(args);
    if (heredoc && ['RUN', 'COPY', 'ADD'].includes(keyword)) {
      const end = heredoc[2];
      while (i < lines.length && (heredoc[1] ? (lines[i] ?? '').trim() : lines[i]) !== end) i++;
      i++;
    }
  }
  return out;
}

/** Expands `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR:+a}`; undefined when a variable has no value. */
function expandVariables(text: string, vars: ReadonlyMap<string, string | undefined>): string | undefined {
  let unresolved = false;
  const out = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
    const value = vars.get(braced ?? bare ?? '');
    if (op === '-') return value ? value : (word ?? '');
    if (op === '+') return value ? (word ?? '') : '';
    if (value === undefined) unresolved = true;
    return value ?? '';
  });
  return unresolved ? undefined : out;
}

interface Stage {
  name?: string;
  from: string;
  user?: { value: string; line: number };
  vars: Map<string, string | undefined>;
}

/** Who a Dockerfile's image runs as: a `USER` of the target stage's chain, or the external base image it inherits from. */
export type DockerfileUser = { user: string; line: number } | { base: string };

/**
 * The user an image built from this Dockerfile runs as: the last `USER` of the target stage (the
 * last stage without `target`), following `FROM <earlier stage>` up the chain; without any, the
 * external base image's own default. A `USER` whose variables have no value is returned as
 * written (it is then not provably root). Undefined when the file has no `FROM`.
 */
export function dockerfileUser(
  text: string,
  target: string | undefined,
  buildArgs: Readonly<Record<string, string | null>> = {},
): DockerfileUser | undefined {
  const globals = new Map<string, string | undefined>();
  const stages: Stage[] = [];
  const argValue = (name: string, fallback: string | undefined) => buildArgs[name] ?? fallback;
  for (const ins of dockerfileInstructions(text)) {
    const stage = stages.at(-1);
    if (ins.keyword === 'FROM') {
      const words = ins.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const from = expandVariables(words[0] ?? '', globals) ?? words[0] ?? '';
      const name = words[1]?.toLowerCase() === 'as' ? words[2]?.toLowerCase() : undefined;
      const parent = stages.find((s) => s.name !== undefined && s.name === from.toLowerCase());
      stages.push({ name, from, vars: new Map(parent?.vars ?? []) });
    } else if (ins.keyword === 'ARG') {
      for (const decl of ins.args.split(/\s+/).filter(Boolean)) {
        const eq = decl.indexOf('=');
        const key = eq < 0 ? decl : decl.slice(0, eq);
        const fallback = eq < 0 ? undefined : decl.slice(eq + 1).replace(/^["']|["']$/g, '');
        if (stage) stage.vars.set(key, argValue(key, fallback ?? globals.get(key)));
        else globals.set(key, argValue(key, fallback));
      }
    } else if (ins.keyword === 'ENV' && stage) {
      const pairs = ins.args.includes('=') ? [...ins.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S*)/g)] : [];
      if (pairs.length > 0) for (const p of pairs) stage.vars.set(p[1] ?? '', (p[2] ?? '').replace(/^["']|["']$/g, ''));
      else {
        const [key, ...rest] = ins.args.split(/\s+/);
        if (key) stage.vars.set(key, rest.join(' '));
      }
    } else if (ins.keyword === 'USER' && stage) {
      const written = ins.args.split(/\s+/)[0] ?? '';
      stage.user = { value: expandVariables(written, stage.vars) ?? written, line: ins.line };
    }
  }
  const wanted = target?.toLowerCase();
  let index = wanted === undefined ? stages.length - 1 : stages.findIndex((s) => s.name === wanted);
  for (let guard = 0; index >= 0 && guard <= stages.length; guard++) {
    const stage = stages[index];
    if (!stage) return undefined;
    if (stage.user) return { user: stage.user.value, line: stage.user.line };
    const from = stage.from.toLowerCase();
    const parent = /^\d+$/.test(from) ? Number(from) : stages.findIndex((s, i) => i < index && s.name === from);
    if (parent < 0 || parent >= index) return { base: stage.from };
    index = parent;
  }
  return undefined;
}

/**
 * Images whose own configuration sets a non-root `USER`, so that a service without `user:` does
 * not run as root. Only images known for certain: a wrong entry would hide a root container.
 */
const NON_ROOT_REPOSITORIES = new Set([
  'grafana/grafana',
  'grafana/grafana-oss',
  'grafana/grafana-enterprise',
  'grafana/loki',
  'grafana/tempo',
  'prom/prometheus',
  'prom/alertmanager',
  'prom/node-exporter',
  'prom/pushgateway',
  'prom/blackbox-exporter',
  'quay.io/prometheus/prometheus',
  'quay.io/prometheus/alertmanager',
  'quay.io/prometheus/node-exporter',
  'elasticsearch',
  'kibana',
  'logstash',
  'opensearchproject/opensearch',
  'opensearchproject/opensearch-dashboards',
  'jenkins/jenkins',
  'sonatype/nexus3',
  'sonarqube',
  'quay.io/keycloak/keycloak',
  'keycloak/keycloak',
  'haproxy',
  'memcached',
  'adminer',
  'dpage/pgadmin4',
  'apache/kafka',
  // Redpanda's images run as the redpanda user (UID 101) since v22.
  'docker.redpanda.com/vectorized/redpanda',
  'docker.redpanda.com/redpandadata/redpanda',
  'vectorized/redpanda',
  'redpandadata/redpanda',
  'mailhog/mailhog',
  'cloudflare/cloudflared',
  'nginxinc/nginx-unprivileged',
  'otel/opentelemetry-collector',
  'otel/opentelemetry-collector-contrib',
]);

const NON_ROOT_PREFIXES = ['docker.elastic.co/', 'bitnami/', 'cgr.dev/chainguard/', 'confluentinc/cp-', 'jupyter/', 'quay.io/jupyter/'];
const ROOT_EXCEPTIONS = new Set(['bitnami/minideb', 'cgr.dev/chainguard/wolfi-base']);

export function runsAsNonRootByDefault(image: string): boolean {
  const repo = repositoryOf(image);
  const tag = (parseImage(image.trim()).tag ?? '').toLowerCase();
  if (ROOT_EXCEPTIONS.has(repo)) return false;
  // Distroless and Chainguard-style `nonroot` tags, and the `rootless` variants (gitea, docker:dind-rootless).
  if (/(^|[-_.])(nonroot|rootless)($|[-_.])/.test(tag)) return true;
  if (repo.startsWith('gcr.io/distroless/')) return false;
  // SQL Server runs as the mssql user since 2019; the 2017 images still run as root.
  if (repo === 'mcr.microsoft.com/mssql/server') return !tag.startsWith('2017');
  if (repo === 'mcr.microsoft.com/azure-sql-edge') return true;
  return NON_ROOT_REPOSITORIES.has(repo) || NON_ROOT_PREFIXES.some((p) => repo.startsWith(p));
}
