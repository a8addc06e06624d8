import type { EnvironmentReport, Finding } from '../analyze/index.js';
import { loadTarget, type HardenTarget } from './target.js';
import type { HardeningKind, HardenPlan } from './types.js';

/** The rules whose findings harden addresses, and the hardening that does. */
export const ADDRESSED: Readonly<Record<string, HardeningKind>> = {
  'no-new-privileges-missing': 'no-new-privileges',
  'no-cap-drop': 'capabilities',
  'writable-rootfs': 'read-only',
  'root-user': 'user',
  'missing-resource-limits': 'limits',
  'missing-log-rotation': 'log-rotation',
  'missing-restart-policy': 'restart',
  'missing-healthcheck': 'healthcheck',
  'exposed-database-port': 'ports',
  'unbound-port-interface': 'ports',
  'debug-port-exposed': 'ports',
  'internal-network-exposed': 'networks',
  'hardcoded-secret': 'secrets',
  'default-credential': 'secrets',
  'dev-override-weakens-security': 'capabilities',
};

export interface RemainingFinding {
  finding: Finding;
  /** Why harden left it: the reason a hardening was not applied, or what only a person can do. */
  reason: string;
}

export interface Assessment {
  before: { findings: number; scores: EnvironmentReport['scores'] };
  after: { findings: number; scores: EnvironmentReport['scores'] };
  /** Findings the overlay removes. */
  fixed: Finding[];
  /** Findings of the rules harden addresses that are still there, each with its reason. */
  remaining: RemainingFinding[];
  /** Findings the overlay brings (none is expected). */
  added: Finding[];
  /**
   * Findings the overlay brings on purpose until the handoff is done: a secret file it names that
   * `shipshape secrets generate` creates, a variable it requires that `.env` must set.
   */
  pending: RemainingFinding[];
}

const key = (f: Finding) => `${f.rule}|${f.services.join(',')}|${f.message}`;

/** Analyzes the environment with the overlay and compares it to the environment without it. */
export function assessOverlay(target: HardenTarget, env: Readonly<Record<string, string | undefined>>, before: EnvironmentReport, overlayPath: string, plan: HardenPlan): Assessment {
  const after = loadTarget(target, env, overlayPath).report;
  const had = new Set(before.findings.map(key));
  const has = new Set(after.findings.map(key));
  return {
    before: { findings: before.findings.length, scores: before.scores },
    after: { findings: after.findings.length, scores: after.scores },
    fixed: before.findings.filter((f) => !has.has(key(f))),
    remaining: after.findings.filter((f) => ADDRESSED[f.rule] !== undefined).map((f) => ({ finding: f, reason: reasonFor(f, plan) })),
    added: after.findings.filter((f) => !had.has(key(f)) && !handoff(f, plan)),
    pending: after.findings.filter((f) => !had.has(key(f)) && handoff(f, plan)).map((f) => ({ finding: f, reason: handoff(f, plan)! })),
  };
}

function reasonFor(f: Finding, plan: HardenPlan): string {
  const kind = ADDRESSED[f.rule];
  for (const service of f.services) {
    const skipped = plan.services[service]?.skipped.find((s) => s.kind === kind);
    if (skipped) return `${kind} not applied to "${service}": ${skipped.reason}`;
  }
  if (f.severity === 'info') return 'built on a fact Shipshape cannot see (info only)';
  if (f.rule === 'unbound-port-interface' || f.rule === 'privileged-port') return 'a public entry point, kept on purpose';
  if (f.rule === 'hardcoded-secret' || f.rule === 'default-credential') return 'the value is not in a service\'s environment or a single mounted file: move it by hand';
  return 'not something an overlay can change';
}

/** What the user does next for a finding the overlay brings on purpose; undefined for any other. */
function handoff(f: Finding, plan: HardenPlan): string | undefined {
  if (f.rule === 'missing-file-reference') {
    const secret = Object.entries(plan.secrets).find(([name, s]) => f.message.includes(`"${name}"`) && s.file.startsWith('./secrets/'));
    if (secret) return `create ${secret[1].file} with: shipshape secrets generate`;
  }
  if (f.rule === 'schema' || f.rule === 'unset-variable') {
    const variable = plan.requiredVariables.find((v) => f.message.includes(v));
    if (variable) return `set ${variable} in an untracked .env (shipshape secrets generate --env-file .env)`;
  }
  return undefined;
}
