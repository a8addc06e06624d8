import { isAbsolute, relative, resolve } from 'node:path';
import type { createRule } from '../create-rule.js';
import { fromDiagnostics } from '../util.js';

// The analyzer's and the model's types are read off `createRule`'s signature: the lint rule on
// imports refuses `../../types.js` and `../../../compose/index.js` from this depth.
type RuleDefinition = Parameters<typeof createRule>[0];
export type RuleContext = Parameters<RuleDefinition['check']>[0];
export type RawFinding = ReturnType<RuleDefinition['check']>[number];
export type Project = RuleContext['project'];
export type Service = Project['services'][string];
export type Position = NonNullable<RawFinding['at']>;

export type Diagnostic = RuleContext['diagnostics'][number];
type DiagnosticCode = Diagnostic['code'];

/** How a rule words one loader diagnostic; `null` leaves the diagnostic out. */
export type Describe = (
  d: Diagnostic,
  service: string | null,
) => { message?: string; fix: string | null; severity?: RawFinding['severity'] } | null;

/**
 * Whether the project keeps its variables in a `.env` of its own. Without one, every `${VAR}` is
 * given by the host that deploys it (mailcow writes its `.env` at install, frappe's users copy
 * `example.env`): a variable the analyzing machine lacks says nothing about the deployment
 * (docs/rules/unset-variable.md).
 */
export function hasProjectDotenv(ctx: RuleContext): boolean {
  return ctx.readText(resolve(ctx.dir, '.env')) !== undefined;
}

/**
 * Loader diagnostics as findings, each attributed to the service it is about: named in the
 * message (`services.api.image`, `service "api"`), or else the service whose text encloses it.
 */
export function diagnosticFindings(ctx: RuleContext, codes: readonly DiagnosticCode[], describe: Describe): RawFinding[] {
  const out: RawFinding[] = [];
  for (const finding of fromDiagnostics(ctx, codes)) {
    const d = ctx.diagnostics.find((x) => x === finding.at);
    if (!d) continue;
    const known = finding.service && allServiceNames(ctx).includes(finding.service) ? finding.service : null;
    const service = serviceNamedIn(ctx, d.message) ?? known ?? serviceEnclosing(ctx, d);
    const described = describe(d, service);
    if (described) {
      const graded = described.severity ? { severity: described.severity } : {};
      out.push({ ...finding, ...graded, service, message: described.message ?? d.message, fix: described.fix });
    }
  }
  return out;
}

function allServiceNames(ctx: RuleContext): string[] {
  return [...Object.keys(ctx.project.services), ...Object.keys(ctx.project.disabled_services)];
}

/** The longest service name the message mentions as `services.<name>` or `service "<name>"` (names may hold dots). */
function serviceNamedIn(ctx: RuleContext, message: string): string | null {
  let best: string | null = null;
  for (const name of allServiceNames(ctx)) {
    const mentioned = message.includes(`service "${name}"`) || new RegExp(`services\\.${escapeRegExp(name)}(?:[.: ]|$)`).test(message);
    if (mentioned && (!best || name.length > best.length)) best = name;
  }
  return best;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The service whose text holds a position: the located model value nearest before it in the same
 * file. Values merged in from anchors sit elsewhere and do not mislead it, since only the last
 * value at or before the position counts.
 */
export function serviceEnclosing(ctx: RuleContext, at: Position): string | null {
  let best: { line: number; column: number; pointer: string } | undefined;
  for (const [pointer, pos] of ctx.load.sourceMap) {
    if (pos.file !== at.file || pos.line === 0) continue;
    if (pos.line > at.line || (pos.line === at.line && pos.column > at.column)) continue;
    if (!best || pos.line > best.line || (pos.line === best.line && pos.column > best.column)) {
      best = { line: pos.line, column: pos.column, pointer };
    }
  }
  const match = best ? /^\/services\/([^/]+)/.exec(best.pointer) : null;
  return match?.[1] ? match[1].replaceAll('~1', '/').replaceAll('~0', '~') : null;
}

/** `file:line` of a model path, relative to the project, for messages that point at a second place. */
export function placeOf(ctx: RuleContext, path: readonly (string | number)[]): string {
  const at = ctx.load.positionOf(path);
  if (!at?.file) return '';
  const file = relative(ctx.dir, at.file) || at.file;
  return at.line > 0 ? `${file}:${at.line}` : file;
}

/** A path as the user would write it in the project's compose file: `./config/nginx.conf`. */
export function displayPath(ctx: RuleContext, path: string): string {
  const rel = relative(ctx.dir, path).split('\\').join('/');
  if (rel === '') return '.';
  if (isAbsolute(rel)) return path;
  return rel.startsWith('..') ? rel : `./${rel}`;
}

/** The model keeps values the schema refused (so that one run shows every problem): read them defensively. */
export function listOf<T>(value: T[] | undefined): T[] {
  return Array.isArray(value) ? value.filter((v) => v !== null && v !== undefined) : [];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Build contexts that are not local directories: URLs and git remotes. */
function isRemoteContext(context: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(context) || context.startsWith('git@') || context.startsWith('github.com/');
}

export interface LocalBuild {
  /** Absolute context directory. */
  context: string;
  /** Absolute Dockerfile path; undefined with `dockerfile_inline`. */
  dockerfile?: string;
  inline?: string;
  target?: string;
}

/**
 * A service's build from a local directory, or undefined (no build, or a remote context). A build
 * without a context builds the project directory, as compose does.
 */
export function localBuild(ctx: RuleContext, service: Service): LocalBuild | undefined {
  const build: unknown = service.build;
  if (!isRecord(build)) return undefined;
  const context = typeof build.context === 'string' && build.context !== '' ? build.context : ctx.project.working_dir;
  if (isRemoteContext(context)) return undefined;
  const target = typeof build.target === 'string' ? build.target : undefined;
  if (typeof build.dockerfile_inline === 'string') return { context, inline: build.dockerfile_inline, target };
  const dockerfile = typeof build.dockerfile === 'string' && build.dockerfile !== '' ? build.dockerfile : 'Dockerfile';
  return { context, dockerfile: resolve(context, dockerfile), target };
}

/** Something exists there and it is not a readable file: a directory. */
export function isDirectory(ctx: RuleContext, path: string): boolean {
  return ctx.exists(path) && ctx.readText(path) === undefined;
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
