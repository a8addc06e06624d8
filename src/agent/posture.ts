import type { Project, Service } from '../compose/index.js';
import type { DriftItem, PostureFinding, PostureSeverity } from '../contract/index.js';
import type { HostConfig } from '../docker/index.js';
import { containerSpec, serviceHash } from '../engine/index.js';

/**
 * Posture and drift of what runs on this host (docs/posture.md). A running container is read
 * back into the compose model (one service per container), so the analyzer's own rules judge it:
 * one rule set for files and for running containers. Drift compares the same projection of a
 * deployed container with what its stack's files make the engine create.
 */

/** The part of a container's configuration posture and drift look at: `docker inspect`'s, or the engine's create body. */
export interface RuntimeConfig {
  image: string;
  user: string | undefined;
  hostConfig: HostConfig;
}

/** The container as a compose service, in the fields the runtime rules read. */
export function runtimeService(name: string, config: RuntimeConfig): Service {
  const h = config.hostConfig;
  const service: Service = { name, image: config.image };
  // An empty user is the image's default, which `docker inspect` has already filled in: empty is root.
  service.user = config.user && config.user.trim() !== '' ? config.user.trim() : 'root';
  if (h.Privileged === true) service.privileged = true;
  if (h.CapAdd && h.CapAdd.length > 0) service.cap_add = [...h.CapAdd].sort();
  if (h.CapDrop && h.CapDrop.length > 0) service.cap_drop = [...h.CapDrop].sort();
  const namespaces: [keyof Service & string, string | undefined][] = [
    ['network_mode', h.NetworkMode],
    ['pid', h.PidMode],
    ['ipc', h.IpcMode],
    ['uts', h.UTSMode],
    ['userns_mode', h.UsernsMode],
  ];
  for (const [key, value] of namespaces) if (value === 'host') (service as Record<string, unknown>)[key] = 'host';
  service.ports = portsOf(h);
  service.volumes = volumesOf(h);
  const devices = (h.Devices ?? []).map((d: { PathOnHost: string; PathInContainer: string; CgroupPermissions: string }) => ({ source: d.PathOnHost, target: d.PathInContainer, permissions: d.CgroupPermissions }));
  if (devices.length > 0) (service as Record<string, unknown>)['devices'] = devices;
  if (positive(h.Memory)) (service as Record<string, unknown>)['mem_limit'] = h.Memory;
  const cpus = positive(h.NanoCpus) ? h.NanoCpus! / 1e9 : positive(h.CpuQuota) && positive(h.CpuPeriod) ? h.CpuQuota! / h.CpuPeriod! : undefined;
  if (cpus !== undefined) (service as Record<string, unknown>)['cpus'] = cpus;
  if (positive(h.PidsLimit ?? undefined)) (service as Record<string, unknown>)['pids_limit'] = h.PidsLimit;
  return service;
}

function positive(value: number | undefined | null): boolean {
  return typeof value === 'number' && value > 0;
}

function portsOf(h: HostConfig): NonNullable<Service['ports']> {
  const out: NonNullable<Service['ports']> = [];
  for (const [key, bindings] of Object.entries(h.PortBindings ?? {})) {
    const [target, protocol = 'tcp'] = key.split('/');
    for (const b of (bindings as { HostIp?: string; HostPort?: string }[] | null) ?? []) {
      out.push({
        mode: 'ingress',
        target: Number(target),
        protocol,
        ...(b.HostPort ? { published: b.HostPort } : {}),
        ...(b.HostIp ? { host_ip: b.HostIp } : {}),
      });
    }
  }
  return out.sort((a, b) => a.target - b.target || (a.published ?? '').localeCompare(b.published ?? ''));
}

function volumesOf(h: HostConfig): NonNullable<Service['volumes']> {
  const out: NonNullable<Service['volumes']> = [];
  for (const bind of h.Binds ?? []) {
    const [source = '', target = '', options = ''] = bind.split(':');
    // `name:/path` is a named volume; only host paths start with a slash.
    out.push({ type: source.startsWith('/') ? 'bind' : 'volume', source, target, ...(options.split(',').includes('ro') ? { read_only: true } : {}) });
  }
  for (const m of h.Mounts ?? []) {
    if (m.Type !== 'bind' && m.Type !== 'volume') continue;
    out.push({ type: m.Type, source: m.Source ?? '', target: m.Target, ...(m.ReadOnly ? { read_only: true } : {}) });
  }
  return out.sort((a, b) => a.target.localeCompare(b.target));
}

/**
 * The analyzer's runtime rules on these containers (by container name). Rule messages name a
 * "service"; here each is a container, and they say so.
 */
export async function postureOf(
  containers: { name: string; stack: string | null; service: string | null; config: RuntimeConfig }[],
): Promise<PostureFinding[]> {
  if (containers.length === 0) return [];
  // Loaded on the first report: an agent nobody asks does not carry the analyzer (docs/benchmarks.md).
  const { checkRunning } = await import('../analyze/index.js');
  const byName = new Map(containers.map((c) => [c.name, c]));
  const services = Object.fromEntries(containers.map((c) => [c.name, runtimeService(c.name, c.config)]));
  return checkRunning(services).flatMap((f) => {
    const container = f.service === null ? undefined : byName.get(f.service);
    if (!container) return [];
    const rename = (text: string) => text.split(`service "${container.name}"`).join(`container "${container.name}"`);
    return [
      {
        rule: f.rule,
        severity: f.severity as PostureSeverity,
        container: container.name,
        stack: container.stack,
        service: container.service,
        message: rename(f.message),
        fix: f.fix === null ? null : rename(f.fix),
      },
    ];
  });
}

/** The facts drift compares, as text: two containers with the same facts run alike as far as posture goes. */
export function runtimeFacts(service: Service): Record<string, string> {
  const s = service as Record<string, unknown>;
  const list = (value: unknown) => (Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ') : '');
  return {
    user: service.user ?? '',
    privileged: String(service.privileged === true),
    'added capabilities': list(service.cap_add),
    'dropped capabilities': list(service.cap_drop),
    'host network': String(service.network_mode === 'host'),
    'host pid namespace': String(s['pid'] === 'host'),
    'host ipc namespace': String(s['ipc'] === 'host'),
    'host uts namespace': String(s['uts'] === 'host'),
    'published ports': (service.ports ?? []).map((p) => `${p.host_ip ?? ''}:${p.published ?? ''}->${p.target}/${p.protocol}`).join(', '),
    mounts: (service.volumes ?? []).map((v) => `${v.source ?? ''}:${v.target}${v.read_only ? ':ro' : ''}`).join(', '),
    devices: list(s['devices']),
    'memory limit': String(s['mem_limit'] ?? 'none'),
    'cpu limit': String(s['cpus'] ?? 'none'),
    'pids limit': String(s['pids_limit'] ?? 'none'),
  };
}

/** What differs between the deployed and the running facts, one line each. */
export function factDifferences(deployed: Record<string, string>, running: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(deployed)) {
    const now = running[key] ?? '';
    if (now !== value) out.push(`${key}: deployed ${value === '' ? 'none' : value}, running ${now === '' ? 'none' : now}`.slice(0, 500));
  }
  return out;
}

export interface DeployedContainer {
  name: string;
  stack: string;
  service: string;
  number: number;
  configHash: string | undefined;
  running: RuntimeConfig;
}

/**
 * How a deployed container differs from what its stack's files make: its configuration hash,
 * and the runtime facts of the engine's own create body for that service. Nothing when they
 * agree, or when the stack's service cannot be translated (then only the hash is compared).
 */
export function changesSinceDeploy(project: Project, container: DeployedContainer): string[] {
  const service = project.services[container.service];
  if (!service) return [`service ${container.service} is no longer in the stack's files`];
  const out: string[] = [];
  const hash = serviceHash(service);
  if (container.configHash !== undefined && container.configHash !== hash) out.push("configuration hash: the container was created from another configuration than the stack's files");
  let deployed: RuntimeConfig;
  try {
    const spec = containerSpec(project, service, { number: container.number, configHash: hash, image: service.image ?? '' });
    deployed = { image: spec.body.Image ?? '', user: spec.body.User, hostConfig: spec.body.HostConfig ?? {} };
  } catch {
    return out;
  }
  out.push(...factDifferences(runtimeFacts(runtimeService(container.name, deployed)), runtimeFacts(runtimeService(container.name, container.running))));
  return out;
}

/** Drift entries are capped at 20 details each (docs/posture.md). */
export function driftItem(kind: DriftItem['kind'], container: string, stack: string | null, service: string | null, details: string[]): DriftItem {
  return { kind, container, stack, service, details: details.slice(0, 20) };
}
