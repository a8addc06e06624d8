import type { Project } from '../compose/index.js';
import { DockerNotFoundError, type DockerClient } from '../docker/index.js';
import { EngineError } from './errors.js';
import { dependenciesOf } from './graph.js';
import type { ObservedContainer } from './plan.js';
import { ignoreProgress, type ProgressAction, type ProgressListener } from './progress.js';
import { runGraph } from './run-graph.js';
import { checkServiceNames, selectContainers } from './select.js';

export interface LifecycleOptions {
  docker: DockerClient;
  /** Only these services (default all). */
  services?: string[];
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

const RUNNING = ['running', 'restarting'];

/**
 * `docker compose start`: starts the services' existing stopped containers, dependencies before
 * their dependents (independent services in parallel). Creates nothing; a selection without any
 * container is an error, as in compose. Returns the started containers' names.
 */
export async function start(project: Project, options: LifecycleOptions): Promise<string[]> {
  const selected = await selection(project, options);
  if (selected.containers.length === 0) throw new EngineError('no containers to start; create them with up');
  const started: string[] = [];
  const services = [...new Set(selected.containers.map((c) => c.service))];
  await runGraph(
    services,
    (s) => (project.services[s] ? dependenciesOf(project, project.services[s]) : []),
    async (service) => {
      const stopped = selected.containers.filter((c) => c.service === service && !RUNNING.includes(c.state) && c.state !== 'paused');
      await each(stopped, 'start', options, async (c) => {
        await options.docker.containers.start(c.id, { signal: options.signal });
        started.push(c.name);
      });
    },
  );
  return started;
}

/** `docker compose kill [-s SIGNAL]`: sends the signal (default SIGKILL) to the running containers. */
export async function kill(project: Project, options: LifecycleOptions & { signalName?: string }): Promise<string[]> {
  const { containers } = await selection(project, options);
  const running = containers.filter((c) => RUNNING.includes(c.state));
  if (running.length === 0) throw new EngineError('no running containers to kill');
  const killed: string[] = [];
  await each(running, 'kill', options, async (c) => {
    await options.docker.containers.kill(c.id, { signal: options.signalName ?? 'SIGKILL' }, { signal: options.signal });
    killed.push(c.name);
  });
  return killed;
}

/** `docker compose pause`: freezes the running containers. */
export async function pause(project: Project, options: LifecycleOptions): Promise<string[]> {
  const { containers } = await selection(project, options);
  const done: string[] = [];
  await each(containers.filter((c) => c.state === 'running'), 'pause', options, async (c) => {
    await options.docker.containers.pause(c.id, { signal: options.signal });
    done.push(c.name);
  });
  return done;
}

/** `docker compose unpause`: thaws the paused containers. */
export async function unpause(project: Project, options: LifecycleOptions): Promise<string[]> {
  const { containers } = await selection(project, options);
  const done: string[] = [];
  await each(containers.filter((c) => c.state === 'paused'), 'unpause', options, async (c) => {
    await options.docker.containers.unpause(c.id, { signal: options.signal });
    done.push(c.name);
  });
  return done;
}

/** The stopped containers `rm` would remove (all of the selection with `stop`, which stops them first). */
export async function removable(project: Project, options: LifecycleOptions & { stop?: boolean }): Promise<ObservedContainer[]> {
  const { containers } = await selection(project, options);
  return options.stop ? containers : containers.filter((c) => !RUNNING.includes(c.state) && c.state !== 'paused');
}

/**
 * `docker compose rm`: removes the given containers (from `removable`), with their anonymous
 * volumes when `volumes`. Running ones are stopped first (what `-s` asked for).
 */
export async function remove(
  containers: ObservedContainer[],
  options: Omit<LifecycleOptions, 'services'> & { volumes?: boolean; timeoutSeconds?: number },
): Promise<string[]> {
  const removed: string[] = [];
  await each(containers, 'remove', options, async (c) => {
    if (RUNNING.includes(c.state) || c.state === 'paused') {
      await options.docker.containers.stop(c.id, options.timeoutSeconds === undefined ? {} : { timeoutSeconds: options.timeoutSeconds }, { signal: options.signal });
    }
    await options.docker.containers.remove(c.id, { force: true, volumes: options.volumes ?? false }, { signal: options.signal });
    removed.push(c.name);
  });
  return removed;
}

async function selection(project: Project, options: LifecycleOptions): Promise<{ containers: ObservedContainer[] }> {
  const services = options.services ?? [];
  checkServiceNames(project, services);
  return { containers: await selectContainers(options.docker, project.name, services, { signal: options.signal }) };
}

/** Runs `action` on every container in parallel, reporting progress; collects every failure into one error. */
async function each(
  containers: ObservedContainer[],
  action: ProgressAction,
  options: { onProgress?: ProgressListener },
  work: (c: ObservedContainer) => Promise<void>,
): Promise<void> {
  const emit = options.onProgress ?? ignoreProgress;
  const problems: string[] = [];
  await Promise.all(
    containers.map(async (c) => {
      const event = { kind: 'container', name: c.name, service: c.service, action } as const;
      emit({ ...event, status: 'working' });
      try {
        await work(c);
        emit({ ...event, status: 'done' });
      } catch (err) {
        if (err instanceof DockerNotFoundError && action === 'remove') return emit({ ...event, status: 'done' });
        const message = err instanceof Error ? err.message : String(err);
        emit({ ...event, status: 'error', detail: message });
        problems.push(`${c.name}: ${message}`);
      }
    }),
  );
  if (problems.length > 0) throw new EngineError(`${action} did not finish cleanly:\n${problems.join('\n')}`);
}
