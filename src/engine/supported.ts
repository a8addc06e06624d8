import type { Position, Project, Service } from '../compose/index.js';
import { replicaCount } from './labels.js';

/** Something in the model the engine cannot do, found before anything is created. */
export interface EngineIssue {
  /** Model path of the offending key, e.g. `['services', 'web', 'devices']`. */
  path: (string | number)[];
  message: string;
  position?: Position;
}

export type PositionOf = (path: readonly (string | number)[]) => Position | undefined;

/**
 * What `shipshape up` translates, as a tree of allowed keys: `true` allows any value, an object
 * lists the allowed keys of a mapping, `EACH` the keys of every item of a list or every value of
 * a mapping with free keys. Anything else is reported, never silently dropped.
 */
type Allowed = true | { readonly [key: string]: Allowed } | { readonly [EACH]: Allowed };
const EACH = Symbol('each');

const SERVICE: { readonly [key: string]: Allowed | false } = {
  name: true,
  image: true,
  build: { context: true, dockerfile: true, dockerfile_inline: true, args: true, target: true, labels: true },
  pull_policy: true,
  command: true,
  entrypoint: true,
  environment: true,
  // The loader has already merged env files into `environment`.
  env_file: { [EACH]: { path: true, required: true, format: true } },
  ports: { [EACH]: { mode: true, host_ip: true, target: true, published: true, protocol: true, app_protocol: true, name: true } },
  expose: true,
  volumes: {
    [EACH]: {
      type: true,
      source: true,
      target: true,
      read_only: true,
      consistency: true,
      bind: { propagation: true, create_host_path: true, selinux: true },
      volume: { nocopy: true },
      tmpfs: { size: true, mode: true },
    },
  },
  tmpfs: true,
  networks: { [EACH]: { aliases: true, ipv4_address: true, ipv6_address: true, priority: true, link_local_ips: true, driver_opts: true } },
  network_mode: true,
  depends_on: { [EACH]: { condition: true, required: true, restart: true } },
  healthcheck: { test: true, interval: true, timeout: true, retries: true, start_period: true, start_interval: true, disable: true },
  restart: true,
  user: true,
  working_dir: true,
  labels: true,
  cap_add: true,
  cap_drop: true,
  privileged: true,
  read_only: true,
  security_opt: true,
  deploy: {
    mode: true,
    replicas: true,
    resources: {
      limits: { cpus: true, memory: true, pids: true },
      reservations: { cpus: true, memory: true, devices: { [EACH]: { driver: true, count: true, device_ids: true, capabilities: true, options: true } } },
    },
    restart_policy: { condition: true, max_attempts: true, delay: true, window: true },
    // Swarm settings: docker compose ignores them outside a swarm; a warning says so.
    labels: true,
    placement: true,
    update_config: true,
    rollback_config: true,
    endpoint_mode: true,
  },
  mem_limit: true,
  mem_reservation: true,
  cpus: true,
  pids_limit: true,
  ulimits: true,
  extra_hosts: true,
  hostname: true,
  init: true,
  stop_signal: true,
  stop_grace_period: true,
  secrets: { [EACH]: { source: true, target: true } },
  configs: { [EACH]: { source: true, target: true } },
  logging: { driver: true, options: true },
  container_name: true,
  scale: true,
  tty: true,
  stdin_open: true,
  profiles: true,
  // Kernel side (translate-host.ts).
  blkio_config: true,
  cgroup: true,
  cgroup_parent: true,
  cpu_count: true,
  cpu_percent: true,
  cpu_shares: true,
  cpu_quota: true,
  cpu_period: true,
  cpu_rt_period: true,
  cpu_rt_runtime: true,
  cpuset: true,
  device_cgroup_rules: true,
  devices: true,
  dns: true,
  dns_opt: true,
  dns_search: true,
  domainname: true,
  external_links: true,
  gpus: true,
  group_add: true,
  ipc: true,
  isolation: true,
  links: true,
  mac_address: true,
  mem_swappiness: true,
  memswap_limit: true,
  oom_kill_disable: true,
  oom_score_adj: true,
  pid: true,
  runtime: true,
  shm_size: true,
  storage_opt: true,
  sysctls: true,
  userns_mode: true,
  uts: true,
  volumes_from: true,
  platform: true,
  // Read by `shipshape up --watch` in docker compose only; `up` ignores it there too.
  develop: true,
  // The loader has resolved it.
  extends: true,
};

/**
 * Service keys of the compose specification that shipshape up refuses, and why; every other key
 * of the specification is translated (docs/engine.md keeps the table).
 */
export const REFUSED_SERVICE_KEYS: Readonly<Record<string, string>> = {
  annotations: 'container annotations need Engine API 1.43, and this engine speaks 1.41 (older engines drop them silently)',
  attach: 'attached shipshape up prints the output of every service; leave it out, or follow one service with shipshape logs SERVICE',
  credential_spec: 'a Windows container setting; there is nothing to apply it to on a Linux engine',
  label_file: 'label files are not read yet; put the labels under labels',
  models: 'AI models run through Docker Model Runner, not the Engine API',
  provider: 'provider services run through compose plugins, not the Engine API',
  post_start: 'lifecycle hooks are not run by shipshape up yet',
  pre_stop: 'lifecycle hooks are not run by shipshape up yet',
  pull_refresh_after: 'a pull policy with a refresh interval is not supported; use pull_policy always or missing',
  use_api_socket: 'it hands the container the engine socket and your registry credentials; mount what the service needs explicitly',
};

/** Service keys shipshape up translates (or, like `develop`, knowingly ignores). */
export const SUPPORTED_SERVICE_KEYS: readonly string[] = Object.keys(SERVICE);

const NETWORK: Allowed = {
  name: true,
  driver: true,
  driver_opts: true,
  internal: true,
  attachable: true,
  enable_ipv6: true,
  labels: true,
  external: true,
  ipam: { driver: true, options: true, config: { [EACH]: { subnet: true, gateway: true, ip_range: true, aux_addresses: true } } },
};

const VOLUME: Allowed = { name: true, driver: true, driver_opts: true, labels: true, external: true };

const FILE_OBJECT: Allowed = { name: true, file: true };

const VOLUME_TYPES = new Set(['bind', 'volume', 'tmpfs']);
const PULL_POLICIES = new Set(['missing', 'if_not_present', 'always', 'never', 'build']);

/** Every key of every service (and of the networks, volumes, secrets and configs they use) the engine cannot honour. */
export function checkSupported(project: Project, positionOf: PositionOf = () => undefined): EngineIssue[] {
  const issues = new Map<string, EngineIssue>();
  // Secrets and configs shared by several services would otherwise be reported once per service.
  const report = (path: (string | number)[], message: string) =>
    issues.set(`${path.join('\0')}\0${message}`, { path, message, position: positionOf(path) });
  const usedNetworks = new Set<string>();
  const usedVolumes = new Set<string>();

  for (const [name, service] of Object.entries(project.services)) {
    const base = ['services', name];
    walk(service, SERVICE as { readonly [key: string]: Allowed }, base, report);
    checkServiceValues(project, name, service, report);
    for (const key of Object.keys(service.networks ?? {})) usedNetworks.add(key);
    for (const v of service.volumes ?? []) if (v.type === 'volume' && v.source) usedVolumes.add(v.source);
  }
  for (const key of usedNetworks) {
    const network = project.networks[key];
    if (network) walk(network, NETWORK, ['networks', key], report);
  }
  for (const key of usedVolumes) {
    const volume = project.volumes[key];
    if (volume) walk(volume, VOLUME, ['volumes', key], report);
  }
  return [...issues.values()];
}

function walk(value: unknown, allowed: Allowed, path: (string | number)[], report: (path: (string | number)[], message: string) => void): void {
  if (allowed === true || value === null || typeof value !== 'object') return;
  const each = (allowed as { [EACH]?: Allowed })[EACH];
  if (Array.isArray(value)) {
    if (each) value.forEach((item, i) => walk(item, each, [...path, i], report));
    return;
  }
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (key.startsWith('x-')) continue;
    const rule = each ?? (allowed as Record<string, Allowed | false>)[key];
    if (rule === undefined || rule === false) {
      const why = path.length === 2 && path[0] === 'services' ? REFUSED_SERVICE_KEYS[key] : undefined;
      report([...path, key], `"${key}" is not supported by shipshape up (${[...path, key].join('.')})${why ? `: ${why}` : ''}`);
      continue;
    }
    walk(child, rule, [...path, key], report);
  }
}

/** Keys that are supported only with some values. */
function checkServiceValues(
  project: Project,
  name: string,
  service: Service,
  report: (path: (string | number)[], message: string) => void,
): void {
  const base = ['services', name];
  service.volumes?.forEach((v, i) => {
    if (!VOLUME_TYPES.has(v.type)) report([...base, 'volumes', i, 'type'], `volume type "${v.type}" is not supported by shipshape up`);
  });
  for (const [dep, d] of Object.entries(service.depends_on ?? {})) {
    if (d.restart === true) report([...base, 'depends_on', dep, 'restart'], `depends_on.${dep}.restart: true is not supported by shipshape up`);
  }
  // The loader keeps a literal `yes` as text; the engine would drop it without a word.
  for (const key of ['init', 'privileged', 'read_only', 'tty', 'stdin_open'] as const) {
    const value = service[key];
    if (value !== undefined && typeof value !== 'boolean') report([...base, key], `${key} must be true or false, not ${JSON.stringify(value)}`);
  }
  const policy = service['pull_policy'];
  if (policy !== undefined && !PULL_POLICIES.has(String(policy))) {
    report([...base, 'pull_policy'], `pull_policy "${String(policy)}" is not supported by shipshape up`);
  }
  for (const key of ['pid', 'ipc'] as const) {
    const value = service[key];
    if (typeof value === 'string' && value.startsWith('service:') && !(value.slice(8) in project.services)) {
      report([...base, key], `${key} "${value}" names no service of this project`);
    }
  }
  if (service.deploy?.['mode'] !== undefined && service.deploy['mode'] !== 'replicated') {
    report([...base, 'deploy', 'mode'], `deploy.mode "${String(service.deploy['mode'])}" is a Swarm mode; shipshape up runs replicated services`);
  }
  const mode = service.network_mode;
  if (mode !== undefined && !/^(host|none|bridge|default|service:.+|container:.+)$/.test(mode)) {
    report([...base, 'network_mode'], `network_mode "${mode}" is not supported by shipshape up`);
  }
  const scale = service['scale'];
  const replicas = service.deploy?.replicas;
  if (typeof scale === 'number' && typeof replicas === 'number' && scale !== replicas) {
    report([...base, 'scale'], `scale (${scale}) and deploy.replicas (${replicas}) differ`);
  }
  if (service['container_name'] !== undefined && replicaCount(service) > 1) {
    report([...base, 'container_name'], `container_name "${String(service['container_name'])}" cannot be shared by ${replicaCount(service)} replicas`);
  }
  if (service.image === undefined && service.build === undefined) {
    report(base, `service "${name}" has neither an image nor a build section`);
  }
  for (const kind of ['secrets', 'configs'] as const) {
    service[kind]?.forEach((ref, i) => {
      const definition = project[kind][ref.source];
      if (!definition) return;
      if (typeof definition.file !== 'string') {
        report([...base, kind, i], `${kind === 'secrets' ? 'secret' : 'config'} "${ref.source}" is not read from a file; shipshape up only mounts file-based ${kind}`);
      } else {
        walk(definition, FILE_OBJECT, [kind, ref.source], report);
      }
    });
  }
}

export function formatIssue(issue: EngineIssue): string {
  const p = issue.position;
  const at = p && p.file ? (p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file) : '<input>';
  return `${at}: ${issue.message}`;
}
