import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { diagnostic, type Diagnostic, type Position } from './diagnostics.js';

/**
 * Which files the loader may read. A remote deploy passes one so that a package cannot make
 * the loader read a host file (`include: /etc/…`, `env_file: /etc/shadow`, a `.env` that is a
 * link out) into its model, an error message or a finding: the file is refused before it is
 * opened (docs/security.md, "The deploy gate").
 */
export type FileGuard = (path: string) => boolean;

/**
 * A guard that admits the files below `roots` (after following links, so a link inside a root
 * that points out is refused). A path that does not exist yet is judged by its nearest existing
 * parent, so a missing file inside the project is reported as missing, not as outside.
 */
export function confinedTo(roots: readonly string[]): FileGuard {
  const real = roots.map((r) => realOrSelf(resolve(r)));
  // One guard judges one load or one analysis: a project names the same folders many times, and
  // a missing path is judged by walking up its parents.
  const known = new Map<string, string | null>();
  const realpathOnce = (path: string): string | null => {
    const seen = known.get(path);
    if (seen !== undefined) return seen;
    let found: string | null;
    try {
      found = realpath(path);
    } catch {
      found = null;
    }
    known.set(path, found);
    return found;
  };
  return (path) => {
    const target = realOrNearest(resolve(path), realpathOnce);
    return real.some((root) => isInside(target, root));
  };
}

// libc's realpath(3): one call per path where node's JavaScript realpathSync makes an lstat per
// component, which was a tenth of a whole-folder analysis (docs/benchmarks.md, analyzer).
const realpath = realpathSync.native;

/** Whether `path` is `root` or below it, both resolved against the working directory. */
export function isInside(path: string, root: string): boolean {
  // A prefix test on resolved paths: path.relative resolves both and builds a string to throw
  // away, and the analyzer asks this for every value it locates (docs/benchmarks.md, analyzer).
  const p = resolve(path);
  const r = resolve(root);
  return p === r || p.startsWith(r.endsWith(sep) ? r : r + sep);
}

function realOrSelf(path: string): string {
  try {
    return realpath(path);
  } catch {
    return path;
  }
}

/** The real path of `path`, or of its nearest existing parent with the rest appended. */
function realOrNearest(path: string, realpathOf: (path: string) => string | null): string {
  let rest = '';
  let current = path;
  for (let hops = 0; hops < 4096; hops++) {
    const found = realpathOf(current);
    if (found !== null) return resolve(found, rest);
    const parent = dirname(current);
    if (parent === current) return path;
    rest = rest ? `${current.slice(parent.length).replace(/^\//, '')}/${rest}` : current.slice(parent.length).replace(/^\//, '');
    current = parent;
  }
  return path;
}

/**
 * Reads a file the compose model refers to, unless the guard refuses it: then a diagnostic says
 * so (without saying whether the file exists) and `refused` is set, so the caller does not add
 * a "not found" of its own.
 */
export function readGuarded(
  path: string,
  guard: FileGuard | undefined,
  at: Position,
  diagnostics: Diagnostic[],
): { text?: string; refused?: true } {
  if (guard && !guard(path)) {
    diagnostics.push(diagnostic('outside-project', `${path} is outside the project folder; it was not read`, at));
    return { refused: true };
  }
  const text = readTextFile(path);
  return text === undefined ? {} : { text };
}

/** A regular file's text, or undefined when there is none (directories named `.env` included). */
function readTextFile(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return undefined;
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
