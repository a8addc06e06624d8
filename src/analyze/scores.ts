import type { Exposure, Scores } from './report-types.js';
import type { Category, Finding, Severity } from './types.js';

/**
 * Scores from findings (docs/scoring.md). Each finding adds a penalty by severity (and, for
 * security, by how exposed its service is); a score is 10·S/(S+penalty), so it only rises when a
 * finding is fixed. A critical validation finding (the project cannot be deployed) caps
 * production readiness and overall at 4.0.
 */
export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 3, high: 1.5, medium: 0.5, low: 0.15, info: 0 };
export const EXPOSURE_FACTOR: Record<Exposure, number> = { external: 1.5, internal: 1, isolated: 0.75 };
export const CRITICAL_CAP = 4;

export interface ScoreInput {
  findings: readonly Finding[];
  categoryOf(rule: string): Category | undefined;
  exposureOf(service: string): Exposure | undefined;
  serviceCount: number;
}

export function computeScores(input: ScoreInput): Scores {
  const scale = 2 + 0.5 * Math.max(1, input.serviceCount);
  let security = 0;
  let readiness = 0;
  let blocking = false;
  for (const f of input.findings) {
    const category = input.categoryOf(f.rule);
    const weight = SEVERITY_WEIGHT[f.severity];
    if (category === 'security') {
      const exposure = f.service ? input.exposureOf(f.service) : undefined;
      security += weight * (exposure ? EXPOSURE_FACTOR[exposure] : 1);
    } else {
      readiness += weight;
      if (category === 'validation' && f.severity === 'critical') blocking = true;
    }
  }
  const score = (penalty: number) => Math.floor((10 * scale) / (scale + penalty) * 10 + 1e-9) / 10;
  const cap = (s: number) => (blocking ? Math.min(s, CRITICAL_CAP) : s);
  return {
    overall: cap(score(security + readiness)),
    security: score(security),
    production_readiness: cap(score(readiness)),
  };
}
