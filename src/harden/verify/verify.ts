import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerNotFoundError, type DockerClient } from '../../docker/index.js';
import type { ProgressListener } from '../../engine/index.js';
import { HardenError } from '../errors.js';
import { probesFor } from '../healthcheck.js';
import { renderOverlay } from '../overlay-writer.js';
import { containerPorts } from '../shared.js';
import type { HardenTarget } from '../target.js';
import type { HardenInput, HardenPlan } from '../types.js';
import { runAttempt, type ServiceRun } from './attempt.js';
import { backOff, backOffFinal } from './backoff.js';
import { limitsFromPeaks } from './sizing.js';
import { scratchDir, stageProject, standInVariables, type Mode } from './stage.js';
import { tmpfsTargets } from './written-paths.js';

export interface VerifyOptions {
  docker: DockerClient;
  target: HardenTarget;
  input: HardenInput;
  /** Image reference of each service on the engine. */
  images: ReadonlyMap<string, string>;
  env: Readonly<Record<string, string | undefined>>;
  /** Longest wait for the stack to settle in one attempt (default 60 s). */
  settleMs?: number;
  /** Attempts at most (default 12). */
  maxAttempts?: number;
  /** One line per step: what ran, what was backed off and why. */
  onStep?: (line: string) => void;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface VerifyResult {
  attempts: number;
  /** Every service ran healthy (or completed) with the final overlay. */
  healthy: boolean;
  /** What was backed off, in order. */
  steps: string[];
}

/**
 * Proves the plan on the local engine (docs/harden.md, "Verification"): runs the stack with the
 * overlay under a throwaway project name, backs off the one hardening that breaks each failing
 * service and tries again, then sizes the limits from the observed peaks, gives a tmpfs to every
 * path a service wrote and runs it once more with read-only root filesystems. Mutates the plan.
 */
export async function verifyPlan(plan: HardenPlan, options: VerifyOptions): Promise<VerifyResult> {
  const { docker } = options;
  for (const [service, ref] of options.images) {
    try {
      await docker.images.inspect(ref, { signal: options.signal });
    } catch (err) {
      if (err instanceof DockerNotFoundError) {
        throw new HardenError(`image "${ref}" of service "${service}" is not on this engine; --verify never pulls: build or load it first`);
      }
      throw err;
    }
  }
  const scratch = scratchDir();
  const env = { ...options.env, ...standInVariables(plan, options.env) };
  const steps: string[] = [];
  const step = (line: string) => {
    steps.push(line);
    options.onStep?.(line);
  };
  const max = options.maxAttempts ?? 12;
  const raised = new Set<string>();
  let mode: Mode = 'observe';
  let attempts = 0;
  try {
    while (attempts < max) {
      attempts++;
      const runs = await attempt(plan, options, scratch, env, mode, attempts);
      const failing = [...runs].filter(([, r]) => !r.outcome.ok);
      step(`attempt ${attempts} (${mode === 'observe' ? 'writable root, no limits' : 'final'}): ${failing.length === 0 ? 'every service is healthy' : failing.map(([n, r]) => `${n} ${r.outcome.state}`).join(', ')}`);
      if (failing.length === 0) {
        if (mode === 'final') return { attempts, healthy: true, steps };
        applyObservations(plan, runs, options.input);
        mode = 'final';
        continue;
      }
      // A service that never started waits on another; only the ones that ran are judged.
      const culprits = failing.filter(([, r]) => r.outcome.state !== 'was never started');
      if (culprits.length === 0) throw new HardenError(`the stack did not start: ${failing.map(([n]) => n).join(', ')} never started`);
      for (const [name, run] of culprits) {
        const service = plan.services[name]!;
        const probes = probesFor(containerPorts(options.input.project.services[name]!, options.input.images.get(name)?.exposedPorts)[0] ?? 0, options.input.images.get(name)?.tools ?? {});
        const change = mode === 'observe' ? backOff(service, run.outcome, probes) : backOffFinal(service, run.outcome, raised);
        if (!change) throw new HardenError(`service "${name}" ${run.outcome.state} even without harden's changes; fix the stack first`);
        step(`  ${name}: ${change}`);
      }
    }
    return { attempts, healthy: false, steps };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function attempt(plan: HardenPlan, options: VerifyOptions, scratch: string, env: Record<string, string | undefined>, mode: Mode, n: number): Promise<Map<string, ServiceRun>> {
  const overlay = join(scratch, `attempt-${n}.yml`);
  writeFileSync(overlay, renderOverlay(plan, []));
  const name = `shipshape-harden-${randomBytes(4).toString('hex')}`;
  const project = stageProject(options.target, overlay, name, env, scratch, mode, plan);
  return runAttempt(project, { docker: options.docker, settleMs: options.settleMs ?? 60_000, onProgress: options.onProgress, signal: options.signal });
}

/** After a clean observe run: a tmpfs for what each service wrote, limits from its peaks. */
function applyObservations(plan: HardenPlan, runs: Map<string, ServiceRun>, input: HardenInput): void {
  for (const [name, run] of runs) {
    const service = plan.services[name];
    const model = input.project.services[name];
    if (!service || !model) continue;
    if (service.readOnly) {
      const mounted = [...(model.volumes ?? []).map((v) => v.target), ...((model['tmpfs'] as string[] | undefined) ?? []).map((t) => String(t).split(':')[0]!), ...service.readOnly.tmpfs, ...(service.secrets?.refs ?? []).map((r) => r.target ?? '/run/secrets')];
      const more = tmpfsTargets(run.changes, mounted.filter((m): m is string => typeof m === 'string' && m !== ''));
      service.readOnly.tmpfs = [...service.readOnly.tmpfs, ...more];
      if (more.length > 0) service.readOnly.note = `${service.readOnly.note}; --verify saw it write ${more.join(', ')}`;
    }
    if (service.limits) {
      const sized = limitsFromPeaks(run.peaks);
      service.limits = {
        ...service.limits,
        measured: true,
        ...(service.limits.memory ? { memory: sized.memory } : {}),
        ...(service.limits.cpus ? { cpus: sized.cpus } : {}),
        ...(service.limits.pids ? { pids: sized.pids } : {}),
      };
    }
  }
}
