import { randomBytes } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import type { Project, Service, ServiceVolume } from '../compose/index.js';
import { DockerNotFoundError, type DockerClient } from '../docker/index.js';
import { EngineError } from './errors.js';
import { dependenciesOf, networkModeService } from './graph.js';
import { ensureImages } from './images.js';
import { LABEL, serviceHash } from './labels.js';
import { ignoreProgress, type ProgressListener } from './progress.js';
import { checkServiceNames, serviceContainer } from './select.js';
import { followTerminalSize, pipeStdio, type StdioStreams } from './stdio.js';
import { containerSpec, networkCreateBody, networkName, networksByPriority, volumeCreateBody, volumeName } from './translate.js';
import { up } from './up.js';
import { StackWatch } from './wait.js';

export interface RunOptions {
  docker: DockerClient;
  service: string;
  /** Replaces the service's command when not empty. */
  command?: string[];
  /** Replaces the service's entrypoint (`--entrypoint`); an empty list clears it. */
  entrypoint?: string[];
  /** Added to the service's environment; null sends a bare `KEY` (unset in the container). */
  env?: Record<string, string | null>;
  /** `SOURCE:TARGET[:ro|rw]` bind mounts or named volumes of the project, as `-v` takes them. */
  volumes?: string[];
  user?: string;
  workdir?: string;
  /** Container name instead of `<project>-<service>-run-<id>`. */
  name?: string;
  /** Remove the container once it has exited (`--rm`). */
  remove?: boolean;
  /** Do not start the services this one depends on (`--no-deps`). */
  noDeps?: boolean;
  /** Start the container and return its name without waiting (`-d`). */
  detach?: boolean;
  tty: boolean;
  /** Keep stdin open and attach it (compose's default, `-i`). */
  interactive: boolean;
  /** Publish the service's ports (`--service-ports`); a one-off container publishes none otherwise. */
  servicePorts?: boolean;
  io: StdioStreams;
  /** Called once the container exists, before its output starts (a progress display stops there). */
  beforeAttach?: () => void;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface RunResult {
  container: string;
  /** The command's exit code; 0 for a detached run. */
  exitCode: number;
}

/** Waits on a dependency's condition are limited as `up`'s are. */
const WAIT_TIMEOUT_MS = 120_000;

/**
 * `docker compose run`: a one-off container of the service (`com.docker.compose.oneoff=True`,
 * named `<project>-<service>-run-<12 hex>`), after starting its dependencies unless `noDeps`.
 * Attached, it returns the command's exit code once the container has exited.
 */
export async function runOneOff(project: Project, options: RunOptions): Promise<RunResult> {
  const { docker, signal } = options;
  const emit = options.onProgress ?? ignoreProgress;
  checkServiceNames(project, [options.service]);
  const base = project.services[options.service] ?? project.disabled_services[options.service]!;
  const service = withOverrides(project, base, options);
  const active: Project = { ...project, services: { ...project.services, [service.name]: service } };

  if (!options.noDeps) await startDependencies(active, service, docker, emit, signal);
  await ensureResources(active, service, docker, signal);
  const images = await ensureImages({ ...active, services: { [service.name]: service } }, { docker, onProgress: emit, signal: signal ?? new AbortController().signal });
  const image = images[service.name]!;
  const shared = networkModeService(service);
  const networkModeContainer = shared ? (await serviceContainer(docker, project.name, shared, { running: true }, { signal })).id : undefined;

  const slug = randomBytes(32).toString('hex');
  const name = options.name ?? `${project.name}-${service.name}-run-${slug.slice(0, 12)}`;
  const spec = containerSpec(active, service, {
    number: 1,
    configHash: serviceHash(base),
    image: image.ref,
    imageId: image.id,
    ...(networkModeContainer ? { networkModeContainer } : {}),
  });
  const attach = !options.detach;
  const body = {
    ...spec.body,
    Labels: { ...spec.body.Labels, [LABEL.oneoff]: 'True', [LABEL.slug]: slug },
    Tty: options.tty,
    OpenStdin: attach && options.interactive,
    StdinOnce: attach && options.interactive,
    AttachStdin: attach && options.interactive,
    HostConfig: { ...spec.body.HostConfig },
  };
  if (!options.servicePorts) delete body.HostConfig.PortBindings;
  // A one-off container that removes itself must not be restarted by the engine.
  if (options.remove) delete body.HostConfig.RestartPolicy;
  const created = await docker.containers.create(name, body, { signal });
  for (const extra of spec.extraNetworks) await docker.networks.connect(extra.network, created.id, extra.endpoint, { signal });

  options.beforeAttach?.();
  if (options.detach) {
    await docker.containers.start(created.id, { signal });
    return { container: name, exitCode: 0 };
  }
  // The wait is asked for before the start so a quick exit is not missed; it is let go of when
  // anything fails before the container exits (a container never started never exits).
  const waiting = new AbortController();
  try {
    const connection = await docker.containers.attach(created.id, { stdin: options.interactive && options.io.stdin !== undefined });
    const exited = docker.containers.wait(created.id, { condition: 'next-exit' }, { signal: waiting.signal });
    exited.catch(() => {});
    // Without a TTY, Ctrl-C is not a byte on stdin: pass it on as docker run does.
    const interrupt = () => void docker.containers.kill(created.id, { signal: 'SIGINT' }).catch(() => {});
    signal?.addEventListener('abort', interrupt);
    const stopResizing = options.tty ? followTerminalSize(options.io, (size) => docker.containers.resize(created.id, size)) : () => {};
    try {
      try {
        await docker.containers.start(created.id);
      } catch (err) {
        connection.destroy();
        throw err;
      }
      await pipeStdio(connection, options.tty, options.io);
      return { container: name, exitCode: (await exited).exitCode };
    } finally {
      stopResizing();
      signal?.removeEventListener('abort', interrupt);
    }
  } finally {
    waiting.abort();
    if (options.remove) await docker.containers.remove(created.id, { force: true, volumes: true }).catch(() => {});
  }
}

function withOverrides(project: Project, base: Service, options: RunOptions): Service {
  const service: Service = { ...base };
  if (options.command?.length) service.command = options.command;
  if (options.entrypoint !== undefined) {
    service.entrypoint = options.entrypoint;
    // As compose: a new entrypoint drops the service's command unless one is given.
    if (!options.command?.length) service.command = null;
  }
  if (options.env && Object.keys(options.env).length > 0) service.environment = { ...base.environment, ...options.env };
  if (options.user) service.user = options.user;
  if (options.workdir) service['working_dir'] = options.workdir;
  if (options.volumes?.length) service.volumes = [...(base.volumes ?? []), ...options.volumes.map((v) => parseVolume(project, v))];
  return service;
}

/** `-v SOURCE:TARGET[:MODE]`: a path is a bind mount (relative to the project directory), a name one of the project's volumes. */
export function parseVolume(project: Project, spec: string): ServiceVolume {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) {
    throw new EngineError(`-v "${spec}" is not SOURCE:TARGET[:ro|rw]`);
  }
  const [source, target, mode] = parts as [string, string, string | undefined];
  if (mode !== undefined && mode !== 'ro' && mode !== 'rw') throw new EngineError(`-v "${spec}": the mode must be ro or rw, not "${mode}"`);
  if (!target.startsWith('/')) throw new EngineError(`-v "${spec}": the target must be an absolute path in the container`);
  const readOnly = mode === 'ro' ? { read_only: true } : {};
  if (isAbsolute(source) || source.startsWith('.') || source.startsWith('~')) {
    const home = process.env.HOME ?? '/';
    const path = source.startsWith('~') ? resolve(home, `.${source.slice(1)}`) : resolve(project.working_dir, source);
    // As a short-syntax bind in a compose file: a missing host path is created.
    return { type: 'bind', source: path, target, bind: { create_host_path: true }, ...readOnly };
  }
  if (!(source in project.volumes)) {
    throw new EngineError(`-v "${spec}": volume "${source}" is not declared in the project's volumes`);
  }
  return { type: 'volume', source, target, ...readOnly };
}

/** Brings the service's dependencies up as `up` does, then waits on the service's own conditions. */
async function startDependencies(
  project: Project,
  service: Service,
  docker: DockerClient,
  emit: ProgressListener,
  signal: AbortSignal | undefined,
): Promise<void> {
  const needed = new Set<string>();
  const visit = (s: Service) => {
    for (const dep of dependenciesOf(project, s)) {
      if (needed.has(dep)) continue;
      needed.add(dep);
      visit(project.services[dep]!);
    }
  };
  visit(service);
  if (needed.size === 0) return;
  const services = Object.fromEntries([...needed].map((s) => [s, project.services[s]!]));
  // The others stay the project's (not orphans) but are left alone.
  const others = Object.fromEntries(Object.entries(project.services).filter(([s]) => !needed.has(s)));
  const result = await up(
    { ...project, services, disabled_services: { ...project.disabled_services, ...others } },
    { docker, onProgress: emit, ...(signal ? { signal } : {}) },
  );
  const waitSignal = signal ?? new AbortController().signal;
  const watch = await StackWatch.open(docker, project.name, waitSignal);
  try {
    await Promise.all(
      Object.entries(service.depends_on ?? {}).map(async ([dep, d]) => {
        if (d.condition === 'service_started' || !needed.has(dep)) return;
        const containers = result.containers.filter((c) => c.service === dep).map((c) => ({ id: c.id, name: c.name }));
        const target = { service: dep, containers, deadline: Date.now() + WAIT_TIMEOUT_MS, timeoutMs: WAIT_TIMEOUT_MS, signal: waitSignal };
        await (d.condition === 'service_healthy' ? watch.waitHealthy(target) : watch.waitCompleted(target));
      }),
    );
  } finally {
    watch.close();
  }
}

/** The networks and volumes the one-off container needs, created when they do not exist yet. */
async function ensureResources(project: Project, service: Service, docker: DockerClient, signal: AbortSignal | undefined): Promise<void> {
  const missing = (err: unknown) => {
    if (err instanceof DockerNotFoundError) return undefined;
    throw err;
  };
  for (const key of networksByPriority(service)) {
    const name = networkName(project, key);
    if (await docker.networks.inspect(name, { signal }).catch(missing)) continue;
    if (project.networks[key]?.external) throw new EngineError(`external network ${name} does not exist; create it first`);
    await docker.networks.create(networkCreateBody(project, key), { signal });
  }
  for (const v of service.volumes ?? []) {
    if (v.type !== 'volume' || !v.source || !(v.source in project.volumes)) continue;
    const name = volumeName(project, v.source);
    if (await docker.volumes.inspect(name, { signal }).catch(missing)) continue;
    if (project.volumes[v.source]?.external) throw new EngineError(`external volume ${name} does not exist; create it first`);
    await docker.volumes.create(volumeCreateBody(project, v.source), { signal });
  }
}
