import { DockerTimeoutError, type DockerClient } from '../docker/index.js';
import { ServiceWaitError } from './errors.js';

export interface WaitTarget {
  service: string;
  containers: { id: string; name: string }[];
  /** Milliseconds since the epoch after which waiting fails. */
  deadline: number;
  /** How long the caller was willing to wait, for the message. */
  timeoutMs: number;
  signal: AbortSignal;
}

const POLL_MS = 100;

/**
 * Waits until every container of the service reports `healthy`. Fails at once when one turns
 * `unhealthy` or stops, and at the deadline; each failure names the service and quotes the last
 * health check output, which is what tells a person why.
 */
export async function waitHealthy(docker: DockerClient, target: WaitTarget): Promise<void> {
  const pending = new Map(target.containers.map((c) => [c.id, c]));
  let lastOutput: string | undefined;
  for (;;) {
    for (const [id, container] of pending) {
      const info = await docker.containers.inspect(id, { signal: target.signal });
      const health = info.State.Health;
      const log = health?.Log;
      const last = log && log.length > 0 ? log[log.length - 1] : undefined;
      if (last) lastOutput = last.Output.trim();
      if (!info.State.Running && info.State.Status !== 'created') {
        throw new ServiceWaitError(
          target.service,
          'exited',
          `service "${target.service}" stopped (container ${container.name} exited with code ${info.State.ExitCode}) before it became healthy${quote(lastOutput)}`,
          lastOutput,
        );
      }
      if (!health) {
        throw new ServiceWaitError(
          target.service,
          'failed',
          `service "${target.service}" has no healthcheck, so nothing can wait for it to be healthy (container ${container.name})`,
        );
      }
      if (health.Status === 'healthy') pending.delete(id);
      else if (health.Status === 'unhealthy') {
        throw new ServiceWaitError(
          target.service,
          'unhealthy',
          `service "${target.service}" is unhealthy (container ${container.name})${quote(lastOutput)}`,
          lastOutput,
        );
      }
    }
    if (pending.size === 0) return;
    if (Date.now() >= target.deadline) {
      throw new ServiceWaitError(
        target.service,
        'timeout',
        `service "${target.service}" did not become healthy within ${seconds(target.timeoutMs)}${
          lastOutput === undefined ? '; no health check had finished yet' : quote(lastOutput)
        }`,
        lastOutput,
      );
    }
    await sleep(Math.min(POLL_MS, Math.max(0, target.deadline - Date.now())), target.signal);
  }
}

/** Waits until every container of the service has exited, and fails unless each exited with 0. */
export async function waitCompleted(docker: DockerClient, target: WaitTarget): Promise<void> {
  await Promise.all(
    target.containers.map(async (container) => {
      const remaining = Math.max(1, target.deadline - Date.now());
      let exitCode: number;
      try {
        ({ exitCode } = await docker.containers.wait(container.id, { condition: 'not-running' }, { signal: target.signal, timeoutMs: remaining }));
      } catch (err) {
        if (err instanceof DockerTimeoutError) {
          throw new ServiceWaitError(
            target.service,
            'timeout',
            `service "${target.service}" did not complete within ${seconds(target.timeoutMs)} (container ${container.name} is still running)`,
          );
        }
        throw err;
      }
      if (exitCode !== 0) {
        const tail = await lastLines(docker, container.id, target.signal);
        throw new ServiceWaitError(
          target.service,
          'exited',
          `service "${target.service}" didn't complete successfully: container ${container.name} exited with code ${exitCode}${quote(tail)}`,
          tail,
        );
      }
    }),
  );
}

async function lastLines(docker: DockerClient, id: string, signal: AbortSignal): Promise<string | undefined> {
  try {
    const lines: string[] = [];
    for await (const { line } of docker.containers.logs(id, { tail: 5 }, { signal })) lines.push(line);
    return lines.length > 0 ? lines.join('\n') : undefined;
  } catch {
    return undefined;
  }
}

function quote(output: string | undefined): string {
  if (output === undefined || output === '') return '';
  const trimmed = output.length > 500 ? `${output.slice(0, 500)}…` : output;
  return `; last output: ${trimmed}`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
