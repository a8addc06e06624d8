import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasErrors, loadProject, formatDiagnostic, type Project } from '../../compose/index.js';
import { HardenError } from '../errors.js';
import type { HardenTarget } from '../target.js';
import type { HardenPlan } from '../types.js';

export type Mode = 'observe' | 'final';

/** A scratch folder for one verification: the overlay of each attempt and stand-in secret files. */
export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'shipshape-harden-'));
}

/** Random stand-ins for the variables the overlay requires, so the stack can start; never shown. */
export function standInVariables(plan: HardenPlan, env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of plan.requiredVariables) if (!env[name]) out[name] = randomBytes(18).toString('base64url');
  return out;
}

/**
 * The model one attempt runs: the project with the overlay under a throwaway name, changed only in
 * what a test run needs and the overlay is not about. Published ports go to random ports on
 * 127.0.0.1, fixed container names are dropped, health checks probe every second, nothing is
 * restarted (an exit is seen as one), and a missing secret file gets a random stand-in. In
 * `observe` mode the root filesystem stays writable and harden's own limits are off, so that
 * `docker diff` and the peaks show what the service really does.
 */
export function stageProject(target: HardenTarget, overlay: string, name: string, env: Record<string, string | undefined>, scratch: string, mode: Mode, plan: HardenPlan): Project {
  const load = loadProject({ workingDir: target.dir, files: [...target.files, overlay], projectName: name, env });
  if (!load.project || hasErrors(load.diagnostics)) {
    const errors = load.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d));
    throw new HardenError(`--verify needs a project that loads without errors:\n${errors.join('\n')}`);
  }
  const project = load.project;
  for (const [key, network] of Object.entries(project.networks)) {
    if (network.external) throw new HardenError(`--verify does not run stacks with external networks (network "${key}")`);
  }
  for (const [key, volume] of Object.entries(project.volumes)) {
    if (volume.external) throw new HardenError(`--verify does not run stacks with external volumes (volume "${key}")`);
  }
  for (const [key, secret] of Object.entries(project.secrets)) {
    if (secret.external) throw new HardenError(`--verify does not run stacks with external secrets (secret "${key}")`);
    if (secret.file && !existsSync(secret.file)) {
      const standIn = join(scratch, `secret-${key}`);
      writeFileSync(standIn, randomBytes(24).toString('base64url'), { mode: 0o600 });
      secret.file = standIn;
    }
  }
  for (const [service, s] of Object.entries(project.services)) {
    delete s['container_name'];
    s.ports = (s.ports ?? []).map((p) => ({ ...p, host_ip: '127.0.0.1', published: undefined }));
    s.restart = 'no';
    delete s.deploy?.['restart_policy'];
    if (s.healthcheck && !s.healthcheck.disable) s.healthcheck = { ...s.healthcheck, interval: '1s', timeout: s.healthcheck.timeout ?? '5s', start_period: '0s' };
    else if (!s.healthcheck) s.healthcheck = { interval: '1s', start_period: '0s' };
    const mine = plan.services[service];
    if (mode === 'observe' && mine?.readOnly) s.read_only = false;
    if (mode === 'observe' && mine?.limits) {
      if (mine.limits.memory) delete s['mem_limit'];
      if (mine.limits.cpus) delete s['cpus'];
      if (mine.limits.pids) delete s['pids_limit'];
    }
  }
  return project;
}
