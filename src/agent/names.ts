import { STACK_NAME_PATTERN } from '../contract/index.js';

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
