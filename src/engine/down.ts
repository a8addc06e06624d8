import type { Project } from '../compose/index.js';
import { DockerNotFoundError, type DockerClient } from '../docker/index.js';
import { EngineError } from './errors.js';
import { dependentsOf } from './graph.js';
import { LABEL } from './labels.js';
import { projectContainers } from './observe.js';
import type { ObservedContainer } from './plan.js';
import { usedNetworks } from './plan.js';
import { ignoreProgress, type ProgressListener } from './progress.js';
import { runGraph } from './run-graph.js';
import { networkName, volumeName } from './translate.js';
import { graceSeconds } from './up.js';

export interface StopOptions {
  docker: DockerClient;
  /** Only these services (default all). */
  services?: string[];
  /** Overrides every service's stop_grace_period, in seconds. */
  timeoutSeconds?: number;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface DownOptions extends Omit<StopOptions, 'services'> {
  /** Also remove the project's named volumes and the containers' anonymous ones (`down -v`). */
  removeVolumes?: boolean;
  /** Also remove containers of services the model no longer has. */
  removeOrphans?: boolean;
}

export interface DownResult {
  removedContainers: string[];
  removedNetworks: string[];
  removedVolumes: string[];
  warnings: string[];
}

/**
 * `docker compose down`: stops the services in reverse dependency order (a service only after
 * everything that depends on it; independent ones in parallel), each with its stop_grace_period,
 * removes their containers, then the project's networks and, with `removeVolumes`, its volumes.
 * Keeps going past failures and reports them all at the end.
 */
export async function down(project: Project, options: DownOptions): Promise<DownResult> {
  const { docker } = options;
  const emit = options.onProgress ?? ignoreProgress;
  const result: DownResult = { removedContainers: [], removedNetworks: [], removedVolumes: [], warnings: [] };
  const problems: string[] = [];
  const containers = await projectContainers(docker, project.name, { signal: options.signal });
  const anonymous = options.removeVolumes ? await anonymousVolumes(docker, project, options.signal) : [];
  const orphans = containers.filter((c) => !(c.service in project.services) && !(c.service in project.disabled_services));
  // Containers of services a profile leaves out this time still belong to the project and go too.
  const disabled = containers.filter((c) => c.service in project.disabled_services);

  // Dependencies wait only for their dependents to stop, not for the removals, which go on
  // alongside and are collected here before the networks go.
  const removals: Promise<void>[] = [];
  const stopThenRemove = async (c: ObservedContainer, grace: number | undefined) => {
    const ok = await stopContainer(docker, c, grace, emit, problems, options.signal);
    if (ok) removals.push(removeOne(c));
  };
  const removeOne = async (c: ObservedContainer) => {
    const event = { kind: 'container', name: c.name, service: c.service, action: 'remove' } as const;
    emit({ ...event, status: 'working' });
    try {
      await docker.containers.remove(c.id, { force: true, volumes: options.removeVolumes ?? false }, { signal: options.signal });
      result.removedContainers.push(c.name);
      emit({ ...event, status: 'done' });
    } catch (err) {
      if (err instanceof DockerNotFoundError) return;
      problems.push(describe(err));
      emit({ ...event, status: 'error', detail: describe(err) });
    }
  };

  const orphanWork = options.removeOrphans ? orphans.map((o) => stopThenRemove(o, options.timeoutSeconds)) : [];
  if (!options.removeOrphans && orphans.length > 0) {
    result.warnings.push(
      `found containers of services this project no longer has (${orphans.map((o) => o.name).join(', ')}); remove them with --remove-orphans`,
    );
  }
  await Promise.all([
    ...orphanWork,
    ...disabled.map((c) => stopThenRemove(c, options.timeoutSeconds ?? graceSeconds(project.disabled_services[c.service]!))),
    inReverseOrder(project, Object.keys(project.services), async (service) => {
      const grace = options.timeoutSeconds ?? graceSeconds(project.services[service]!);
      await Promise.all(containers.filter((c) => c.service === service).map((c) => stopThenRemove(c, grace)));
    }),
  ]);
  await Promise.all(removals);

  const networks = new Set(usedNetworks(project).filter((k) => !project.networks[k]?.external).map((k) => networkName(project, k)));
  const labelled = await docker.networks.list({ filters: { label: [`${LABEL.project}=${project.name}`] } }, { signal: options.signal });
  for (const n of labelled) networks.add(n.Name);
  await Promise.all(
    [...networks].map(async (name) => {
      const event = { kind: 'network', name, action: 'remove' } as const;
      try {
        await docker.networks.inspect(name, { signal: options.signal });
      } catch (err) {
        if (err instanceof DockerNotFoundError) return;
        throw err;
      }
      emit({ ...event, status: 'working' });
      try {
        await docker.networks.remove(name, { signal: options.signal });
        result.removedNetworks.push(name);
        emit({ ...event, status: 'done' });
      } catch (err) {
        if (err instanceof DockerNotFoundError) return;
        problems.push(describe(err));
        emit({ ...event, status: 'error', detail: describe(err) });
      }
    }),
  );

  if (options.removeVolumes) {
    // Anonymous volumes a recreated container took over are mounted by name, so removing the
    // container with `v` leaves them; they go with the project's volumes.
    const volumes = new Set<string>(anonymous);
    for (const [key, volume] of Object.entries(project.volumes)) if (!volume.external) volumes.add(volumeName(project, key));
    const labelledVolumes = await docker.volumes.list({ filters: { label: [`${LABEL.project}=${project.name}`] } }, { signal: options.signal });
    for (const v of labelledVolumes) volumes.add(v.Name);
    await Promise.all(
      [...volumes].map(async (name) => {
        const event = { kind: 'volume', name, action: 'remove' } as const;
        emit({ ...event, status: 'working' });
        try {
          await docker.volumes.remove(name, {}, { signal: options.signal });
          result.removedVolumes.push(name);
          emit({ ...event, status: 'done' });
        } catch (err) {
          if (err instanceof DockerNotFoundError) return;
          problems.push(describe(err));
          emit({ ...event, status: 'error', detail: describe(err) });
        }
      }),
    );
  }
  if (problems.length > 0) throw new EngineError(`down did not finish cleanly:\n${problems.join('\n')}`);
  return result;
}

/** `docker compose stop`: stops containers in reverse dependency order without removing anything. */
export async function stop(project: Project, options: StopOptions): Promise<string[]> {
  const emit = options.onProgress ?? ignoreProgress;
  const problems: string[] = [];
  const stopped: string[] = [];
  const containers = await projectContainers(options.docker, project.name, { signal: options.signal });
  const selected = options.services ?? Object.keys(project.services);
  await inReverseOrder(project, selected, async (service) => {
    const grace = options.timeoutSeconds ?? graceSeconds(project.services[service]!);
    await Promise.all(
      containers
        .filter((c) => c.service === service)
        .map(async (c) => {
          if (await stopContainer(options.docker, c, grace, emit, problems, options.signal)) stopped.push(c.name);
        }),
    );
  });
  if (problems.length > 0) throw new EngineError(`stop did not finish cleanly:\n${problems.join('\n')}`);
  return stopped;
}

async function stopContainer(
  docker: DockerClient,
  c: ObservedContainer,
  grace: number | undefined,
  emit: ProgressListener,
  problems: string[],
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (c.state !== 'running' && c.state !== 'restarting' && c.state !== 'paused') return true;
  const event = { kind: 'container', name: c.name, service: c.service, action: 'stop' } as const;
  emit({ ...event, status: 'working' });
  try {
    await docker.containers.stop(c.id, grace === undefined ? {} : { timeoutSeconds: grace }, { signal });
    emit({ ...event, status: 'done' });
    return true;
  } catch (err) {
    if (err instanceof DockerNotFoundError) return false;
    problems.push(describe(err));
    emit({ ...event, status: 'error', detail: describe(err) });
    return false;
  }
}

/** Volumes mounted by the project's containers where the model has an anonymous volume. */
async function anonymousVolumes(docker: DockerClient, project: Project, signal: AbortSignal | undefined): Promise<string[]> {
  const listed = await docker.containers.list({ all: true, filters: { label: [`${LABEL.project}=${project.name}`] } }, { signal });
  const names: string[] = [];
  for (const c of listed) {
    const service = project.services[c.Labels[LABEL.service] ?? ''] ?? project.disabled_services[c.Labels[LABEL.service] ?? ''];
    const targets = new Set((service?.volumes ?? []).filter((v) => v.type === 'volume' && !v.source).map((v) => v.target));
    for (const m of c.Mounts ?? []) if (m.Type === 'volume' && m.Name && targets.has(m.Destination)) names.push(m.Name);
  }
  return names;
}

/** Runs `task` for each service once every service depending on it has finished. */
function inReverseOrder(project: Project, services: string[], task: (service: string) => Promise<void>): Promise<void> {
  const dependents = dependentsOf(project);
  return runGraph(services, (s) => dependents.get(s) ?? [], task);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
