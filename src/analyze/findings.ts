import { relative } from 'node:path';
import type { Finding, RawFinding, Rule, RuleContext, Severity } from './types.js';

/** Locates a rule's raw finding: a model path through the source map, or the place it gave. */
export function toFinding(rule: Rule, raw: RawFinding, ctx: RuleContext, severity: Severity = rule.severity): Finding {
  const at = raw.at ?? (raw.path ? ctx.load.positionOf(raw.path) : undefined);
  const service = raw.service !== undefined ? raw.service : serviceOfPath(raw.path);
  return {
    rule: rule.id,
    severity,
    service,
    file: at?.file ? relative(ctx.dir, at.file) || at.file : '',
    line: at?.line ?? 0,
    column: at?.column ?? 0,
    message: raw.message,
    fix: raw.fix ?? null,
  };
}

function serviceOfPath(path: readonly (string | number)[] | undefined): string | null {
  return path && path[0] === 'services' && path[1] !== undefined ? String(path[1]) : null;
}
