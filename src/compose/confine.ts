import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
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
  return (path) => {
    const target = realOrNearest(resolve(path));
    return real.some((root) => isInside(target, root));
  };
}

export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The real path of `path`, or of its nearest existing parent with the rest appended. */
function realOrNearest(path: string): string {
  let rest = '';
  let current = path;
  for (let hops = 0; hops < 4096; hops++) {
    try {
      return resolve(realpathSync(current), rest);
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      rest = rest ? `${current.slice(parent.length).replace(/^\//, '')}/${rest}` : current.slice(parent.length).replace(/^\//, '');
      current = parent;
    }
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
