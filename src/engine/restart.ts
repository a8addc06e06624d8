import type { Project } from '../compose/index.js';
import type { DockerClient } from '../docker/index.js';
import { EngineError } from './errors.js';
import { dependenciesOf } from './graph.js';
import { projectContainers } from './observe.js';
import { ignoreProgress, type ProgressListener } from './progress.js';
import { runGraph } from './run-graph.js';
import { graceSeconds } from './up.js';

export interface RestartOptions {
  docker: DockerClient;
  /** Only these services (default all). */
  services?: string[];
  timeoutSeconds?: number;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

/**
 * `docker compose restart`: restarts the services' existing containers (it creates nothing and
 * applies no changed configuration), dependencies before their dependents, independent services
 * in parallel. Returns the names of the restarted containers.
 */
export async function restart(project: Project, options: RestartOptions): Promise<string[]> {
  const emit = options.onProgress ?? ignoreProgress;
  const selected = options.services?.length ? options.services : Object.keys(project.services);
  const unknown = selected.filter((s) => !(s in project.services));
  if (unknown.length > 0) throw new EngineError(`no such service: ${unknown.join(', ')}`);
  const containers = await projectContainers(options.docker, project.name, { signal: options.signal });
  const restarted: string[] = [];
  await runGraph(
    selected,
    (s) => dependenciesOf(project, project.services[s]!),
    async (service) => {
      const grace = options.timeoutSeconds ?? graceSeconds(project.services[service]!);
      await Promise.all(
        containers
          .filter((c) => c.service === service)
          .map(async (c) => {
            const event = { kind: 'container', name: c.name, service, action: 'restart' } as const;
            emit({ ...event, status: 'working' });
            try {
              await options.docker.containers.restart(c.id, grace === undefined ? {} : { timeoutSeconds: grace }, { signal: options.signal });
            } catch (err) {
              emit({ ...event, status: 'error', detail: (err as Error).message });
              throw new EngineError(`could not restart ${c.name}: ${(err as Error).message}`, service);
            }
            restarted.push(c.name);
            emit({ ...event, status: 'done' });
          }),
      );
    },
  );
  return restarted;
}
