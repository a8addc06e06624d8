import type { Project } from '../compose/index.js';
import type { DockerClient } from '../docker/index.js';
import { EngineError } from './errors.js';
import { ignoreProgress, type ProgressListener } from './progress.js';
import { StackWatch } from './wait.js';

/**
 * `up --wait`: after the start, waits until every container is running, and healthy where it has
 * a health check (the compose file's or the image's). A service others wait on with
 * `service_completed_successfully` must instead exit with 0. Fails with the first container
 * that does not get there within `timeoutMs`.
 */
export async function waitUntilReady(
  project: Project,
  containers: readonly { service: string; name: string; id: string }[],
  options: { docker: DockerClient; timeoutMs: number; onProgress?: ProgressListener; signal?: AbortSignal },
): Promise<void> {
  const { docker } = options;
  const emit = options.onProgress ?? ignoreProgress;
  const signal = options.signal ?? new AbortController().signal;
  const deadline = Date.now() + options.timeoutMs;
  const completes = new Set(
    Object.values(project.services).flatMap((s) =>
      Object.entries(s.depends_on ?? {})
        .filter(([, d]) => d.condition === 'service_completed_successfully')
        .map(([dep]) => dep),
    ),
  );
  const watch = await StackWatch.open(docker, project.name, signal);
  try {
    await Promise.all(
      containers.map(async (c) => {
        const target = { service: c.service, containers: [{ id: c.id, name: c.name }], deadline, timeoutMs: options.timeoutMs, signal };
        if (completes.has(c.service)) {
          emit({ kind: 'container', name: c.name, service: c.service, action: 'wait-completed', status: 'working' });
          await watch.waitCompleted(target);
          emit({ kind: 'container', name: c.name, service: c.service, action: 'wait-completed', status: 'done' });
          return;
        }
        const state = (await docker.containers.inspect(c.id, { signal })).State;
        if (state.Health) {
          emit({ kind: 'container', name: c.name, service: c.service, action: 'wait-healthy', status: 'working' });
          await watch.waitHealthy(target);
          emit({ kind: 'container', name: c.name, service: c.service, action: 'wait-healthy', status: 'done' });
        } else if (!state.Running) {
          throw new EngineError(`container ${c.name} exited with code ${state.ExitCode}`, c.service);
        }
      }),
    );
  } finally {
    watch.close();
  }
}
