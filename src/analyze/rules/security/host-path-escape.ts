import { isAbsolute, resolve } from 'node:path';
import { confinedTo, isInside, type Position } from '../../../compose/index.js';
import { isWrittenRelative } from '../../source-text.js';
import type { RawFinding, RuleContext, Severity } from '../../types.js';
import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import { sensitiveHostPath } from './sensitive-host-mount.js';
import { hostBindings, isEngineSocket, isHomeRelative, normalizeHostPath } from '../../facts/index.js';
import { listOf } from './shared.js';

/** How a finding on a path the operator allows begins; the deploy policy lets it through and records it. */
export const ALLOWED_HOST_PATH_MARK = 'allowed by ALLOWED_HOST_PATHS: ';

/** One host path the project refers to. */
interface Reference {
  modelPath: (string | number)[];
  /** Absolute host path, as the loader resolved it. */
  target: string;
  /** What the reference is, for the message: `binds`, `reads its env_file`… */
  what: string;
  service: string | null;
  /** The container only reads it (a `:ro` bind, a file the engine reads). */
  readOnly: boolean;
}

const NOT_A_PATH = /^([a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/|docker-image:|service:|oci-layout:)/i;

function references(ctx: RuleContext): Reference[] {
  const out: Reference[] = [];
  const add = (modelPath: (string | number)[], target: unknown, what: string, service: string | null, readOnly: boolean) => {
    if (typeof target === 'string' && target !== '' && !NOT_A_PATH.test(target) && (isAbsolute(target) || isHomeRelative(target))) {
      out.push({ modelPath, target: normalizeHostPath(target), what, service, readOnly });
    }
  };
  for (const [name, service] of services(ctx)) {
    for (const b of hostBindings(ctx, service)) {
      if (b.volume) add(['volumes', b.volume, 'driver_opts', 'device'], b.source, `binds (through volume "${b.volume}")`, name, b.readOnly);
      else add(['services', name, 'volumes', b.index, 'source'], b.source, 'binds', name, b.readOnly);
    }
    listOf(service.env_file).forEach((ref, i) => add(['services', name, 'env_file', i, 'path'], ref?.path, 'reads the env_file', name, true));
    listOf(service['label_file'] as string[] | undefined).forEach((file, i) => add(['services', name, 'label_file', i], file, 'reads the label_file', name, true));
    const build = service.build;
    if (build && typeof build === 'object') {
      const context = typeof build.context === 'string' && !NOT_A_PATH.test(build.context) ? build.context : undefined;
      add(['services', name, 'build', 'context'], context, 'builds from the context', name, true);
      if (context && typeof build.dockerfile === 'string') {
        add(['services', name, 'build', 'dockerfile'], resolve(context, build.dockerfile), 'builds from the Dockerfile', name, true);
      }
      // Both take a mapping or a list of `key=value`, as compose does; a relative path is the project's.
      const local = (v: unknown) => (typeof v === 'string' && !NOT_A_PATH.test(v) && !isAbsolute(v) ? resolve(ctx.dir, v) : v);
      for (const [key, value, at] of keyValues(build['additional_contexts'])) {
        add(['services', name, 'build', 'additional_contexts', at], local(value), `builds with the additional context "${key}" from`, name, true);
      }
      for (const [key, value, at] of keyValues(build['ssh'])) {
        add(['services', name, 'build', 'ssh', at], local(value), `hands the build the SSH key "${key}" from`, name, true);
      }
    }
  }
  for (const section of ['secrets', 'configs'] as const) {
    for (const [key, object] of Object.entries(ctx.project[section] ?? {})) {
      add([section, key, 'file'], object?.file, `reads the ${section === 'secrets' ? 'secret' : 'config'} "${key}" from`, null, true);
    }
  }
  return out;
}

/**
 * The grade in a local report: a path that leads out of the project through a link is a trick,
 * whatever it reaches; otherwise by how sensitive the host path is. A remote deploy refuses the
 * rule whatever the grade (docs/security.md).
 */
function grade(ctx: RuleContext, ref: Reference, throughLink: boolean): { severity: Severity; holds?: string } {
  if (throughLink) return { severity: 'critical' };
  const below = !isWrittenRelative(ctx, ref.modelPath);
  const holds = sensitiveHostPath(ref.target, { readOnly: ref.readOnly, below });
  return holds ? { severity: 'critical', holds } : { severity: 'low' };
}

export default createRule({
  id: 'host-path-escape',
  severity: 'critical',
  category: 'security',
  docs: {
    summary:
      'The stack reaches a host path outside its own folder: a bind source, a secret or config `file:`, an ' +
      '`env_file`, a `label_file`, the build context, Dockerfile or additional contexts, or a compose file ' +
      'pulled in by `include` or `extends`.',
    why:
      'A stack deployed to a host should only see its own files. A path outside its folder — written ' +
      'absolute, with `~`, climbing out with `..`, produced by interpolation (also from the package\'s own ' +
      '`.env`), hidden behind anchors and merge keys, or through a link inside the folder — lets it read ' +
      'or change whatever the host keeps there: `../../../../:/host` is the host\'s `/`, read-write. A ' +
      'remote deploy (agent, manager) refuses it whatever the grade; a local report grades it by how ' +
      'sensitive the host path is.',
    fix:
      'Keep every file the stack needs inside its folder and refer to it relatively (`./config/app.conf`), ' +
      'or use a named volume for data. When a site really needs a host folder, the operator lists it in ' +
      'ALLOWED_HOST_PATHS on the agent and manager.',
    example: 'services:\n  app:\n    image: app:1.0\n    volumes:\n      - ../../../../../../:/host\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    const inside = confinedTo([ctx.dir]);
    const allowed = ctx.allowedHostPaths?.length ? confinedTo(ctx.allowedHostPaths) : undefined;
    const refs = references(ctx);
    if (ctx.untrusted) findings.push(...plantable(refs));
    for (const ref of refs) {
      // The engine socket is docker-socket-mount's finding, refused remotely as well.
      // `~` is the deploying user's home, never the stack's folder, wherever the scan runs.
      if ((!isHomeRelative(ref.target) && inside(ref.target)) || (ref.what.startsWith('binds') && isEngineSocket(ref.target))) continue;
      const who = ref.service ? `service "${ref.service}"` : 'the project';
      if (allowed?.(ref.target)) {
        findings.push({ path: ref.modelPath, service: ref.service, severity: 'info', message: `${ALLOWED_HOST_PATH_MARK}${who} ${ref.what} ${ref.target}`, fix: null });
        continue;
      }
      const throughLink = isInside(ref.target, ctx.dir);
      const { severity, holds } = grade(ctx, ref, throughLink);
      const how = throughLink ? ' through a link inside the project' : '';
      findings.push({
        path: ref.modelPath,
        service: ref.service,
        severity,
        message: `${who} ${ref.what} ${ref.target}, outside the project folder${how}${holds ? `: ${holds}` : ''}`,
        fix: 'keep the file inside the project folder and refer to it relatively, or use a named volume; a remote deploy refuses host paths the operator has not allowed (ALLOWED_HOST_PATHS)',
      });
    }
    // Compose files read from outside the folder (include, extends.file): where their values come from.
    // Every located value names its file: thousands of values, a handful of files.
    const files = new Set<string>();
    for (const at of ctx.load.sourceMap.values()) if (at.file && at.line > 0) files.add(at.file);
    for (const file of [...files].filter((f) => !inside(f))) {
      findings.push({
        at: { file, line: 1, column: 1 },
        service: null,
        message: `the compose file ${file} (outside the project folder) is part of the project through include or extends`,
        fix: 'copy the shared compose file into the project folder and include it from there',
      });
    }
    // A remote deploy's loader refuses such files before reading them, at the line that names
    // them: one finding per place (an include also names its folder's .env), none where a
    // reference above already reports it.
    const reported = new Set(findings.map((f) => (f.path ? key(ctx.load.positionOf(f.path)) : '')));
    const refused = new Map<string, { at: Position; files: string[] }>();
    for (const d of ctx.diagnostics) {
      if (d.code !== 'outside-project' || reported.has(key(d))) continue;
      const files = d.message.replace(/ is outside the project folder; it was not read$/, '');
      const entry = refused.get(key(d));
      if (entry) entry.files.push(files);
      else refused.set(key(d), { at: d, files: [files] });
    }
    for (const { at, files } of refused.values()) {
      findings.push({
        at,
        service: null,
        message: `${files.join(' and ')} ${files.length > 1 ? 'are' : 'is'} outside the project folder and ${files.length > 1 ? 'were' : 'was'} not read: the project reaches host files outside its folder`,
        fix: 'keep every file the stack needs inside its folder',
      });
    }
    return findings;
  },
});


/**
 * Mounts a container of the stack can turn into a link before the engine mounts them: a path
 * strictly below a folder some service binds writable. That service replaces `./data/x` with a
 * link to `/` and the engine, mounting `./data/x` for the next container (or the next restart),
 * follows it to the host's root; the gate saw a plain folder of the package. Only for a deployed
 * package: locally the folder is the user's own.
 */
function plantable(refs: readonly Reference[]): RawFinding[] {
  const mounted = refs.filter((r) => r.what.startsWith('binds') || r.modelPath[0] === 'secrets' || r.modelPath[0] === 'configs');
  const writable = mounted.filter((r) => r.what.startsWith('binds') && !r.readOnly);
  const out: RawFinding[] = [];
  for (const ref of mounted) {
    const writer = writable.find((w) => w !== ref && ref.target !== w.target && isInside(ref.target, w.target));
    if (!writer) continue;
    out.push({
      path: ref.modelPath,
      service: ref.service,
      message:
        `${ref.service ? `service "${ref.service}"` : 'the project'} ${ref.what} ${ref.target}, below ${writer.target}, which service "${writer.service}" ` +
        'mounts writable: a container can replace it with a link to any host path before it is mounted',
      fix: 'mount folders that do not overlap, or mount the outer folder read-only (`:ro`)',
    });
  }
  return out;
}

/**
 * `{k: v}` or `["k=v"]` as [key, value, model path step]. A bare entry is its own value: the
 * loader may have resolved a list entry as a whole (`h=../../etc` became `/etc`), and an SSH
 * `default` is then a project path, which is harmless.
 */
function keyValues(value: unknown): [string, unknown, string | number][] {
  if (Array.isArray(value)) {
    return value.map((entry, i): [string, unknown, number] => {
      const text = String(entry);
      const at = text.indexOf('=');
      return at < 0 ? [text, text, i] : [text.slice(0, at), text.slice(at + 1), i];
    });
  }
  if (value && typeof value === 'object') return Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, v, k]);
  return [];
}

function key(at: Position | undefined): string {
  return at ? `${at.file}:${at.line}:${at.column}` : '';
}
