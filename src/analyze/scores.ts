import type { Exposure, Scores } from './report-types.js';
import type { Category, Finding, Severity } from './types.js';

/**
 * Scores from findings (docs/scoring.md). Findings split in two kinds:
 * - hygiene (medium, low): their loss saturates below HYGIENE_MAX, so routine hardening left
 *   undone can never bring a stack below 5;
 * - serious (high, critical): they scale what hygiene left by K/(K+penalty).
 * Each rule's penalty grows with the square root of its findings (the same mistake repeated is
 * one lesson, not twenty), and a security finding weighs by its most exposed service. Every term
 * only falls when a finding is fixed, so fixing never lowers a score.
 */
export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 4, high: 1.5, medium: 0.5, low: 0.15, info: 0 };
export const EXPOSURE_FACTOR: Record<Exposure, number> = { external: 1.5, internal: 1, isolated: 0.75 };
/** At most this much of 10 is lost to hygiene findings alone. */
export const HYGIENE_MAX = 4.5;
/** A blocking validation finding (the project cannot be deployed as written) caps production readiness. */
export const CRITICAL_CAP = 4;

export interface ScoreInput {
  findings: readonly Finding[];
  categoryOf(rule: string): Category | undefined;
  exposureOf(service: string): Exposure | undefined;
  serviceCount: number;
}

const isSerious = (s: Severity) => s === 'critical' || s === 'high';

/** Per rule and kind: the sum of the findings' factors; the penalty is weight·√sum. */
class Penalty {
  private readonly sums = new Map<string, { weight: number; sum: number }>();
  add(key: string, weight: number, factor: number): void {
    if (weight === 0) return;
    const entry = this.sums.get(key) ?? { weight, sum: 0 };
    // Findings of one rule at different severities (a re-graded one) keep the larger weight.
    entry.weight = Math.max(entry.weight, weight);
    entry.sum += factor * weight;
    this.sums.set(key, entry);
  }
  total(): number {
    let total = 0;
    for (const { weight, sum } of this.sums.values()) total += Math.sqrt(weight * sum);
    return total;
  }
}

interface Side {
  hygiene: Penalty;
  serious: Penalty;
}

export function computeScores(input: ScoreInput): Scores {
  const n = Math.max(1, input.serviceCount);
  const security: Side = { hygiene: new Penalty(), serious: new Penalty() };
  const readiness: Side = { hygiene: new Penalty(), serious: new Penalty() };
  let blocking = false;
  for (const f of input.findings) {
    const category = input.categoryOf(f.rule);
    const weight = SEVERITY_WEIGHT[f.severity];
    const side = category === 'security' ? security : readiness;
    const factor = category === 'security' ? exposureFactor(f, input.exposureOf) : 1;
    const kind = isSerious(f.severity) ? side.serious : side.hygiene;
    kind.add(`${f.rule}\0${f.severity}`, weight, factor);
    if (category === 'validation' && f.severity === 'critical') blocking = true;
  }
  // A security problem endangers the whole stack; readiness problems are per service (its build,
  // its limits), so a larger stack absorbs more of them.
  const securityScore = score(security, 2 + 0.5 * n, 2 + 0.5 * n);
  const readinessRaw = score(readiness, 2 + 0.5 * n, 2 + 2 * n);
  const readinessScore = blocking ? Math.min(readinessRaw, CRITICAL_CAP) : readinessRaw;
  return {
    overall: floor1(0.6 * securityScore + 0.4 * readinessScore),
    security: securityScore,
    production_readiness: readinessScore,
  };
}

/** The most exposed of the finding's services; ×1 without a service. */
function exposureFactor(f: Finding, exposureOf: ScoreInput['exposureOf']): number {
  const names = f.services.length > 0 ? f.services : f.service ? [f.service] : [];
  let factor = 0;
  for (const name of names) {
    const exposure = exposureOf(name);
    factor = Math.max(factor, exposure ? EXPOSURE_FACTOR[exposure] : 1);
  }
  return factor === 0 ? 1 : factor;
}

function score(side: Side, hygieneScale: number, seriousScale: number): number {
  const h = side.hygiene.total();
  const r = side.serious.total();
  const afterHygiene = 10 - (HYGIENE_MAX * h) / (h + hygieneScale);
  return floor1((afterHygiene * seriousScale) / (seriousScale + r));
}

const floor1 = (x: number) => Math.floor(x * 10 + 1e-9) / 10;
