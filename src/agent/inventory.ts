import type { DriftItem, FleetContainer, FleetPort, HostInventory, ImageScanStatus, ImageScanSummary } from '../contract/index.js';
import { INVENTORY_LIMITS } from '../contract/index.js';
import { DockerNotFoundError, type ContainerInspect, type DockerClient, type HostConfig } from '../docker/index.js';
import { LABEL } from '../engine/index.js';
import { changesSinceDeploy, driftItem, postureOf, type RuntimeConfig } from './posture.js';
import type { StackManager } from './stacks.js';

const { project: PROJECT, service: SERVICE, containerNumber: NUMBER, oneoff: ONEOFF, configHash: CONFIG_HASH } = LABEL;

/** Inspects at once: a host with hundreds of containers is read in a few rounds, not all together. */
const INSPECT_CONCURRENCY = 8;
/**
 * Posture judges containers that run, or are made to run (created, restarting, paused): a
 * stopped one can do nothing to its host until someone starts it again.
 */
const LIVE_STATES = new Set(['created', 'running', 'restarting', 'paused']);

const clip = (text: string) => (text.length > INVENTORY_LIMITS.text ? text.slice(0, INVENTORY_LIMITS.text) : text);

/**
 * What runs on this host, for the manager (docs/posture.md): each container with its ports and
 * env names (never values), the posture findings of the running ones, drift, and the last scan of
 * each image when the agent scans them (docs/scan.md, "On the fleet"). Bounded in size whatever
 * the host runs (`truncated` says when something was left out).
 */
export async function collectInventory(
  docker: DockerClient,
  stacks: StackManager,
  version: string,
  scans?: { status: ImageScanStatus; images: ImageScanSummary[] },
): Promise<HostInventory> {
  const listed = await docker.containers.list({ all: true });
  let truncated = listed.length > INVENTORY_LIMITS.containers;
  const chosen = listed.slice(0, INVENTORY_LIMITS.containers);
  const inspected = await mapLimited(chosen, INSPECT_CONCURRENCY, async (c) => {
    try {
      return await docker.containers.inspect(c.Id);
    } catch (err) {
      // Removed between the listing and the inspect: it no longer runs.
      if (err instanceof DockerNotFoundError) return undefined;
      throw err;
    }
  });
  const deployed = new Set(await stacks.names());
  const containers: FleetContainer[] = [];
  const live: { name: string; stack: string | null; service: string | null; config: RuntimeConfig }[] = [];
  const drift: DriftItem[] = [];
  const projects = new Map<string, Awaited<ReturnType<StackManager['project']>>>();
  for (const info of inspected) {
    if (!info) continue;
    const labels = info.Config.Labels ?? {};
    const name = info.Name.replace(/^\//, '');
    const stack = labels[PROJECT] ?? null;
    const service = labels[SERVICE] ?? null;
    const managed = stack !== null && deployed.has(stack);
    const envNames = (info.Config.Env ?? []).map((e) => clip(e.split('=', 1)[0] ?? '')).filter((n) => n !== '');
    if (envNames.length > INVENTORY_LIMITS.envNames) truncated = true;
    const ports = portsOf(info);
    if (ports.length > INVENTORY_LIMITS.ports) truncated = true;
    containers.push({
      id: info.Id,
      name: clip(name),
      image: clip(info.Config.Image ?? ''),
      state: info.State.Status,
      health: info.State.Health?.Status ?? null,
      stack: stack === null ? null : clip(stack),
      service: service === null ? null : clip(service),
      managed,
      ports: ports.slice(0, INVENTORY_LIMITS.ports),
      env_names: envNames.slice(0, INVENTORY_LIMITS.envNames),
      image_id: info.Image,
    });
    if (!LIVE_STATES.has(info.State.Status)) continue;
    const config: RuntimeConfig = { image: info.Config.Image ?? '', user: info.Config.User, hostConfig: info.HostConfig as HostConfig };
    live.push({ name, stack, service, config });
    if (stack === null) {
      drift.push(driftItem('unmanaged', name, null, null, ['started by hand: it belongs to no compose project']));
    } else if (!managed) {
      drift.push(driftItem('unmanaged', name, stack, service, [`compose project "${stack}" was not deployed through this agent`]));
    } else if (labels[ONEOFF] !== 'True' && service !== null) {
      if (!projects.has(stack)) projects.set(stack, await stacks.project(stack).catch(() => undefined));
      const project = projects.get(stack);
      if (!project) continue;
      const changes = changesSinceDeploy(project, {
        name,
        stack,
        service,
        number: Number(labels[NUMBER] ?? '1') || 1,
        configHash: labels[CONFIG_HASH],
        running: config,
      });
      if (changes.length > 0) drift.push(driftItem('changed', name, stack, service, changes));
    }
  }
  const posture = await postureOf(live);
  if (posture.length > INVENTORY_LIMITS.findings || drift.length > INVENTORY_LIMITS.drift) truncated = true;
  return {
    collected_at: new Date().toISOString(),
    agent_version: version,
    containers,
    posture: posture.slice(0, INVENTORY_LIMITS.findings),
    drift: drift.slice(0, INVENTORY_LIMITS.drift),
    ...(scans ? { image_scan: scans.status, ...(scans.status.enabled ? { images: scans.images } : {}) } : {}),
    truncated,
  };
}

/** The ports as the engine bound them (a random host port is known here), else as they were asked for. */
function portsOf(info: ContainerInspect): FleetPort[] {
  const out: FleetPort[] = [];
  const bound = info.NetworkSettings?.Ports as Record<string, { HostIp?: string; HostPort?: string }[] | null> | undefined;
  const bindings = bound && Object.keys(bound).length > 0 ? bound : ((info.HostConfig.PortBindings ?? {}) as Record<string, { HostIp?: string; HostPort?: string }[] | null>);
  for (const [key, list] of Object.entries(bindings)) {
    const [port, protocol = 'tcp'] = key.split('/');
    const containerPort = Number(port);
    if (!Number.isInteger(containerPort)) continue;
    for (const b of list ?? []) {
      const hostPort = b.HostPort ? Number(b.HostPort) : null;
      out.push({ container_port: containerPort, host_port: Number.isInteger(hostPort) ? hostPort : null, host_ip: b.HostIp ? clip(b.HostIp) : null, protocol });
    }
  }
  return out;
}

async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      out[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
