import { createHash } from 'node:crypto';
import type { Report } from './report-types.js';
import type { Finding } from './types.js';

/**
 * A baseline hides findings a team has accepted. Findings are matched by rule, project, file,
 * service and message — not by line, so that editing the file above a known finding keeps it hidden.
 */
export function fingerprint(projectDir: string, environment: string, f: Finding): string {
  return createHash('sha256')
    .update([projectDir, environment, f.rule, f.file, f.service ?? '', f.message].join('\0'))
    .digest('hex')
    .slice(0, 32);
}

/** Reads the fingerprints of a previous JSON report (the baseline file is a report `--format json` wrote). */
export function baselineFrom(report: Report): Set<string> {
  const set = new Set<string>();
  for (const p of report.projects ?? []) {
    for (const e of p.environments ?? []) for (const f of e.findings ?? []) set.add(fingerprint(p.dir, e.name, f));
  }
  return set;
}
