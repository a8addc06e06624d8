import { relative } from 'node:path';
import { SEVERITIES, type Finding, type RawFinding, type Rule, type RuleContext, type Severity } from './types.js';

/** Locates a rule's raw finding: a model path through the source map, or the place it gave. */
export function toFinding(rule: Rule, raw: RawFinding, ctx: RuleContext, severity: Severity = raw.severity ?? rule.severity): Finding {
  const at = raw.at ?? (raw.path ? ctx.load.positionOf(raw.path) : undefined);
  const service = raw.service !== undefined ? raw.service : serviceOfPath(raw.path);
  const capped = raw.severity !== undefined && SEVERITIES.indexOf(raw.severity) > SEVERITIES.indexOf(severity) ? raw.severity : severity;
  return {
    rule: rule.id,
    severity: capped,
    service,
    services: service === null ? [] : [service],
    file: at?.file ? shownPath(ctx, at.file) : '',
    line: at?.line ?? 0,
    column: at?.column ?? 0,
    message: raw.message,
    fix: raw.fix ?? null,
    cis: [...(raw.cis ?? rule.cis ?? [])],
  };
}

const shownPaths = new WeakMap<RuleContext, Map<string, string>>();

/** A finding's file relative to the project, asked for once per file and context. */
function shownPath(ctx: RuleContext, file: string): string {
  let paths = shownPaths.get(ctx);
  if (!paths) shownPaths.set(ctx, (paths = new Map()));
  let shown = paths.get(file);
  if (shown === undefined) paths.set(file, (shown = relative(ctx.dir, file) || file));
  return shown;
}

function serviceOfPath(path: readonly (string | number)[] | undefined): string | null {
  return path && path[0] === 'services' && path[1] !== undefined ? String(path[1]) : null;
}

const SERVICE_MARK = '\u0000service\u0000';

/** The verbs rule messages put after `service "x"`, in the plural for `services "a" and "b"`. */
const PLURAL: Record<string, string> = {
  runs: 'run', has: 'have', is: 'are', publishes: 'publish', uses: 'use', mounts: 'mount', 'bind-mounts': 'bind-mount',
  sets: 'set', adds: 'add', keeps: 'keep', starts: 'start', logs: 'log', waits: 'wait', may: 'may', does: 'do', shares: 'share',
};

/** The message with its own service's name taken out, so the same text about two services compares equal. */
function withoutService(f: Finding): string {
  return f.service === null ? f.message : f.message.split(`"${f.service}"`).join(SERVICE_MARK);
}

/** `"a"`, `"a" and "b"`, `"a", "b" and 3 more`. */
function quoteServices(names: readonly string[]): string {
  const quoted = names.map((n) => `"${n}"`);
  if (quoted.length <= 1) return quoted.join('');
  if (quoted.length <= 4) return `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
  return `${quoted.slice(0, 3).join(', ')} and ${quoted.length - 3} more`;
}

/**
 * One finding per root cause: the same rule at the same place with the same text, raised for
 * several services (a `user:` in an anchor, an `extends` base, an included file, a shared
 * Dockerfile), becomes one finding listing them all. Its message names the services together
 * ("services "a", "b" and "c" run as root"), so it reads as one problem, and it is scored once.
 */
export function foldRootCauses(findings: readonly Finding[]): Finding[] {
  const byCause = new Map<string, Finding>();
  const out: Finding[] = [];
  for (const f of findings) {
    if (f.service === null || f.line === 0) {
      out.push(f);
      continue;
    }
    const key = `${f.rule}\0${f.severity}\0${f.file}\0${f.line}\0${f.column}\0${withoutService(f)}`;
    const first = byCause.get(key);
    if (!first) {
      const copy = { ...f, services: [...f.services] };
      byCause.set(key, copy);
      out.push(copy);
    } else {
      for (const s of f.services) if (!first.services.includes(s)) first.services.push(s);
    }
  }
  for (const f of byCause.values()) {
    if (f.services.length < 2 || f.service === null) continue;
    const names = quoteServices(f.services);
    const text = withoutService(f);
    f.message = text.split(`service ${SERVICE_MARK}`).join(`services ${names}`).split(SERVICE_MARK).join(names);
    const lead = `services ${names} `;
    const verb = f.message.startsWith(lead) ? f.message.slice(lead.length).split(' ')[0] ?? '' : '';
    const plural = PLURAL[verb];
    if (plural) f.message = lead + plural + f.message.slice(lead.length + verb.length);
    if (f.fix !== null) f.fix = f.fix.split(`"${f.service}"`).join(names);
  }
  return out;
}
