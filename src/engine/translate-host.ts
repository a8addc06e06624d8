import type { Project, Service } from '../compose/index.js';
import type { HostConfig } from '../docker/index.js';
import { containerName, replicaCount } from './labels.js';
import { TranslationError } from './translation-error.js';
import { durationToNanoseconds, sizeToBytes } from './units.js';

/*
 * The service keys that tune the container's kernel side — namespaces, cgroup limits, devices,
 * DNS, sysctls — in the words of HostConfig, as docker compose v2 sends them (docs/engine.md).
 */

type At = (...keys: (string | number)[]) => (string | number)[];

/** Looks up the ID of the first container of a service (for `service:x` namespaces). */
export type ContainerOf = (service: string) => string | undefined;

/** PID, IPC, UTS, user and cgroup namespaces, links, volumes_from, devices, DNS, sysctls. */
export function kernelConfig(project: Project, service: Service, containerOf: ContainerOf, at: At): HostConfig & { CgroupnsMode?: string } {
  const s = service as Record<string, unknown>;
  return {
    PidMode: namespace(s['pid'], containerOf, at('pid')),
    IpcMode: namespace(s['ipc'], containerOf, at('ipc')),
    UTSMode: text(s['uts']),
    UsernsMode: text(s['userns_mode']),
    CgroupnsMode: text(s['cgroup']),
    CgroupParent: text(s['cgroup_parent']),
    Runtime: text(s['runtime']),
    Isolation: text(s['isolation']),
    Links: links(project, service),
    VolumesFrom: volumesFrom(project, service, at),
    Devices: (s['devices'] as { source: string; target: string; permissions: string }[] | undefined)?.map((d, i) => {
      if (!d.source.startsWith('/')) {
        throw new TranslationError(at('devices', i), `device "${d.source}" is not a path; CDI device names need Engine API 1.45, which shipshape up does not speak`);
      }
      return { PathOnHost: d.source, PathInContainer: d.target, CgroupPermissions: d.permissions };
    }),
    DeviceCgroupRules: list(s['device_cgroup_rules']),
    DeviceRequests: deviceRequests(service, at),
    Dns: list(s['dns']),
    DnsOptions: list(s['dns_opt']),
    DnsSearch: list(s['dns_search']),
    GroupAdd: list(s['group_add']),
    Sysctls: stringMap(s['sysctls']),
    StorageOpt: stringMap(s['storage_opt']),
    ShmSize: bytes(s['shm_size'], at('shm_size')),
  };
}

/** cpu_*, cpuset, mem_swappiness, memswap_limit, OOM settings and blkio_config. */
export function resourceConfig(service: Service, at: At): HostConfig {
  const s = service as Record<string, unknown>;
  const blkio = s['blkio_config'] as BlkioConfig | undefined;
  const swap = s['memswap_limit'];
  return {
    CpuShares: integer(s['cpu_shares'], at('cpu_shares')),
    CpuQuota: integer(s['cpu_quota'], at('cpu_quota')),
    CpuPeriod: microseconds(s['cpu_period'], at('cpu_period')),
    CpuRealtimePeriod: microseconds(s['cpu_rt_period'], at('cpu_rt_period')),
    CpuRealtimeRuntime: microseconds(s['cpu_rt_runtime'], at('cpu_rt_runtime')),
    CpusetCpus: text(s['cpuset']),
    CpuCount: integer(s['cpu_count'], at('cpu_count')),
    CpuPercent: integer(s['cpu_percent'], at('cpu_percent')),
    MemorySwappiness: integer(s['mem_swappiness'], at('mem_swappiness')),
    // -1 (unlimited swap) is not a size.
    MemorySwap: swap === -1 || swap === '-1' ? -1 : bytes(swap, at('memswap_limit')),
    OomKillDisable: typeof s['oom_kill_disable'] === 'boolean' ? s['oom_kill_disable'] : undefined,
    OomScoreAdj: integer(s['oom_score_adj'], at('oom_score_adj')),
    BlkioWeight: blkio ? integer(blkio.weight, at('blkio_config', 'weight')) : undefined,
    BlkioWeightDevice: blkio?.weight_device?.map((d, i) => ({ Path: d.path, Weight: integer(d.weight, at('blkio_config', 'weight_device', i, 'weight'))! })),
    BlkioDeviceReadBps: throttle(blkio?.device_read_bps, true, at('blkio_config', 'device_read_bps')),
    BlkioDeviceWriteBps: throttle(blkio?.device_write_bps, true, at('blkio_config', 'device_write_bps')),
    BlkioDeviceReadIOps: throttle(blkio?.device_read_iops, false, at('blkio_config', 'device_read_iops')),
    BlkioDeviceWriteIOps: throttle(blkio?.device_write_iops, false, at('blkio_config', 'device_write_iops')),
  };
}

interface BlkioConfig {
  weight?: number | string;
  weight_device?: { path: string; weight: number | string }[];
  device_read_bps?: { path: string; rate: number | string }[];
  device_write_bps?: { path: string; rate: number | string }[];
  device_read_iops?: { path: string; rate: number | string }[];
  device_write_iops?: { path: string; rate: number | string }[];
}

function throttle(entries: { path: string; rate: number | string }[] | undefined, isBytes: boolean, at: (string | number)[]) {
  return entries?.map((d, i) => ({ Path: d.path, Rate: (isBytes ? bytes(d.rate, [...at, i, 'rate']) : integer(d.rate, [...at, i, 'rate']))! }));
}

/** `service:x` joins the namespace of x's first container, as compose does; anything else goes as written. */
function namespace(value: unknown, containerOf: ContainerOf, at: (string | number)[]): string | undefined {
  const mode = text(value);
  if (!mode?.startsWith('service:')) return mode;
  const id = containerOf(mode.slice('service:'.length));
  if (!id) throw new TranslationError(at, `no container of ${mode.slice('service:'.length)} to share a namespace with`);
  return `container:${id}`;
}

/**
 * compose v2's links: every container of a linked service under the link's alias, its
 * `<service>-<n>` and its full name; external links as written.
 */
function links(project: Project, service: Service): string[] | undefined {
  const out: string[] = [];
  for (const link of list((service as Record<string, unknown>)['links']) ?? []) {
    const [target = '', alias = target] = link.split(':');
    const linked = project.services[target];
    if (!linked) continue;
    for (let n = 1; n <= replicaCount(linked); n++) {
      const name = containerName(project, linked, n);
      out.push(`${name}:${alias}`, `${name}:${target}-${n}`, `${name}:${project.name}-${target}-${n}`);
    }
  }
  for (const link of list((service as Record<string, unknown>)['external_links']) ?? []) {
    const [target = '', alias = target] = link.split(':');
    out.push(`${target}:${alias}`);
  }
  return out.length > 0 ? [...new Set(out)] : undefined;
}

/** The services a service's links name (they start first). */
export function linkedServices(service: Service): string[] {
  return (list((service as Record<string, unknown>)['links']) ?? []).map((l) => l.split(':')[0] ?? '');
}

/** `service[:ro|rw]` → every container of that service; `container:name[:mode]` → as written. */
function volumesFrom(project: Project, service: Service, at: At): string[] | undefined {
  const entries = list((service as Record<string, unknown>)['volumes_from']);
  if (!entries?.length) return undefined;
  return entries.flatMap((entry, i) => {
    const parts = entry.split(':');
    if (parts[0] === 'container') return [parts.slice(1).join(':')];
    const [source = '', mode] = parts;
    const from = project.services[source];
    if (!from) throw new TranslationError(at('volumes_from', i), `volumes_from names "${source}", which is no service of this project`);
    return [containerName(project, from, 1) + (mode ? `:${mode}` : '')];
  });
}

/** The services whose volumes a service mounts. */
export function volumesFromServices(service: Service): string[] {
  return (list((service as Record<string, unknown>)['volumes_from']) ?? [])
    .map((e) => e.split(':'))
    .filter((p) => p[0] !== 'container')
    .map((p) => p[0] ?? '');
}

interface DeviceRequestModel {
  driver?: string;
  count?: number | string;
  device_ids?: string[];
  capabilities?: string[];
  options?: Record<string, string>;
}

/** `gpus` and `deploy.resources.reservations.devices`, as compose turns them into DeviceRequests. */
function deviceRequests(service: Service, at: At): HostConfig['DeviceRequests'] {
  const gpus = (service as Record<string, unknown>)['gpus'] as 'all' | DeviceRequestModel[] | undefined;
  const reserved = (service.deploy?.resources?.reservations as { devices?: DeviceRequestModel[] } | undefined)?.devices;
  const requests: NonNullable<HostConfig['DeviceRequests']> = [];
  if (gpus === 'all') requests.push({ Driver: '', Count: -1, Capabilities: [['gpu']] });
  else if (Array.isArray(gpus)) requests.push(...gpus.map((g, i) => deviceRequest(g, ['gpu'], at('gpus', i))));
  if (reserved) requests.push(...reserved.map((d, i) => deviceRequest(d, [], at('deploy', 'resources', 'reservations', 'devices', i))));
  return requests.length > 0 ? requests : undefined;
}

function deviceRequest(model: DeviceRequestModel, defaultCapabilities: string[], at: (string | number)[]) {
  const count = model.count === 'all' ? -1 : model.count === undefined ? (model.device_ids ? 0 : -1) : integer(model.count, [...at, 'count']);
  const capabilities = model.capabilities?.length ? model.capabilities : defaultCapabilities;
  return {
    Driver: model.driver ?? '',
    Count: count,
    ...(model.device_ids ? { DeviceIDs: model.device_ids } : {}),
    ...(capabilities.length > 0 ? { Capabilities: [capabilities] } : {}),
    ...(model.options ? { Options: model.options } : {}),
  };
}

/** Whether the service asks the engine for GPUs or other device-driver devices. */
export function requestsDevices(service: Service): boolean {
  return deviceRequests(service, () => []) !== undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function list(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  return (Array.isArray(value) ? value : [value]).map(String);
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}

function integer(value: unknown, at: (string | number)[]): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || String(value).trim() === '') throw new TranslationError(at, `"${String(value)}" is not a whole number (${at.join('.')})`);
  return n;
}

function bytes(value: unknown, at: (string | number)[]): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = sizeToBytes(value as string | number);
  if (n === undefined) throw new TranslationError(at, `"${String(value)}" is not a size (${at.join('.')})`);
  return n;
}

/** A number is microseconds already; a duration (`100ms`) is converted, as compose-go does. */
function microseconds(value: unknown, at: (string | number)[]): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' || /^\s*-?\d+\s*$/.test(String(value))) return integer(value, at);
  const ns = durationToNanoseconds(String(value));
  if (ns === undefined) throw new TranslationError(at, `"${String(value)}" is not a duration or a number of microseconds (${at.join('.')})`);
  return Math.round(ns / 1000);
}
