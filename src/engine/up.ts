import type { Project, Service } from '../compose/index.js';
import { DockerError, DockerNotFoundError, type DockerClient } from '../docker/index.js';
import { EngineError, ServiceWaitError, UnsupportedConfigError } from './errors.js';
import { DependencyCycleError, describeDependencies, startupLevels, type DependencyEdge } from './graph.js';
import { ensureImages, type ServiceImage } from './images.js';
import { containerName } from './labels.js';
import { observe, projectContainers } from './observe.js';
import { plan, type ContainerStep, type ObservedState, type Plan, type ServicePlan } from './plan.js';
import { ignoreProgress, type ProgressEvent, type ProgressListener } from './progress.js';
import { runStack } from './schedule.js';
import { checkSupported, type EngineIssue, type PositionOf } from './supported.js';
import { requestsDevices } from './translate-host.js';
import { containerSpec, networkCreateBody, networkName, TranslationError, volumeCreateBody, volumeName } from './translate.js';
import { durationToSeconds } from './units.js';
import { StackWatch } from './wait.js';

export interface UpOptions {
  docker: DockerClient;
  /** Locates model paths in the files, for messages about unsupported keys. */
  positionOf?: PositionOf;
  /** Build every service with a build section, even when its image exists. */
  build?: boolean;
  forceRecreate?: boolean;
  /** Leave what a failed run created in place, to look at it. */
  keepOnFailure?: boolean;
  /** Remove containers of services the model no longer has. */
  removeOrphans?: boolean;
  /** Limit for each wait on `service_healthy` / `service_completed_successfully` (default 120 s). */
  waitTimeoutMs?: number;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface UpResult {
  plan: Plan;
  containers: { service: string; name: string; id: string; action: ContainerStep['action'] }[];
  /** Things a person should know that did not stop the run (orphans, ignored keys). */
  warnings: string[];
}

export const DEFAULT_WAIT_TIMEOUT_MS = 120_000;

/** What this run changed, so a failure can undo exactly that. */
interface RunRecord {
  /** `keepsVolumes`: it took over a replaced container's anonymous volumes, which must survive a rollback. */
  createdContainers: { id: string; name: string; service: string; keepsVolumes: boolean }[];
  /**
   * Containers being replaced: stopped and renamed aside until the run succeeds. Recorded before
   * the stop, so a failed stop or rename is undone too; `name` is the one it gets back.
   */
  replaced: { id: string; name: string; service: string; wasRunning: boolean }[];
  createdNetworks: string[];
  createdVolumes: string[];
}

/**
 * `docker compose up -d`: checks the model, builds or pulls images, creates the networks and
 * volumes, creates every container, then starts the services as their dependencies allow,
 * waiting on `service_healthy` and `service_completed_successfully`. Services that do not depend
 * on each other start in parallel. When anything fails, what this run created is removed again
 * (and replaced containers are put back) unless `keepOnFailure`.
 */
export async function up(project: Project, options: UpOptions): Promise<UpResult> {
  const { docker } = options;
  const emit = options.onProgress ?? ignoreProgress;
  const warnings = preflight(project, options.positionOf);
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (options.signal?.aborted) throw new EngineError('up was cancelled before it started');
  options.signal?.addEventListener('abort', abort, { once: true });
  const signal = controller.signal;
  const record: RunRecord = { createdContainers: [], replaced: [], createdNetworks: [], createdVolumes: [] };
  // The project's containers before this run: a rollback removes any other it finds.
  let before: ReadonlySet<string> | undefined;
  try {
    const [images, observed] = await Promise.all([
      ensureImages(project, { docker, build: options.build, onProgress: emit, signal }),
      observe(docker, project, { signal }),
    ]);
    before = new Set(observed.containers.map((c) => c.id));
    refuseForeignResources(project, observed);
    const thePlan = plan(project, observed, {
      imageIds: Object.fromEntries(Object.entries(images).map(([s, i]) => [s, i.id])),
      forceRecreate: options.forceRecreate,
    });
    // The event stream is open before anything starts, so no health change or exit is missed.
    const [watch] = await Promise.all([StackWatch.open(docker, project.name, signal), createResources(project, thePlan, docker, record, emit, signal)]);
    const ids = new Map<string, string[]>();
    const steps = new Map(thePlan.services.map((s) => [s.service, s]));
    try {
      await runStack(
        describeDependencies(project),
        {
          create: (name) => createServiceContainers(project, steps.get(name)!, images[name]!, ids, docker, record, emit, signal),
          satisfy: (name, edge) => satisfy(project, name, edge, ids, options, watch, emit, signal),
          start: (name) => startService(project, steps.get(name)!, ids, docker, emit, signal),
        },
        abort,
      );
    } finally {
      watch.close();
    }
    await finish(project, thePlan, record, options, warnings, docker, emit);
    return {
      plan: thePlan,
      containers: thePlan.services.flatMap((s) =>
        s.containers.map((c) => ({ service: c.service, name: c.name, id: ids.get(c.service)?.[c.number - 1] ?? '', action: c.action })),
      ),
      warnings,
    };
  } catch (err) {
    controller.abort();
    const cause = options.signal?.aborted
      ? 'up was cancelled'
      : err instanceof EngineError || err instanceof DockerError
        ? err.message
        : String(err);
    if (options.keepOnFailure) {
      throw new EngineError(`${cause}\n(--keep-on-failure: what this run created was left in place; the next up or down tidies it)`, (err as EngineError).service);
    }
    const created = record.createdContainers.length + record.replaced.length + record.createdNetworks.length + record.createdVolumes.length;
    if (created === 0 && before === undefined) throw new EngineError(cause, (err as EngineError).service);
    if (before !== undefined) await sweepUnrecorded(project, before, record, docker);
    if (record.createdContainers.length + record.replaced.length + record.createdNetworks.length + record.createdVolumes.length === 0) {
      throw new EngineError(cause, (err as EngineError).service);
    }
    const undone = await rollback(record, docker, emit);
    throw new EngineError(`${cause}\n${undone}`, (err as EngineError).service);
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}

/** Everything that can be known wrong before the engine is touched. */
function preflight(project: Project, positionOf: PositionOf | undefined): string[] {
  const issues: EngineIssue[] = checkSupported(project, positionOf);
  try {
    startupLevels(project, positionOf);
  } catch (err) {
    if (!(err instanceof DependencyCycleError)) throw err;
    // Bad input like an unsupported key: exit 2 with where to fix it (docs/engine.md).
    issues.push({ path: [...(err.path ?? ['services'])], message: `${err.reason}; remove one of these dependencies`, position: err.at });
  }
  for (const service of Object.values(project.services)) {
    try {
      containerSpec(project, service, { number: 1, configHash: '', image: 'preflight', containerOf: () => 'preflight' });
    } catch (err) {
      if (!(err instanceof TranslationError)) throw err;
      issues.push({ path: err.path, message: err.message, position: positionOf?.(err.path) });
    }
  }
  if (issues.length > 0) throw new UnsupportedConfigError(issues);
  const warnings: string[] = [];
  for (const service of Object.values(project.services)) {
    if (service.deploy?.resources?.reservations?.cpus !== undefined) {
      warnings.push(`services.${service.name}.deploy.resources.reservations.cpus has no Docker Engine equivalent for a container; ignored, as docker compose does`);
    }
    for (const key of ['labels', 'placement', 'update_config', 'rollback_config', 'endpoint_mode'] as const) {
      if (service.deploy?.[key] !== undefined) warnings.push(`services.${service.name}.deploy.${key} is a Swarm setting; ignored outside a swarm, as docker compose does`);
    }
    const policy = service.deploy?.['restart_policy'] as Record<string, unknown> | undefined;
    for (const key of ['delay', 'window'] as const) {
      if (policy?.[key] !== undefined) warnings.push(`services.${service.name}.deploy.restart_policy.${key} has no Docker Engine equivalent; ignored, as docker compose does`);
    }
  }
  return warnings;
}

/**
 * A network or volume the project would create but another compose project already owns is never
 * adopted: with default names `<project>_<key>`, stack `a` with volume `b_data` would otherwise
 * mount stack `a_b`'s volume `data`. Sharing one on purpose is what `external: true` says.
 */
function refuseForeignResources(project: Project, observed: ObservedState): void {
  const externals = new Set([
    ...Object.entries(project.networks).filter(([, n]) => n?.external).map(([k]) => networkName(project, k)),
    ...Object.entries(project.volumes).filter(([, v]) => v?.external).map(([k]) => volumeName(project, k)),
  ]);
  const taken = (observed.foreign ?? []).filter((r) => !externals.has(r.name));
  if (taken.length === 0) return;
  const list = taken.map((r) => `${r.kind} ${r.name} (project "${r.project}")`).join(', ');
  throw new EngineError(`${list} already exist${taken.length === 1 ? 's' : ''} and belong${taken.length === 1 ? 's' : ''} to another compose project; rename the ${taken[0]!.kind} in this project, or declare it \`external: true\` to share it on purpose`);
}

async function createResources(
  project: Project,
  thePlan: Plan,
  docker: DockerClient,
  record: RunRecord,
  emit: ProgressListener,
  signal: AbortSignal,
): Promise<void> {
  const networks = thePlan.networks.map(async (step) => {
    if (step.action === 'keep') return;
    if (step.action === 'external') {
      await docker.networks.inspect(step.name, { signal }).catch((err: unknown) => {
        throw err instanceof DockerNotFoundError ? new EngineError(`external network ${step.name} does not exist; create it first`) : err;
      });
      return;
    }
    emit({ kind: 'network', name: step.name, action: 'create', status: 'working' });
    await docker.networks.create(networkCreateBody(project, step.key), { signal });
    record.createdNetworks.push(step.name);
    emit({ kind: 'network', name: step.name, action: 'create', status: 'done' });
  });
  const volumes = thePlan.volumes.map(async (step) => {
    if (step.action === 'keep') return;
    if (step.action === 'external') {
      await docker.volumes.inspect(step.name, { signal }).catch((err: unknown) => {
        throw err instanceof DockerNotFoundError ? new EngineError(`external volume ${step.name} does not exist; create it first`) : err;
      });
      return;
    }
    emit({ kind: 'volume', name: step.name, action: 'create', status: 'working' });
    await docker.volumes.create(volumeCreateBody(project, step.key), { signal });
    record.createdVolumes.push(step.name);
    emit({ kind: 'volume', name: step.name, action: 'create', status: 'done' });
  });
  const results = await Promise.allSettled([...networks, ...volumes]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function createServiceContainers(
  project: Project,
  step: ServicePlan,
  image: ServiceImage,
  ids: Map<string, string[]>,
  docker: DockerClient,
  record: RunRecord,
  emit: ProgressListener,
  signal: AbortSignal,
): Promise<void> {
  const service = project.services[step.service]!;
  const containerOf = (name: string) => ids.get(name)?.[0];
  const serviceIds: string[] = [];
  ids.set(step.service, serviceIds);
  const results = await Promise.allSettled(
    step.containers.map(async (c) => {
      const event = { kind: 'container', name: c.name, service: c.service } as const;
      if (c.action === 'keep' || c.action === 'start') {
        if (c.adopt) {
          emit({ ...event, action: 'adopt', status: 'working', detail: `from ${c.existing!.name}` });
          await docker.containers.rename(c.existing!.id, c.name, { signal });
          emit({ ...event, action: 'adopt', status: 'done' });
        }
        serviceIds[c.number - 1] = c.existing!.id;
        if (c.action === 'keep') emit({ ...event, action: 'keep', status: 'done' });
        return;
      }
      let inheritedVolumes: Record<string, string> = {};
      if (c.action === 'recreate') {
        emit({ ...event, action: 'recreate', status: 'working', detail: c.reason });
        inheritedVolumes = await setAside(service, c, docker, record, signal);
      } else {
        emit({ ...event, action: 'create', status: 'working' });
      }
      const spec = containerSpec(project, service, {
        number: c.number,
        configHash: step.configHash,
        image: image.ref,
        imageId: image.id,
        inheritedVolumes,
        containerOf,
      });
      const created = await docker.containers.create(spec.name, spec.body, { signal });
      record.createdContainers.push({ id: created.id, name: spec.name, service: c.service, keepsVolumes: Object.keys(inheritedVolumes).length > 0 });
      serviceIds[c.number - 1] = created.id;
      for (const extra of spec.extraNetworks) await docker.networks.connect(extra.network, created.id, extra.endpoint, { signal });
      emit({ ...event, action: c.action, status: 'done' });
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    throw new EngineError(`could not create the containers of service "${step.service}": ${describe(failed.reason)}`, step.service);
  }
}

/**
 * Stops a container that is being replaced and renames it aside (`<id>_<name>`), unless an
 * interrupted run left it aside already; it is removed once the run succeeds. Returns its
 * anonymous volumes by target, which the new container takes over so that their data survives
 * the recreate, as with compose.
 */
async function setAside(
  service: Service,
  step: ContainerStep,
  docker: DockerClient,
  record: RunRecord,
  signal: AbortSignal,
): Promise<Record<string, string>> {
  const old = step.existing!;
  const wasRunning = old.state === 'running' || old.state === 'restarting';
  const inspected = await docker.containers.inspect(old.id, { signal });
  const anonymous = new Set((service.volumes ?? []).filter((v) => v.type === 'volume' && !v.source).map((v) => v.target));
  const inherited: Record<string, string> = {};
  for (const m of inspected.Mounts) {
    if (m.Type === 'volume' && m.Name && anonymous.has(m.Destination)) inherited[m.Destination] = m.Name;
  }
  record.replaced.push({ id: old.id, name: step.name, service: old.service, wasRunning });
  await docker.containers.stop(old.id, { timeoutSeconds: graceSeconds(service) }, { signal });
  if (!step.adopt) await docker.containers.rename(old.id, `${old.id.slice(0, 12)}_${old.name}`, { signal });
  return inherited;
}

/** Waits until one dependency of `dependent` is healthy or completed, as its condition asks. */
async function satisfy(
  project: Project,
  dependent: string,
  edge: DependencyEdge,
  ids: Map<string, string[]>,
  options: UpOptions,
  watch: StackWatch,
  emit: ProgressListener,
  signal: AbortSignal,
): Promise<void> {
  const dep = edge.service;
  if (edge.condition === 'service_started') return;
  const timeoutMs = options.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const containers = (ids.get(dep) ?? []).map((id, i) => ({ id, name: containerName(project, project.services[dep]!, i + 1) }));
  if (containers.length === 0) return;
  const healthy = edge.condition === 'service_healthy';
  const events = containers.map((c): ProgressEvent => ({
    kind: 'container',
    name: c.name,
    service: dep,
    action: healthy ? 'wait-healthy' : 'wait-completed',
    status: 'working',
  }));
  events.forEach(emit);
  const target = { service: dep, containers, deadline: Date.now() + timeoutMs, timeoutMs, signal };
  try {
    await (healthy ? watch.waitHealthy(target) : watch.waitCompleted(target));
    events.forEach((e) => emit({ ...e, status: 'done' }));
  } catch (err) {
    if (!edge.required && err instanceof ServiceWaitError) {
      events.forEach((e) => emit({ ...e, status: 'warning', detail: err.message }));
      return;
    }
    events.forEach((e) => emit({ ...e, status: 'error', detail: describe(err) }));
    throw err instanceof ServiceWaitError ? new ServiceWaitError(dep, err.reason, `${err.message} (needed by "${dependent}")`, err.lastOutput) : err;
  }
}

async function startService(
  project: Project,
  step: ServicePlan,
  ids: Map<string, string[]>,
  docker: DockerClient,
  emit: ProgressListener,
  signal: AbortSignal,
): Promise<void> {
  const service = project.services[step.service]!;
  const serviceIds = ids.get(step.service) ?? [];
  await Promise.all(
    step.containers.map(async (c) => {
      if (c.action === 'keep') return;
      const id = serviceIds[c.number - 1]!;
      const event = { kind: 'container', name: c.name, service: c.service, action: 'start' } as const;
      emit({ ...event, status: 'working' });
      try {
        await docker.containers.start(id, { signal });
      } catch (err) {
        emit({ ...event, status: 'error', detail: describe(err) });
        throw new EngineError(`could not start ${c.name} (service "${c.service}"): ${startFailure(service, err)}`, c.service);
      }
      emit({ ...event, status: 'done' });
    }),
  );
}

/** The engine's reason, made plain where the service asked for hardware this engine has not got. */
function startFailure(service: Service, err: unknown): string {
  const message = describe(err);
  if (requestsDevices(service) && /could not select device driver|nvidia|no such device|unknown device/i.test(message)) {
    return `${message}\nthe service asks for GPUs or other devices (gpus / deploy.resources.reservations.devices), and this Docker engine has no driver for them; run it on a host with the device and its container runtime, or remove the request`;
  }
  return message;
}

/** After a successful start: drop replaced containers, surplus replicas and, if asked, orphans. */
async function finish(
  project: Project,
  thePlan: Plan,
  record: RunRecord,
  options: UpOptions,
  warnings: string[],
  docker: DockerClient,
  emit: ProgressListener,
): Promise<void> {
  const removals: Promise<void>[] = record.replaced.map((old) => removeContainer(docker, old, undefined, emit));
  for (const s of thePlan.services) {
    for (const extra of s.scaleDown) removals.push(removeContainer(docker, extra, graceSeconds(project.services[s.service]!), emit));
    // A stale copy's anonymous volumes go with it; the engine keeps any another container still uses.
    for (const copy of s.stale) removals.push(removeContainer(docker, copy, undefined, emit, true));
  }
  if (thePlan.orphans.length > 0) {
    if (options.removeOrphans) {
      for (const orphan of thePlan.orphans) removals.push(removeContainer(docker, orphan, undefined, emit));
    } else {
      const names = thePlan.orphans.map((o) => o.name).join(', ');
      warnings.push(`found containers of services this project no longer has (${names}); remove them with --remove-orphans`);
      for (const orphan of thePlan.orphans) {
        emit({ kind: 'container', name: orphan.name, service: orphan.service, action: 'orphan', status: 'warning' });
      }
    }
  }
  const results = await Promise.allSettled(removals);
  for (const r of results) if (r.status === 'rejected') warnings.push(describe(r.reason));
}

async function removeContainer(
  docker: DockerClient,
  c: { id: string; name: string; service: string },
  graceSeconds: number | undefined,
  emit: ProgressListener,
  volumes = false,
): Promise<void> {
  const event = { kind: 'container', name: c.name, service: c.service, action: 'remove' } as const;
  emit({ ...event, status: 'working' });
  if (graceSeconds !== undefined) await docker.containers.stop(c.id, { timeoutSeconds: graceSeconds }).catch(() => {});
  await docker.containers.remove(c.id, { force: true, volumes });
  emit({ ...event, status: 'done' });
}

/**
 * A create the engine carried out but whose answer never arrived (the run was cancelled or the
 * connection dropped) is not in the record: any container of the project that was not there
 * before this run is this run's, and goes with the rest of the rollback.
 */
async function sweepUnrecorded(project: Project, before: ReadonlySet<string>, record: RunRecord, docker: DockerClient): Promise<void> {
  const known = new Set([...before, ...record.createdContainers.map((c) => c.id)]);
  const now = await projectContainers(docker, project.name).catch(() => []);
  for (const c of now) {
    if (!known.has(c.id)) record.createdContainers.push({ id: c.id, name: c.name, service: c.service, keepsVolumes: false });
  }
}

/** Undoes a failed run: removes what it created, puts replaced containers back. Never throws. */
async function rollback(record: RunRecord, docker: DockerClient, emit: ProgressListener): Promise<string> {
  const problems: string[] = [];
  const attempt = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (err) {
      if (!(err instanceof DockerNotFoundError)) problems.push(`${what}: ${describe(err)}`);
    }
  };
  await Promise.all(
    record.createdContainers.map((c) =>
      attempt(`remove container ${c.name}`, async () => {
        emit({ kind: 'container', name: c.name, service: c.service, action: 'rollback', status: 'working' });
        await docker.containers.remove(c.id, { force: true, volumes: !c.keepsVolumes });
        emit({ kind: 'container', name: c.name, service: c.service, action: 'rollback', status: 'done' });
      }),
    ),
  );
  await Promise.all(
    record.replaced.map((old) =>
      attempt(`restore container ${old.name}`, async () => {
        // The stop or the rename may not have happened: put back only what did.
        const now = await docker.containers.inspect(old.id);
        if (now.Name.replace(/^\//, '') !== old.name) await docker.containers.rename(old.id, old.name);
        if (old.wasRunning && !now.State.Running) await docker.containers.start(old.id);
      }),
    ),
  );
  await Promise.all(
    record.createdNetworks.map((name) =>
      attempt(`remove network ${name}`, async () => {
        emit({ kind: 'network', name, action: 'rollback', status: 'working' });
        await docker.networks.remove(name);
        emit({ kind: 'network', name, action: 'rollback', status: 'done' });
      }),
    ),
  );
  await Promise.all(
    record.createdVolumes.map((name) =>
      attempt(`remove volume ${name}`, async () => {
        emit({ kind: 'volume', name, action: 'rollback', status: 'working' });
        await docker.volumes.remove(name, { force: true });
        emit({ kind: 'volume', name, action: 'rollback', status: 'done' });
      }),
    ),
  );
  const counts = `${record.createdContainers.length} container(s), ${record.createdNetworks.length} network(s), ${record.createdVolumes.length} volume(s)`;
  const restored = record.replaced.length > 0 ? `; put back ${record.replaced.length} replaced container(s)` : '';
  const summary = `rolled back: removed ${counts} this run created${restored}`;
  return problems.length > 0 ? `${summary}; could not undo: ${problems.join('; ')}` : summary;
}

export function graceSeconds(service: Service): number | undefined {
  return durationToSeconds(service['stop_grace_period'] as string | undefined);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
