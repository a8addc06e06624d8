import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, lstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { confinedTo, defaultServiceProbe, isInside, discoverProjects, formatPosition, loadProject, type Diagnostic, type Position } from '../compose/index.js';
import { UsageError } from './exit.js';
import { shownPath } from './safe-write.js';

/**
 * `shipshape secrets generate` (docs/secrets.md): the `file:` of every top-level secret of the
 * project's environments that does not exist yet is created with a strong random value, mode
 * 0600, in directories made 0700. Nothing is overwritten, and nothing is created outside the
 * project folder or through a link: such a secret is refused with its place, and then nothing is
 * created at all.
 */

/** 32 random bytes as base64url: 43 characters that need no quoting in a file, a URL or a `.env`. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Diagnostics after which compose refuses the file, so its secrets cannot be trusted either. */
const UNLOADABLE = new Set<Diagnostic['code']>([
  'yaml-syntax', 'yaml-duplicate-key', 'yaml-alias-limit', 'yaml-merge-key', 'yaml-tag', 'schema', 'interpolation', 'extends', 'extends-cycle', 'include', 'include-conflict',
]);

export interface SecretFile {
  secret: string;
  /** Absolute. */
  file: string;
  /** Where `file:` is written. */
  at: Position | undefined;
  state: 'missing' | 'exists';
}

export interface SecretRefusal {
  secret: string;
  file: string;
  at: Position | undefined;
  reason: string;
}

export interface SecretPlan {
  dir: string;
  files: SecretFile[];
  refused: SecretRefusal[];
  /** The `.env` and `env_file` files the environments read (absolute): what `--env-file` may name. */
  envFiles: string[];
}

export interface ProjectSelection {
  root: string;
  files?: readonly string[];
  environments?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
}

/** The secret files of every selected environment of every project below `root`, judged. */
export function planSecretFiles(selection: ProjectSelection): SecretPlan[] {
  const discovered = discoverProjects(selection.root, defaultServiceProbe, { files: selection.files ? [...selection.files] : undefined });
  for (const issue of discovered.issues) throw new UsageError(`${issue.file}: ${issue.message}`);
  if (discovered.projects.length === 0) throw new UsageError(`${resolve(selection.root)}: no compose file found here or below`);
  const names = new Set(discovered.projects.flatMap((p) => p.environments.map((e) => e.name)));
  for (const name of selection.environments ?? []) {
    if (!names.has(name)) throw new UsageError(`no environment named "${name}"; the environments here are: ${[...names].sort().join(', ')}`);
  }
  return discovered.projects.map((project) => {
    const plan: SecretPlan = { dir: project.dir, files: [], refused: [], envFiles: [join(project.dir, '.env')] };
    const inside = confinedTo([project.dir]);
    const seen = new Set<string>();
    for (const environment of project.environments) {
      if (selection.environments?.length && !selection.environments.includes(environment.name)) continue;
      const load = loadProject({ workingDir: project.dir, files: environment.files, env: selection.env ?? process.env });
      // A file compose cannot load is fixed first: its secrets may not be what it seems to say.
      const errors = load.diagnostics.filter((d) => d.severity === 'error' && UNLOADABLE.has(d.code));
      if (errors.length > 0) {
        const lines = errors.map((d) => `${formatPosition({ ...d, file: shownPath(d.file) })}: error: ${d.message}`);
        throw new UsageError(`${lines.join('\n')}\n(fix the compose file first; no secret file was created)`);
      }
      for (const service of Object.values(load.project?.services ?? {})) {
        for (const ref of Array.isArray(service.env_file) ? service.env_file : []) {
          if (typeof ref?.path === 'string' && !plan.envFiles.includes(ref.path)) plan.envFiles.push(resolve(project.dir, ref.path));
        }
      }
      for (const [name, secret] of Object.entries(load.project?.secrets ?? {})) {
        if (typeof secret.file !== 'string' || secret.file === '' || secret.external === true) continue;
        const file = resolve(project.dir, secret.file);
        if (seen.has(file)) continue;
        seen.add(file);
        const at = load.positionOf(['secrets', name, 'file']);
        const reason = !inside(file) ? 'is outside the project folder' : linkOnTheWay(project.dir, file);
        if (reason) {
          plan.refused.push({ secret: name, file, at, reason });
          continue;
        }
        const kind = kindOf(file);
        if (kind === 'other') plan.refused.push({ secret: name, file, at, reason: 'exists and is not a regular file' });
        else plan.files.push({ secret: name, file, at, state: kind === 'file' ? 'exists' : 'missing' });
      }
    }
    return plan;
  });
}

/** Why a path below `dir` is refused: a link at any step of the way (or the file itself). */
function linkOnTheWay(dir: string, file: string): string | undefined {
  const rel = relative(dir, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return 'is outside the project folder';
  let current = dir;
  for (const part of rel.split(sep)) {
    current = join(current, part);
    try {
      if (lstatSync(current).isSymbolicLink()) return `goes through the link ${relative(dir, current)}`;
    } catch {
      return undefined; // Nothing exists from here on: it will be made by us.
    }
  }
  return undefined;
}

function kindOf(file: string): 'file' | 'missing' | 'other' {
  try {
    return lstatSync(file).isFile() ? 'file' : 'other';
  } catch {
    return 'missing';
  }
}

/** A refusal as the CLI prints it: `compose.yaml:12:11: error: secret "db": ./x is outside the project folder; …`. */
export function describeRefusal(r: SecretRefusal, dir: string): string {
  const where = r.at ? `${formatPosition({ ...r.at, file: shownPath(r.at.file) })}: ` : '';
  const file = isInside(r.file, dir) ? relative(dir, r.file) : r.file;
  return `${where}error: secret "${r.secret}": file ${file} ${r.reason}; no secret file was created`;
}

/**
 * Creates one missing secret file: its directories (0700) one at a time, each checked not to be
 * a link, then the file itself with O_EXCL and O_NOFOLLOW, so a file or link that appeared
 * meanwhile is never written through or over.
 */
export function createSecretFile(dir: string, file: string): void {
  const parts = relative(dir, dirname(file)).split(sep).filter((p) => p !== '');
  let current = dir;
  for (const part of parts) {
    current = join(current, part);
    try {
      mkdirSync(current, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new UsageError(`${current}: cannot be created (${(err as NodeJS.ErrnoException).code})`);
    }
    const stat = lstatSync(current);
    if (stat.isSymbolicLink() || !stat.isDirectory()) throw new UsageError(`${current}: is not a directory of the project (a link?); ${file} was not created`);
  }
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    throw new UsageError(`${file}: cannot be created (${(err as NodeJS.ErrnoException).code}); it was not overwritten`);
  }
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, randomSecret());
  } finally {
    closeSync(fd);
  }
}
