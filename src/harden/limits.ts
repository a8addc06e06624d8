import { findingsOf, isOneShot, type Hardening } from './shared.js';

/** Limits written when nothing was measured; `--verify` sizes them from observed peaks (docs/harden.md). */
export const DEFAULT_LIMITS = { memory: '512M', cpus: '1.0', pids: 256 } as const;

const isSet = (value: unknown) => value !== undefined && value !== null && !/^(0+(\.0*)?|-1|)$/.test(String(value).trim());

/** Memory, CPU and pids limits under `deploy.resources.limits`, for the ones the service lacks. */
export const limits: Hardening = (input, name, plan) => {
  const service = input.project.services[name]!;
  const rules = findingsOf(input.findings, name, ['missing-resource-limits']);
  const set = service.deploy?.resources?.limits ?? {};
  const has = {
    memory: isSet(set.memory) || isSet(service['mem_limit']),
    cpus: isSet(set.cpus) || isSet(service['cpus']),
    pids: isSet(set.pids) || isSet(service['pids_limit']),
  };
  if (has.memory && has.cpus && has.pids) return;
  plan.limits = { ...DEFAULT_LIMITS, measured: false, rules: rules.length > 0 ? rules : ['missing-resource-limits'], note: 'a runaway container cannot starve the host' };
  // Only the missing ones are written; the others stay as the compose file sets them.
  if (has.memory) plan.limits.memory = '';
  if (has.cpus) plan.limits.cpus = '';
  if (has.pids) plan.limits.pids = 0;
};

/** json-file with `max-size`, so the log cannot fill the disk. */
export const logRotation: Hardening = (input, name, plan) => {
  const service = input.project.services[name]!;
  const logging = service['logging'] as { driver?: string; options?: Record<string, unknown> } | undefined;
  if ((logging?.driver ?? 'json-file') !== 'json-file' || logging?.options?.['max-size'] !== undefined) return;
  const rules = findingsOf(input.findings, name, ['missing-log-rotation']);
  plan.logRotation = { rules: rules.length > 0 ? rules : ['missing-log-rotation'], note: 'rotate the log at 10 MB, keep 3 files' };
};

/** `restart: unless-stopped` for a long-running service; a one-shot job keeps running to completion once. */
export const restart: Hardening = (input, name, plan) => {
  const service = input.project.services[name]!;
  if (service.restart !== undefined || service.deploy?.['restart_policy'] !== undefined || isOneShot(input.project, name)) return;
  const rules = findingsOf(input.findings, name, ['missing-restart-policy']);
  plan.restart = { policy: 'unless-stopped', rules: rules.length > 0 ? rules : ['missing-restart-policy'], note: 'back up after a crash or a reboot' };
};
