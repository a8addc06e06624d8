/**
 * CVSS v3.0/v3.1 base scores from a vector (`CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`), by
 * the formulas of the FIRST specification. Advisories carry the vector; the score and its rating
 * decide a finding's severity. Undefined for anything that is not a complete v3 base vector.
 */
export function cvss3BaseScore(vector: string): number | undefined {
  const parts = vector.trim().split('/');
  if (!/^CVSS:3\.[01]$/.test(parts[0] ?? '')) return undefined;
  const metrics = new Map<string, string>();
  for (const part of parts.slice(1)) {
    const [key, value] = part.split(':');
    if (key === undefined || value === undefined || metrics.has(key)) return undefined;
    metrics.set(key, value);
  }
  const scope = metrics.get('S');
  if (scope !== 'U' && scope !== 'C') return undefined;
  const changed = scope === 'C';
  const av = WEIGHTS.AV[metrics.get('AV') ?? ''];
  const ac = WEIGHTS.AC[metrics.get('AC') ?? ''];
  const pr = (changed ? WEIGHTS.PR_CHANGED : WEIGHTS.PR)[metrics.get('PR') ?? ''];
  const ui = WEIGHTS.UI[metrics.get('UI') ?? ''];
  const c = WEIGHTS.CIA[metrics.get('C') ?? ''];
  const i = WEIGHTS.CIA[metrics.get('I') ?? ''];
  const a = WEIGHTS.CIA[metrics.get('A') ?? ''];
  if (av === undefined || ac === undefined || pr === undefined || ui === undefined || c === undefined || i === undefined || a === undefined) return undefined;

  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 : 6.42 * iss;
  const exploitability = 8.22 * av * ac * pr * ui;
  if (impact <= 0) return 0;
  return roundUp(Math.min((changed ? 1.08 : 1) * (impact + exploitability), 10));
}

export type CvssRating = 'none' | 'low' | 'medium' | 'high' | 'critical';

export function cvssRating(score: number): CvssRating {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'none';
}

/** CVSS 3.1's Roundup: the smallest one-decimal number at or above, free of float noise. */
function roundUp(value: number): number {
  const scaled = Math.round(value * 100_000);
  return scaled % 10_000 === 0 ? scaled / 100_000 : (Math.floor(scaled / 10_000) + 1) / 10;
}

const WEIGHTS: Record<'AV' | 'AC' | 'PR' | 'PR_CHANGED' | 'UI' | 'CIA', Record<string, number>> = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  PR: { N: 0.85, L: 0.62, H: 0.27 },
  PR_CHANGED: { N: 0.85, L: 0.68, H: 0.5 },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
};
