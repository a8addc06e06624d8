import type { Project, Service } from '../compose/index.js';
import { startupLevels } from './graph.js';
import { containerName, replicaCount, serviceHash } from './labels.js';
import { networkName, volumeName } from './translate.js';

/** A container of the project as its labels describe it. */
export interface ObservedContainer {
  id: string;
  name: string;
  service: string;
  number: number;
  configHash: string;
  /** `com.docker.compose.image`: the image ID it was created from, when recorded. */
  imageId?: string;
  /** Engine state: created, running, exited, paused, restarting, dead. */
  state: string;
  /** When the engine created it (Unix seconds), when known. */
  created?: number;
}

/** What exists on the engine for one project. */
export interface ObservedState {
  containers: ObservedContainer[];
  /** Names of the networks and volumes that exist (any owner). */
  networks: string[];
  volumes: string[];
  /** Of those, the ones another compose project created (its `com.docker.compose.project` label). */
  foreign?: { kind: 'network' | 'volume'; name: string; project: string }[];
}

export type ContainerAction = 'create' | 'recreate' | 'start' | 'keep';

export interface ContainerStep {
  service: string;
  number: number;
  name: string;
  action: ContainerAction;
  /** The container there is now, for every action but `create`. */
  existing?: ObservedContainer;
  /**
   * The container there is now is one an interrupted run set aside (`<id>_<name>`) and none has
   * the wanted name: it is adopted back under `name` (kept or started) or replaced from where it is.
   */
  adopt?: boolean;
  /** Why a container is recreated. */
  reason?: string;
}

export interface ServicePlan {
  service: string;
  /** Startup level: 0 needs nothing, n needs services of lower levels only. */
  level: number;
  configHash: string;
  containers: ContainerStep[];
  /** Containers beyond the wanted replica count, highest numbers first. */
  scaleDown: ObservedContainer[];
  /**
   * Other containers with the number of a wanted one (left set aside by an interrupted or
   * `--keep-on-failure` run): removed once the run succeeded, like replaced containers.
   */
  stale: ObservedContainer[];
}

export interface ResourceStep {
  /** Key in the model (`default`, `db-data`). */
  key: string;
  /** Name on the engine (`demo_default`). */
  name: string;
  /** `external` resources must exist already; the engine never creates them. */
  action: 'create' | 'keep' | 'external';
}

export interface Plan {
  project: string;
  levels: string[][];
  networks: ResourceStep[];
  volumes: ResourceStep[];
  /** In startup order: by level, then by name. */
  services: ServicePlan[];
  /** Containers of services the model no longer has. */
  orphans: ObservedContainer[];
}

export interface PlanOptions {
  /** Image IDs the services' containers should run, when known; a different one recreates. */
  imageIds?: Readonly<Record<string, string>>;
  /** Recreate every container (`up --force-recreate`). */
  forceRecreate?: boolean;
}

/**
 * What `up` has to do to make the engine match the model: pure, from the model and what the
 * labels of existing containers say. A container whose config hash (or image) differs is
 * recreated, a stopped one with the same hash started, a running one kept.
 */
export function plan(project: Project, observed: ObservedState, options: PlanOptions = {}): Plan {
  const levels = startupLevels(project);
  const existingNetworks = new Set(observed.networks);
  const existingVolumes = new Set(observed.volumes);
  const byService = new Map<string, ObservedContainer[]>();
  for (const c of observed.containers) {
    const list = byService.get(c.service) ?? [];
    list.push(c);
    byService.set(c.service, list);
  }

  const services: ServicePlan[] = [];
  levels.forEach((names, level) => {
    for (const name of names) {
      const service = project.services[name]!;
      services.push(servicePlan(project, service, level, byService.get(name) ?? [], options));
    }
  });

  const networks = usedNetworks(project).map((key): ResourceStep => {
    const name = networkName(project, key);
    const external = project.networks[key]?.external === true;
    return { key, name, action: external ? 'external' : existingNetworks.has(name) ? 'keep' : 'create' };
  });
  const volumes = usedVolumes(project).map((key): ResourceStep => {
    const name = volumeName(project, key);
    const external = project.volumes[key]?.external === true;
    return { key, name, action: external ? 'external' : existingVolumes.has(name) ? 'keep' : 'create' };
  });
  // Services a profile left out are still the project's, not orphans.
  const orphans = observed.containers
    .filter((c) => !(c.service in project.services) && !(c.service in project.disabled_services))
    .sort((a, b) => compare(a.name, b.name));
  return { project: project.name, levels, networks, volumes, services, orphans };
}

function servicePlan(
  project: Project,
  service: Service,
  level: number,
  existing: ObservedContainer[],
  options: PlanOptions,
): ServicePlan {
  const configHash = serviceHash(service);
  const wanted = replicaCount(service);
  const wantedImage = options.imageIds?.[service.name];
  const byNumber = new Map<number, ObservedContainer[]>();
  const surplus: ObservedContainer[] = [];
  for (const c of existing) {
    if (Number.isInteger(c.number) && c.number >= 1 && c.number <= wanted) byNumber.set(c.number, [...(byNumber.get(c.number) ?? []), c]);
    else surplus.push(c);
  }
  const stale: ObservedContainer[] = [];
  const containers: ContainerStep[] = [];
  for (let number = 1; number <= wanted; number++) {
    const name = containerName(project, service, number);
    const [current, ...others] = rankCandidates(byNumber.get(number) ?? [], name, configHash);
    stale.push(...others);
    if (!current) {
      containers.push({ service: service.name, number, name, action: 'create' });
      continue;
    }
    const reason = options.forceRecreate
      ? 'forced'
      : current.configHash !== configHash
        ? 'configuration changed'
        : wantedImage && current.imageId && current.imageId !== wantedImage
          ? 'image changed'
          : undefined;
    const action: ContainerAction = reason ? 'recreate' : current.state === 'running' ? 'keep' : 'start';
    const adopt = current.name !== name && setAsideName(current) !== undefined;
    containers.push({
      service: service.name,
      number,
      name,
      action,
      existing: current,
      ...(reason ? { reason } : {}),
      ...(adopt ? { adopt } : {}),
    });
  }
  surplus.sort((a, b) => b.number - a.number || compare(a.id, b.id));
  stale.sort((a, b) => a.number - b.number || compare(a.id, b.id));
  return { service: service.name, level, configHash, containers, scaleDown: surplus, stale };
}

/**
 * The containers that carry one replica number, best first: the one with the wanted name, then
 * one not set aside, then one set aside whose configuration is the wanted one, then the newest;
 * the engine's listing order and name order never decide (docs/engine.md, "Convergence").
 */
function rankCandidates(candidates: readonly ObservedContainer[], name: string, configHash: string): ObservedContainer[] {
  const rank = (c: ObservedContainer) => (c.name === name ? 0 : setAsideName(c) === undefined ? 1 : c.configHash === configHash ? 2 : 3);
  return [...candidates].sort((a, b) => rank(a) - rank(b) || (b.created ?? 0) - (a.created ?? 0) || compare(a.id, b.id));
}

/**
 * The name a container had before `up` set it aside as `<id prefix>_<name>` to replace it (compose
 * does the same), or undefined when its name is not of that form for its own ID.
 */
export function setAsideName(c: { id: string; name: string }): string | undefined {
  const match = /^([0-9a-f]{12,64})_(.+)$/.exec(c.name);
  return match && c.id.startsWith(match[1]!) ? match[2] : undefined;
}

/** Networks some service joins; compose creates no others. */
export function usedNetworks(project: Project): string[] {
  const keys = new Set<string>();
  for (const service of Object.values(project.services)) {
    if (service.network_mode !== undefined) continue;
    for (const key of Object.keys(service.networks ?? {})) keys.add(key);
  }
  return [...keys].sort(compare);
}

/** Named volumes some service mounts. */
export function usedVolumes(project: Project): string[] {
  const keys = new Set<string>();
  for (const service of Object.values(project.services)) {
    for (const v of service.volumes ?? []) if (v.type === 'volume' && v.source && v.source in project.volumes) keys.add(v.source);
  }
  return [...keys].sort(compare);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
