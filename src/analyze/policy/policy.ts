import { SEVERITIES, type Finding, type Severity } from '../types.js';
import { ALLOWED_HOST_PATH_MARK } from '../rules/index.js';

/** Findings at or above this severity refuse a deploy (`never`: none by severity). */
export type GateThreshold = Severity | 'never';
export const GATE_THRESHOLDS: readonly GateThreshold[] = [...SEVERITIES, 'never'];
/** The default on the agent, the manager and the CLI's `--fail-on`. */
export const DEFAULT_GATE: GateThreshold = 'high';

/**
 * What a remote deploy refuses whatever the grade: the stack reaching the host or another
 * workload (docs/security.md, "The deploy gate").
 */
export const REMOTE_REFUSED_RULES: readonly string[] = [
  'host-path-escape',
  'foreign-namespace',
  'foreign-resource',
  'privileged',
  'host-namespace',
  'dangerous-capability',
  'host-device',
  'unconfined-profile',
  'docker-socket-mount',
];

export interface DeployPolicy {
  threshold: GateThreshold;
  /** A deploy to a host by someone else's package (agent, manager): REMOTE_REFUSED_RULES refuse. */
  remote: boolean;
  /** Host path prefixes (absolute) a remote stack may reach: the operator's ALLOWED_HOST_PATHS. */
  allowedHostPaths: readonly string[];
  /** Rule ids whose findings never refuse: the operator's GATE_ALLOW_RULES. */
  allowRules: readonly string[];
}

/** A finding an operator allowance let through; the agent logs it, the manager audits it. */
export interface AllowanceUse {
  rule: string;
  /** `rule`: GATE_ALLOW_RULES named the rule; `host-path`: ALLOWED_HOST_PATHS holds the path. */
  by: 'rule' | 'host-path';
  file: string;
  line: number;
  service: string | null;
  message: string;
}

export interface GateDecision {
  /** What refuses the deploy; empty when it may go on. */
  blocking: Finding[];
  /** Everything found, with the remote grade applied. */
  findings: Finding[];
  allowed: AllowanceUse[];
}

export function localPolicy(threshold: GateThreshold = DEFAULT_GATE): DeployPolicy {
  return { threshold, remote: false, allowedHostPaths: [], allowRules: [] };
}

export function isGateThreshold(value: string): value is GateThreshold {
  return (GATE_THRESHOLDS as readonly string[]).includes(value);
}

/** Whether `severity` reaches `threshold`. */
export function reaches(severity: Severity, threshold: GateThreshold): boolean {
  return threshold !== 'never' && SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

/**
 * The one gate decision, for the CLI's `--fail-on`, the agent and the manager. In a remote
 * policy the refused rules block at any grade and are reported as critical; an operator
 * allowance lets a finding through and is returned so that it can be logged or audited.
 */
export function decide(findings: readonly Finding[], policy: DeployPolicy): GateDecision {
  const blocking: Finding[] = [];
  const allowed: AllowanceUse[] = [];
  const out: Finding[] = [];
  for (const raw of findings) {
    const byPath = raw.rule === 'host-path-escape' && raw.message.startsWith(ALLOWED_HOST_PATH_MARK);
    const refusedRemotely = policy.remote && REMOTE_REFUSED_RULES.includes(raw.rule);
    const finding = refusedRemotely && !byPath && raw.severity !== 'critical' ? { ...raw, severity: 'critical' as const } : raw;
    out.push(finding);
    if (!byPath && !refusedRemotely && !reaches(finding.severity, policy.threshold)) continue;
    const byRule = policy.allowRules.includes(finding.rule);
    if (byPath || byRule) {
      allowed.push({
        rule: finding.rule,
        by: byPath ? 'host-path' : 'rule',
        file: finding.file,
        line: finding.line,
        service: finding.service,
        message: finding.message,
      });
      continue;
    }
    blocking.push(finding);
  }
  return { blocking, findings: out, allowed };
}
