import { isAbsolute, relative, sep } from 'node:path';
import { type FileObjectConfig, type FileReference, type Service, type ServiceVolume } from '../compose/index.js';
import { DEFAULT_HOST_IP, exposureOf, isExternalPort, securityLevel } from './exposure.js';
import { maskEnvironment } from './mask.js';
import { writtenText } from './source-text.js';
import type {
  Inventory,
  InventoryFileObject,
  InventoryNetwork,
  InventoryPort,
  InventoryService,
  InventoryVolume,
  InventoryVolumeObject,
} from './report-types.js';
import type { Finding, RuleContext } from './types.js';

/** What the security level of each service is computed from; without it every level is `low`. */
export interface SecurityLevelInput {
  findings: readonly Finding[];
  isSecurityRule: (ruleId: string) => boolean;
}

/** Every interface of every service, network, volume, secret and config (docs/architecture.md). */
export function buildInventory(ctx: RuleContext, levels?: SecurityLevelInput): Inventory {
  const project = ctx.project;
  const services = Object.values(project.services);
  const using = (has: (s: Service) => boolean): string[] => services.filter(has).map((s) => s.name).sort();
  return {
    services: services.map((s) => serviceInventory(ctx, s, levels)),
    networks: Object.entries(project.networks).map(
      ([name, n]): InventoryNetwork => ({
        name,
        internal: n.internal === true,
        driver: n.driver ?? 'bridge',
        subnets: (n.ipam?.config ?? []).flatMap((c) => (typeof c.subnet === 'string' ? [c.subnet] : [])),
        external: n.external === true,
        services: using((s) => Object.hasOwn(s.networks ?? {}, name)),
      }),
    ),
    volumes: Object.entries(project.volumes).map(
      ([name, v]): InventoryVolumeObject => ({
        name,
        external: v.external === true,
        services: using((s) => (s.volumes ?? []).some((m) => m.type === 'volume' && m.source === name)),
      }),
    ),
    secrets: Object.entries(project.secrets).map(([name, o]) => fileObject(ctx, 'secrets', name, o, using((s) => refers(s.secrets, name)))),
    configs: Object.entries(project.configs).map(([name, o]) => fileObject(ctx, 'configs', name, o, using((s) => refers(s.configs, name)))),
  };
}

function serviceInventory(ctx: RuleContext, s: Service, levels: SecurityLevelInput | undefined): InventoryService {
  const exposure = exposureOf(s, ctx.project);
  const build = s.build;
  const limits = s.deploy?.resources?.limits;
  const restartPolicy = (s.deploy?.restart_policy as { condition?: unknown } | undefined)?.condition;
  const healthcheck = s.healthcheck;
  const disabled = healthcheck?.disable === true || healthcheck?.test?.[0] === 'NONE';
  return {
    name: s.name,
    image: s.image ?? null,
    build: build
      ? {
          // A file that fails the schema is still analyzed: `build: ~` has no context (compose's default is `.`).
          context: typeof build.context === 'string' ? writtenPath(ctx, ['services', s.name, 'build', 'context'], build.context) : '.',
          dockerfile: build.dockerfile ?? (build.dockerfile_inline !== undefined ? '(inline)' : 'Dockerfile'),
          target: build.target ?? null,
        }
      : null,
    ports: (s.ports ?? []).map(
      (p): InventoryPort => ({
        host_ip: p.host_ip ?? DEFAULT_HOST_IP,
        published: p.published ?? null,
        target: p.target,
        protocol: p.protocol,
        external: isExternalPort(p),
      }),
    ),
    // An entry the loader could not parse (reported as a finding) has no type or target to show.
    volumes: (s.volumes ?? []).flatMap((v, index) =>
      typeof v === 'object' && v !== null && typeof v.target === 'string'
        ? [volumeInventory(ctx, v, ['services', s.name, 'volumes', index, 'source'])]
        : [],
    ),
    networks: Object.keys(s.networks ?? {}).sort(),
    network_mode: s.network_mode ?? null,
    environment: maskEnvironment(s.environment ?? {}),
    healthcheck:
      healthcheck && !disabled
        ? {
            test: healthcheck.test ?? [],
            interval: healthcheck.interval ?? null,
            ...definedOnly({
              timeout: healthcheck.timeout,
              retries: healthcheck.retries,
              start_period: healthcheck.start_period,
              start_interval: healthcheck.start_interval,
            }),
          }
        : null,
    depends_on: Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([dep, d]) => [dep, d.condition])),
    user: s.user ?? null,
    privileged: s.privileged === true,
    read_only: s.read_only === true,
    cap_add: s.cap_add ?? [],
    cap_drop: s.cap_drop ?? [],
    security_opt: s.security_opt ?? [],
    resources: {
      cpus: cpusText(limits?.cpus ?? s['cpus']),
      memory: limitText(limits?.memory ?? s['mem_limit']),
      pids: pidsLimit(s['pids_limit'] ?? limits?.pids),
    },
    restart: s.restart ?? (typeof restartPolicy === 'string' ? restartPolicy : null),
    exposure,
    security_level: levels ? securityLevel(s.name, levels.findings, exposure, levels.isSecurityRule) : 'low',
  };
}

function volumeInventory(ctx: RuleContext, v: ServiceVolume, sourcePath: ModelPath): InventoryVolume {
  const bind = v.type === 'bind' && v.source !== undefined;
  return {
    type: v.type,
    source: v.source === undefined ? null : bind ? writtenPath(ctx, sourcePath, v.source) : v.source,
    target: v.target,
    read_only: v.read_only === true,
    exists: bind ? ctx.exists(v.source as string) : null,
  };
}

function fileObject(ctx: RuleContext, kind: 'secrets' | 'configs', name: string, o: FileObjectConfig, services: string[]): InventoryFileObject {
  return { name, external: o.external === true, file: typeof o.file === 'string' ? writtenPath(ctx, [kind, name, 'file'], o.file) : null, services };
}

const refers = (refs: FileReference[] | undefined, name: string): boolean => (refs ?? []).some((r) => r.source === name);

/**
 * A host path as a reader of the compose file writes it: `./nginx.conf` inside the project, `.` for
 * the project itself, absolute (or a URL such as a git build context) otherwise.
 */
export function displayPath(dir: string, path: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(dir, path);
  if (rel === '') return '.';
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return path;
  return `./${rel.split(sep).join('/')}`;
}

type ModelPath = readonly (string | number)[];

/**
 * A host path the loader made absolute, shown as the compose file has it: a path written relative
 * stays relative to the project even when it leads out of it (`../config/redis.conf`), one written
 * from the home directory keeps its `~`, so the report never shows where this machine keeps the
 * project. Paths written absolute, or through a variable, are shown absolute.
 */
function writtenPath(ctx: RuleContext, modelPath: ModelPath, path: string): string {
  const shown = displayPath(ctx.dir, path);
  if (!isAbsolute(shown)) return shown;
  const written = writtenText(ctx, modelPath);
  if (written === undefined || written === '' || written.includes('$') || /^(\/|\\|[A-Za-z]:[\\/])/.test(written)) return shown;
  if (written === '~' || written.startsWith('~/')) return (written.split(':')[0] ?? written).replace(/\/+$/, '') || '~';
  return relative(ctx.dir, path).split(sep).join('/');
}

/** `cpus: 2.0` arrives as the number 2; written back as "2.0" as people write it. 0 is "no limit". */
function cpusText(value: unknown): string | null {
  if (typeof value === 'number') return value <= 0 ? null : Number.isInteger(value) ? value.toFixed(1) : String(value);
  return limitText(value);
}

/** A limit as written; Docker reads 0 as "no limit". */
function limitText(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value).trim();
  return text === '' || /^0+(\.0*)?[a-z]*$/i.test(text) ? null : text;
}

/** Docker reads 0 and -1 as "no limit". */
function pidsLimit(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : null;
}

function definedOnly(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}
