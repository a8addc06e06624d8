import { setTimeout as sleep } from 'node:timers/promises';
import type { Project } from '../../compose/index.js';
import { DockerError, type ContainerChange, type ContainerStats, type DockerClient } from '../../docker/index.js';
import { down, EngineError, projectContainers, up, type ProgressListener } from '../../engine/index.js';
import { isOneShot } from '../shared.js';
import type { Outcome } from './backoff.js';
import type { Peaks } from './sizing.js';

export interface ServiceRun {
  outcome: Outcome;
  changes: ContainerChange[];
  peaks: Peaks;
}

export interface AttemptOptions {
  docker: DockerClient;
  /** Longest wait for the stack to settle, per attempt. */
  settleMs: number;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

/** Polls until each container is healthy, done, failed or steadily running: this many polls in a row. */
const STEADY_POLLS = 3;
const POLL_MS = 1000;

/**
 * Runs the staged project once and watches it: health, exit codes, what each container wrote
 * (`docker diff`) and its memory, process and CPU peaks (one-shot stats per poll). Everything the
 * attempt created is removed again, volumes included, whatever happened.
 */
export async function runAttempt(project: Project, options: AttemptOptions): Promise<Map<string, ServiceRun>> {
  const { docker, signal } = options;
  const runs = new Map<string, ServiceRun>();
  try {
    try {
      await up(project, { docker, keepOnFailure: true, waitTimeoutMs: options.settleMs, onProgress: options.onProgress, signal });
    } catch (err) {
      if (!(err instanceof EngineError) && !(err instanceof DockerError)) throw err;
    }
    await watch(project, options, runs);
  } finally {
    await down(project, { docker, removeVolumes: true, timeoutSeconds: 2 }).catch(() => undefined);
  }
  return runs;
}

async function watch(project: Project, options: AttemptOptions, runs: Map<string, ServiceRun>): Promise<void> {
  const { docker, signal } = options;
  const steady = new Map<string, number>();
  const deadline = Date.now() + options.settleMs;
  const cpuBefore = new Map<string, { total: number; system: number }>();
  for (;;) {
    const containers = await projectContainers(docker, project.name, { signal });
    let settled = true;
    for (const name of Object.keys(project.services)) {
      const c = containers.find((x) => x.service === name);
      const run = runs.get(name) ?? { outcome: { ok: false, state: 'was never started', running: false, unhealthy: false, oomKilled: false, logs: '' }, changes: [], peaks: { memoryBytes: 0, pids: 0, cpus: 0 } };
      runs.set(name, run);
      if (!c) continue;
      const state = (await docker.containers.inspect(c.id, { signal })).State;
      const health = state.Health?.Status;
      const oneShot = isOneShot(project, name);
      if (state.Running) {
        sample(await docker.containers.stats(c.id, { signal }).catch(() => undefined), run.peaks, cpuBefore, name);
        steady.set(name, (steady.get(name) ?? 0) + 1);
      }
      const exited = !state.Running && state.Status !== 'created';
      const ok = exited ? oneShot && state.ExitCode === 0 : health ? health === 'healthy' : (steady.get(name) ?? 0) >= STEADY_POLLS;
      const words = state.OOMKilled
        ? 'was killed for lack of memory'
        : exited
          ? `exited with code ${state.ExitCode}`
          : health === 'unhealthy'
            ? 'was unhealthy'
            : health === 'starting'
              ? 'did not become healthy'
              : state.Status === 'created'
                ? 'was never started'
                : 'kept running';
      run.outcome = { ok, state: words, running: state.Running, unhealthy: health !== undefined && health !== 'healthy', oomKilled: state.OOMKilled, logs: run.outcome.logs };
      // Watching starts once `up` has returned: a container still only created never starts.
      const final = ok || exited || health === 'unhealthy' || state.Status === 'created';
      if (!final) settled = false;
    }
    if (settled || Date.now() > deadline || signal?.aborted) break;
    await sleep(POLL_MS, undefined, { signal }).catch(() => undefined);
  }
  for (const c of await projectContainers(docker, project.name, { signal })) {
    const run = runs.get(c.service);
    if (!run) continue;
    run.changes = await docker.containers.changes(c.id, { signal }).catch(() => []);
    if (!run.outcome.ok) run.outcome.logs = await tail(docker, c.id, signal);
  }
}

function sample(stats: ContainerStats | undefined, peaks: Peaks, before: Map<string, { total: number; system: number }>, name: string): void {
  if (!stats) return;
  const memory = stats.memory_stats as { usage?: number; max_usage?: number; stats?: { cache?: number } } | undefined;
  const used = Math.max(memory?.max_usage ?? 0, memory?.usage ?? 0);
  peaks.memoryBytes = Math.max(peaks.memoryBytes, used);
  peaks.pids = Math.max(peaks.pids, (stats as { pids_stats?: { current?: number } }).pids_stats?.current ?? 0);
  const cpu = stats.cpu_stats as { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number; online_cpus?: number } | undefined;
  const total = cpu?.cpu_usage?.total_usage ?? 0;
  const system = cpu?.system_cpu_usage ?? 0;
  const last = before.get(name);
  if (last && system > last.system) peaks.cpus = Math.max(peaks.cpus, ((total - last.total) / (system - last.system)) * (cpu?.online_cpus ?? 1));
  before.set(name, { total, system });
}

async function tail(docker: DockerClient, id: string, signal?: AbortSignal): Promise<string> {
  const lines: string[] = [];
  try {
    for await (const line of docker.containers.logs(id, { tail: 40 }, { signal })) lines.push(line.line);
  } catch {
    // The output only helps to guess; without it the back-off goes in its usual order.
  }
  return lines.join('\n');
}
