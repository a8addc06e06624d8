import { isAbsolute, posix } from 'node:path';
import type { Project, Service, ServiceVolume } from '../compose/index.js';
import type { ContainerCreateBody, EndpointSettings, HostConfig, Mount, NetworkCreateBody, VolumeCreateBody } from '../docker/index.js';
import { COMPOSE_VERSION, LABEL, containerName, dependsOnLabel } from './labels.js';
import { kernelConfig, resourceConfig, type ContainerOf } from './translate-host.js';
import { TranslationError } from './translation-error.js';
import { cpusToNano, durationToNanoseconds, durationToSeconds, sizeToBytes } from './units.js';

/** What is needed to create one container of a service. */
export interface ContainerSpec {
  name: string;
  body: ContainerCreateBody;
  /** Networks beyond the first, connected after creation: API 1.41 takes one endpoint at create. */
  extraNetworks: { network: string; endpoint: EndpointSettings }[];
}

export interface ContainerContext {
  number: number;
  configHash: string;
  /** Image ID the container is created from, recorded in `com.docker.compose.image`. */
  imageId?: string;
  /** Image reference to create from. */
  image: string;
  /** ID of the first container of a service, for `network_mode`, `pid` and `ipc` `service:x`. */
  containerOf?: ContainerOf;
  /** Anonymous volumes of the container being replaced, by target, kept as compose keeps them. */
  inheritedVolumes?: Readonly<Record<string, string>>;
}

export { TranslationError };

/** The service's model, in the words of `POST /containers/create`, as docker compose v2 builds it. */
export function containerSpec(project: Project, service: Service, ctx: ContainerContext): ContainerSpec {
  const name = containerName(project, service, ctx.number);
  const at = (...keys: (string | number)[]) => ['services', service.name, ...keys];
  const networks = networksByPriority(service);
  const primary = service.network_mode === undefined ? networks[0] : undefined;
  const endpoint = (key: string): EndpointSettings => {
    const config = service.networks?.[key] ?? undefined;
    const settings: EndpointSettings = { Aliases: [name, service.name, ...(config?.aliases ?? [])] };
    const linkLocal = (config as { link_local_ips?: string[] } | null | undefined)?.link_local_ips;
    if (config?.ipv4_address || config?.ipv6_address || linkLocal?.length) {
      settings.IPAMConfig = { IPv4Address: config?.ipv4_address, IPv6Address: config?.ipv6_address, LinkLocalIPs: linkLocal };
    }
    const driverOpts = (config as { driver_opts?: Record<string, string | number> } | null | undefined)?.driver_opts;
    if (driverOpts) settings.DriverOpts = Object.fromEntries(Object.entries(driverOpts).map(([k, v]) => [k, String(v)]));
    if (hostLinks) settings.Links = hostLinks;
    return dropUndefined(settings);
  };
  const healthcheck = service.healthcheck;
  const host = hostConfig(project, service, ctx, primary, at);
  const hostLinks = host.Links;

  const body: ContainerCreateBody = {
    Image: ctx.image,
    platform: str(service['platform']),
    Hostname: str(service['hostname']),
    Domainname: str(service['domainname']),
    MacAddress: str(service['mac_address']),
    User: service.user,
    WorkingDir: str(service['working_dir']),
    // A variable without a value (`environment: [FOO]`, FOO unset) goes as a bare `FOO`, as compose
    // sends it: the engine then removes the image's own FOO rather than keeping it.
    Env: Object.entries(service.environment ?? {})
      .filter((e): e is [string, string | null] => e[1] !== undefined)
      .map(([k, v]) => (v === null ? k : `${k}=${v}`)),
    Cmd: service.command ?? undefined,
    Entrypoint: service.entrypoint ?? undefined,
    Labels: containerLabels(project, service, ctx),
    ExposedPorts: exposedPorts(service),
    Tty: bool(service['tty']),
    OpenStdin: bool(service['stdin_open']),
    AttachStdout: true,
    AttachStderr: true,
    StopSignal: str(service['stop_signal']),
    StopTimeout: durationToSeconds(str(service['stop_grace_period'])),
    Healthcheck: healthcheck
      ? healthcheck.disable
        ? { Test: ['NONE'] }
        : {
            Test: healthcheck.test,
            Interval: durationToNanoseconds(healthcheck.interval),
            Timeout: durationToNanoseconds(healthcheck.timeout),
            StartPeriod: durationToNanoseconds(healthcheck.start_period),
            Retries: healthcheck.retries,
            ...(healthcheck.start_interval ? { StartInterval: durationToNanoseconds(healthcheck.start_interval) } : {}),
          }
      : undefined,
    HostConfig: host,
    NetworkingConfig: primary ? { EndpointsConfig: { [networkName(project, primary)]: endpoint(primary) } } : undefined,
  };
  const extraNetworks = primary
    ? networks.slice(1).map((key) => ({ network: networkName(project, key), endpoint: endpoint(key) }))
    : [];
  return { name, body: dropUndefined(body), extraNetworks };
}

function hostConfig(
  project: Project,
  service: Service,
  ctx: ContainerContext,
  primaryNetwork: string | undefined,
  at: (...keys: (string | number)[]) => (string | number)[],
): HostConfig {
  const limits = service.deploy?.resources?.limits;
  const reservations = service.deploy?.resources?.reservations;
  const { binds, mounts } = volumeMounts(project, service, at, ctx.inheritedVolumes ?? {});
  const memory = sizeOf(limits?.memory ?? (service['mem_limit'] as string | number | undefined), at('mem_limit'));
  const reservation = sizeOf(reservations?.memory ?? (service['mem_reservation'] as string | number | undefined), at('mem_reservation'));
  const cpus = limits?.cpus ?? (service['cpus'] as string | number | undefined);
  const nanoCpus = cpus === undefined ? undefined : cpusToNano(cpus);
  if (cpus !== undefined && nanoCpus === undefined) throw new TranslationError(at('cpus'), `cpus "${String(cpus)}" is not a number`);
  const pids = limits?.pids ?? (service['pids_limit'] as number | undefined);

  return {
    Binds: binds.length > 0 ? binds : undefined,
    Mounts: mounts.length > 0 ? mounts : undefined,
    Tmpfs: tmpfsMap(service),
    PortBindings: portBindings(service),
    CapAdd: service.cap_add,
    CapDrop: service.cap_drop,
    Privileged: service.privileged,
    ReadonlyRootfs: service.read_only,
    SecurityOpt: service.security_opt,
    Memory: memory,
    MemoryReservation: reservation,
    NanoCpus: nanoCpus,
    PidsLimit: pids,
    Ulimits: ulimits(service, at),
    ExtraHosts: (service['extra_hosts'] as string[] | undefined)?.map(engineExtraHost),
    Init: bool(service['init']),
    RestartPolicy: restartPolicy(service),
    LogConfig: logConfig(service),
    NetworkMode: networkMode(project, service, ctx, primaryNetwork),
    ...resourceConfig(service, at),
    ...kernelConfig(project, service, ctx.containerOf ?? (() => undefined), at),
  };
}

function containerLabels(project: Project, service: Service, ctx: ContainerContext): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.labels ?? {})) if (v !== null && v !== undefined) labels[k] = String(v);
  Object.assign(labels, {
    [LABEL.project]: project.name,
    [LABEL.service]: service.name,
    [LABEL.containerNumber]: String(ctx.number),
    [LABEL.oneoff]: 'False',
    [LABEL.configHash]: ctx.configHash,
    [LABEL.workingDir]: project.working_dir,
    [LABEL.configFiles]: project.files.join(','),
    [LABEL.version]: COMPOSE_VERSION,
    [LABEL.dependsOn]: dependsOnLabel(service),
  });
  if (ctx.imageId) labels[LABEL.image] = ctx.imageId;
  return labels;
}

/** Compose-go's order: highest `priority` first, then by network name. */
export function networksByPriority(service: Service): string[] {
  if (service.network_mode !== undefined) return [];
  const entries = Object.entries(service.networks ?? {});
  return entries
    .sort(([a, ca], [b, cb]) => (cb?.priority ?? 0) - (ca?.priority ?? 0) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([key]) => key);
}

export function networkName(project: Project, key: string): string {
  return project.networks[key]?.name ?? `${project.name}_${key}`;
}

export function volumeName(project: Project, key: string): string {
  return project.volumes[key]?.name ?? `${project.name}_${key}`;
}

function networkMode(project: Project, service: Service, ctx: ContainerContext, primary: string | undefined): string | undefined {
  const mode = service.network_mode;
  if (mode === undefined) return primary ? networkName(project, primary) : 'none';
  if (mode.startsWith('service:')) {
    const id = ctx.containerOf?.(mode.slice(8));
    if (!id) throw new TranslationError(['services', service.name, 'network_mode'], `no container of ${mode.slice(8)} to share a network with`);
    return `container:${id}`;
  }
  return mode;
}

function exposedPorts(service: Service): Record<string, object> | undefined {
  const exposed: Record<string, object> = {};
  for (const p of service.ports ?? []) exposed[`${p.target}/${p.protocol}`] = {};
  for (const e of service.expose ?? []) {
    const [range = '', protocol = 'tcp'] = String(e).split('/');
    const [start, end] = range.split('-').map(Number);
    if (start === undefined || !Number.isInteger(start)) continue;
    for (let port = start; port <= (end ?? start); port++) exposed[`${port}/${protocol}`] = {};
  }
  return Object.keys(exposed).length > 0 ? exposed : undefined;
}

function portBindings(service: Service): HostConfig['PortBindings'] {
  if (!service.ports?.length) return undefined;
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of service.ports) {
    const key = `${p.target}/${p.protocol}`;
    (bindings[key] ??= []).push({ HostIp: p.host_ip ?? '', HostPort: p.published ?? '' });
  }
  return bindings;
}

/**
 * Short-syntax binds (`create_host_path`) go in `Binds`, where the engine creates a missing host
 * directory as compose expects; everything else is a `Mounts` entry. Secrets and configs are
 * read-only binds of their files.
 */
function volumeMounts(
  project: Project,
  service: Service,
  at: (...keys: (string | number)[]) => (string | number)[],
  inherited: Readonly<Record<string, string>>,
): { binds: string[]; mounts: Mount[] } {
  const binds: string[] = [];
  const mounts: Mount[] = [];
  (service.volumes ?? []).forEach((v: ServiceVolume, i) => {
    if (v.type === 'bind') {
      if (!v.source) throw new TranslationError(at('volumes', i, 'source'), `bind mount of ${v.target} has no source`);
      if (v.bind?.create_host_path) {
        const options = [v.read_only ? 'ro' : 'rw', v.bind.propagation, v.bind.selinux].filter((o): o is string => !!o);
        binds.push(`${v.source}:${v.target}:${options.join(',')}`);
        return;
      }
      mounts.push({
        Type: 'bind',
        Source: v.source,
        Target: v.target,
        ReadOnly: v.read_only ?? false,
        ...(v.bind?.propagation ? { BindOptions: { Propagation: v.bind.propagation } } : {}),
      });
    } else if (v.type === 'volume') {
      mounts.push({
        Type: 'volume',
        // No source: an anonymous volume the engine names, or the one the replaced container had.
        Source: v.source ? volumeName(project, v.source) : (inherited[v.target] ?? ''),
        Target: v.target,
        ReadOnly: v.read_only ?? false,
        ...(v.volume?.nocopy ? { VolumeOptions: { NoCopy: true } } : {}),
      });
    } else if (v.type === 'tmpfs') {
      const size = v.tmpfs?.size === undefined ? undefined : sizeToBytes(v.tmpfs.size);
      if (v.tmpfs?.size !== undefined && size === undefined) {
        throw new TranslationError(at('volumes', i, 'tmpfs', 'size'), `tmpfs size "${String(v.tmpfs.size)}" is not a size`);
      }
      const options = { ...(size !== undefined ? { SizeBytes: size } : {}), ...(v.tmpfs?.mode !== undefined ? { Mode: v.tmpfs.mode } : {}) };
      mounts.push({ Type: 'tmpfs', Source: '', Target: v.target, ...(Object.keys(options).length > 0 ? { TmpfsOptions: options } : {}) });
    }
  });
  for (const ref of service.secrets ?? []) {
    const file = project.secrets[ref.source]?.file;
    if (!file) continue;
    const target = ref.target && isAbsolute(ref.target) ? ref.target : posix.join('/run/secrets', ref.target ?? ref.source);
    mounts.push({ Type: 'bind', Source: file, Target: target, ReadOnly: true });
  }
  for (const ref of service.configs ?? []) {
    const file = project.configs[ref.source]?.file;
    if (!file) continue;
    mounts.push({ Type: 'bind', Source: file, Target: ref.target ?? `/${ref.source}`, ReadOnly: true });
  }
  return { binds, mounts };
}

function tmpfsMap(service: Service): Record<string, string> | undefined {
  const list = service['tmpfs'] as string[] | undefined;
  if (!list?.length) return undefined;
  const out: Record<string, string> = {};
  for (const entry of list) {
    const colon = entry.indexOf(':');
    out[colon < 0 ? entry : entry.slice(0, colon)] = colon < 0 ? '' : entry.slice(colon + 1);
  }
  return out;
}

function ulimits(service: Service, at: (...keys: (string | number)[]) => (string | number)[]): HostConfig['Ulimits'] {
  const raw = service['ulimits'] as Record<string, number | string | { soft?: number | string; hard?: number | string }> | undefined;
  if (!raw) return undefined;
  return Object.entries(raw)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => {
      const soft = typeof value === 'object' ? value.soft : value;
      const hard = typeof value === 'object' ? value.hard : value;
      const s = Number(soft);
      const h = Number(hard);
      if (!Number.isInteger(s) || !Number.isInteger(h)) throw new TranslationError(at('ulimits', name), `ulimit ${name} must be a number or {soft, hard}`);
      return { Name: name, Soft: s, Hard: h };
    });
}

/** The model keeps compose's printed `host=ip`; the engine wants `host:ip`. */
function engineExtraHost(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : `${entry.slice(0, eq)}:${entry.slice(eq + 1)}`;
}

/** `restart`, else `deploy.restart_policy` (`none` → no, `any` → always), as compose v2 reads them. */
function restartPolicy(service: Service): HostConfig['RestartPolicy'] {
  const restart = service.restart;
  if (restart === undefined) {
    const policy = service.deploy?.['restart_policy'] as { condition?: string; max_attempts?: number } | undefined;
    if (!policy) return undefined;
    const condition = policy.condition ?? 'any';
    const name = condition === 'none' ? 'no' : condition === 'any' ? 'always' : condition;
    return { Name: name, MaximumRetryCount: name === 'on-failure' ? (policy.max_attempts ?? 0) : 0 };
  }
  const [name = 'no', count] = restart.split(':');
  return { Name: name, MaximumRetryCount: count === undefined ? 0 : Number(count) };
}

function logConfig(service: Service): HostConfig['LogConfig'] {
  const logging = service['logging'] as { driver?: string; options?: Record<string, string | number | null> } | undefined;
  if (!logging) return undefined;
  const options: Record<string, string> = {};
  for (const [k, v] of Object.entries(logging.options ?? {})) if (v !== null) options[k] = String(v);
  return { Type: logging.driver ?? '', Config: options };
}

function sizeOf(value: string | number | undefined, path: (string | number)[]): number | undefined {
  if (value === undefined) return undefined;
  const bytes = sizeToBytes(value);
  if (bytes === undefined) throw new TranslationError(path, `"${String(value)}" is not a memory size`);
  return bytes;
}

export function networkCreateBody(project: Project, key: string): NetworkCreateBody {
  const n = project.networks[key] ?? {};
  const ipam = n.ipam as { driver?: string; options?: Record<string, string>; config?: Record<string, unknown>[] } | undefined;
  return dropUndefined({
    Name: networkName(project, key),
    Driver: n.driver,
    Options: n['driver_opts'] as Record<string, string> | undefined,
    Internal: n.internal,
    Attachable: n['attachable'] as boolean | undefined,
    EnableIPv6: n['enable_ipv6'] as boolean | undefined,
    IPAM: ipam
      ? {
          Driver: ipam.driver ?? 'default',
          Options: ipam.options,
          Config: ipam.config?.map((c) => ({
            Subnet: c['subnet'] as string | undefined,
            Gateway: c['gateway'] as string | undefined,
            IPRange: c['ip_range'] as string | undefined,
            AuxiliaryAddresses: c['aux_addresses'] as Record<string, string> | undefined,
          })),
        }
      : undefined,
    Labels: {
      ...stringLabels(n['labels']),
      [LABEL.network]: key,
      [LABEL.project]: project.name,
      [LABEL.version]: COMPOSE_VERSION,
    },
  });
}

export function volumeCreateBody(project: Project, key: string): VolumeCreateBody {
  const v = project.volumes[key] ?? {};
  return dropUndefined({
    Name: volumeName(project, key),
    Driver: v.driver,
    DriverOpts: v['driver_opts'] as Record<string, string> | undefined,
    Labels: {
      ...stringLabels(v['labels']),
      [LABEL.volume]: key,
      [LABEL.project]: project.name,
      [LABEL.version]: COMPOSE_VERSION,
    },
  });
}

function stringLabels(labels: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (labels && typeof labels === 'object') {
    for (const [k, v] of Object.entries(labels as Record<string, unknown>)) if (v !== null && v !== undefined) out[k] = String(v);
  }
  return out;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

function dropUndefined<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype ? dropUndefined(v) : v;
  }
  return out as T;
}
