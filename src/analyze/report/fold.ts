import type { Report } from '../report-types.js';
import type { Finding, Severity } from '../types.js';
import { SEVERITY_RANK, compareByPlace, compareText } from './derive.js';
import type { RuleInfo } from './types.js';

// A pasted report is read by a person: the same problem at the same place is one entry, whichever
// services it applies to (an anchor, `extends`) and whichever environments repeat it (an overlay
// repeats all of its base's findings).

/** One problem at one place, with every service and environment it applies to. */
export interface FoldedFinding extends Finding {
  project: string;
  services: string[];
  /** Environment names of `project` that report it, in report order. */
  environments: string[];
}

/** Every finding of the report, folded by project, rule, severity and place; worst first, then in reading order. */
export function foldFindings(report: Report): FoldedFinding[] {
  const folded = new Map<string, FoldedFinding>();
  for (const project of report.projects) {
    for (const env of project.environments) {
      for (const f of env.findings) {
        const key = JSON.stringify([project.dir, f.rule, f.severity, f.file, f.line, f.column, f.line > 0 ? '' : f.message]);
        const services = servicesOf(f);
        const known = folded.get(key);
        if (!known) {
          folded.set(key, { ...f, project: project.dir, services, environments: [env.name] });
          continue;
        }
        for (const s of services) if (!known.services.includes(s)) known.services.push(s);
        if (!known.environments.includes(env.name)) known.environments.push(env.name);
      }
    }
  }
  return [...folded.values()].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || compareText(a.project, b.project) || compareByPlace(a, b));
}

/** The services of a finding: its `services` when the analyzer lists several, else its `service`. */
function servicesOf(f: Finding): string[] {
  const listed = (f as Finding & { services?: unknown }).services;
  if (Array.isArray(listed) && listed.every((s) => typeof s === 'string')) return [...(listed as string[])];
  return f.service ? [f.service] : [];
}

/** The findings of one rule, its worst severity first. */
export interface RuleGroup {
  rule: string;
  info: RuleInfo | undefined;
  severity: Severity;
  findings: FoldedFinding[];
}

/** Folded findings grouped by rule: worst severity first, then most findings, then by id. */
export function groupByRule(findings: readonly FoldedFinding[], rules: readonly RuleInfo[]): RuleGroup[] {
  const groups = new Map<string, RuleGroup>();
  for (const f of findings) {
    const group = groups.get(f.rule) ?? { rule: f.rule, info: rules.find((r) => r.id === f.rule), severity: f.severity, findings: [] };
    if (SEVERITY_RANK[f.severity] < SEVERITY_RANK[group.severity]) group.severity = f.severity;
    group.findings.push(f);
    groups.set(f.rule, group);
  }
  return [...groups.values()].sort(
    (a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.findings.length - a.findings.length || compareText(a.rule, b.rule),
  );
}

/** Severities a reviewer acts on first; the rest is hardening and hygiene, folded away. */
export function isHygiene(severity: Severity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK.medium;
}

/**
 * Findings of one rule whose messages say the same thing but for the service they name: one line
 * each (the message with the service written `…`), with every service and place. Keeps a rule that
 * fires on 57 services to one line.
 */
export function sameMessage(findings: readonly FoldedFinding[]): { message: string; fix: string | null; findings: FoldedFinding[] }[] {
  const lines = new Map<string, { message: string; fix: string | null; findings: FoldedFinding[] }>();
  for (const f of findings) {
    const generic = (text: string): string => f.services.reduce((t, s) => t.split(`"${s}"`).join('"…"'), text);
    const message = generic(f.message);
    const fix = f.fix === null ? null : generic(f.fix);
    const key = `${message}\n${fix ?? ''}`;
    const line = lines.get(key) ?? { message, fix, findings: [] };
    line.findings.push(f);
    lines.set(key, line);
  }
  // One finding alone keeps its own words.
  return [...lines.values()].map((l) => (l.findings.length === 1 ? { ...l, message: l.findings[0]!.message, fix: l.findings[0]!.fix } : l));
}
