import { PRIVILEGE_DROP } from '../capabilities.js';
import type { ServicePlan } from '../types.js';

/** How one service ended an attempt. */
export interface Outcome {
  ok: boolean;
  /** In words, for the reason of a back-off: "exited with code 1", "unhealthy", "killed: out of memory". */
  state: string;
  running: boolean;
  unhealthy: boolean;
  oomKilled: boolean;
  /** The end of its output, only matched against, never shown (it may hold secrets). */
  logs: string;
}

/** The capabilities restored in turn when a service fails without telling which one it missed. */
const RESTORE_ORDER = [...PRIVILEGE_DROP, 'DAC_OVERRIDE', 'FOWNER', 'NET_BIND_SERVICE'];

const HINTS: readonly [RegExp, string][] = [
  [/chown|chmod/i, 'CHOWN'],
  [/setgroups|setgid|initgroups/i, 'SETGID'],
  [/setuid|can't set user|cannot set user/i, 'SETUID'],
  [/bind.*(permission denied|not permitted)|(permission denied|not permitted).*bind/i, 'NET_BIND_SERVICE'],
];

/**
 * Backs off exactly one hardening of a failing service, the one most likely to break it given
 * what it did, and says why; undefined when nothing of harden's is left to take back (the
 * service fails without the hardening too). Mutates the plan.
 */
export function backOff(plan: ServicePlan, outcome: Outcome, probes: string[][]): string | undefined {
  const why = `it ${outcome.state} with it`;
  if (outcome.unhealthy && outcome.running && plan.healthcheck) {
    const next = probes[probes.findIndex((p) => p.join(' ') === plan.healthcheck!.test.join(' ')) + 1];
    if (next) {
      plan.healthcheck.test = next;
      return `healthcheck: the first probe failed; trying ${next.join(' ')}`;
    }
    const test = plan.healthcheck.test.join(' ');
    delete plan.healthcheck;
    plan.skipped.push({ kind: 'healthcheck', reason: `no probe its image can run succeeded (${test})` });
    return 'healthcheck: dropped';
  }
  const caps = plan.capabilities;
  const hinted = caps ? HINTS.find(([re, cap]) => re.test(outcome.logs) && !caps.add.includes(cap))?.[1] : undefined;
  if (caps && hinted) return restore(caps, hinted, `its output mentions what ${hinted} allows`);
  if (plan.user) {
    plan.skipped.push({ kind: 'user', reason: `${why} as user ${plan.user.user}` });
    delete plan.user;
    return 'user: dropped';
  }
  const next = caps ? RESTORE_ORDER.find((c) => !caps.add.includes(c)) : undefined;
  if (caps && next && caps.add.length < 4) return restore(caps, next, why);
  if (plan.networks?.replace) {
    plan.skipped.push({ kind: 'networks', reason: `${why} on the internal network only (it may need a route out)` });
    delete plan.networks;
    return 'networks: dropped';
  }
  if (plan.noNewPrivileges) {
    plan.skipped.push({ kind: 'no-new-privileges', reason: why });
    delete plan.noNewPrivileges;
    return 'no-new-privileges: dropped';
  }
  if (caps) {
    plan.skipped.push({ kind: 'capabilities', reason: `${why}, even with ${caps.add.join(', ') || 'no capability'} given back` });
    delete plan.capabilities;
    return 'capabilities: dropped';
  }
  if (plan.secrets) {
    plan.skipped.push({ kind: 'secrets', reason: `${why} reading its secrets from files` });
    delete plan.secrets;
    return 'secrets: dropped';
  }
  return undefined;
}

function restore(caps: NonNullable<ServicePlan['capabilities']>, cap: string, why: string): string {
  caps.add.push(cap);
  caps.note = `${caps.note}; ${cap} given back by --verify (${why})`;
  return `capabilities: ${cap} restored`;
}

/** In the final run (read-only root): more memory after an out-of-memory kill, else writable again. */
export function backOffFinal(plan: ServicePlan, outcome: Outcome, raisedMemory: Set<string>): string | undefined {
  if (outcome.oomKilled && plan.limits?.memory && !raisedMemory.has(plan.name)) {
    raisedMemory.add(plan.name);
    plan.limits.memory = `${Number.parseInt(plan.limits.memory, 10) * 2}M`;
    return `limits: memory raised to ${plan.limits.memory}`;
  }
  if (plan.readOnly) {
    plan.skipped.push({ kind: 'read-only', reason: `it ${outcome.state} with a read-only root filesystem, even with a tmpfs for every path it wrote` });
    delete plan.readOnly;
    return 'read-only: dropped';
  }
  return undefined;
}
