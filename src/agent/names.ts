import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * Stack names become compose project names, folder names under WORK_DIR and prefixes of
 * container, network and volume names, so they keep to what compose accepts for a project
 * name: lowercase letters, digits, `_` and `-`, starting with a letter or digit. machine-lab's
 * manager names environments with UUIDs, which fit.
 */
export const STACK_NAME_PATTERN = '^[a-z0-9][a-z0-9_-]{0,62}$';
/** Docker's own rule for container names; IDs (hex) fit too. */
export const CONTAINER_REF_PATTERN = '^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$';
/** `[registry[:port]/]name[:tag][@digest]`, without whitespace or control characters. */
export const IMAGE_REF_PATTERN = '^[a-zA-Z0-9][a-zA-Z0-9._/:@-]{0,254}$';

const stackName = new RegExp(STACK_NAME_PATTERN);

export function isStackName(name: string): boolean {
  return stackName.test(name);
}

/**
 * A path inside a package or a deploy request, as written by the sender, checked and normalized
 * to `a/b/c`. Refused: absolute paths (`/etc/x`, `C:\x`, `\\server\x`), any `..` segment, NUL,
 * and backslashes (a zip made on Windows that means `a\b` as a folder would otherwise create a
 * file named `a\b`). Empty and `.` segments are dropped. Returns an error message or the path.
 */
export function checkRelativePath(raw: string): { path: string } | { error: string } {
  if (raw.includes('\0')) return { error: 'contains a NUL character' };
  if (raw.includes('\\')) return { error: 'contains a backslash' };
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw)) return { error: 'is an absolute path' };
  const segments = raw.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return { error: 'has a ".." segment' };
  if (segments.length === 0) return { error: 'is empty' };
  if (segments.some((s) => s.length > 255)) return { error: 'has a name longer than 255 characters' };
  return { path: segments.join('/') };
}

/** `child` resolved against `root`, or undefined when it would land outside `root`. */
export function insideRoot(root: string, child: string): string | undefined {
  const target = resolve(root, child);
  return isWithin(root, target) ? target : undefined;
}

/** Whether `target` is `root` itself or below it (both absolute, already resolved). */
export function isWithin(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
