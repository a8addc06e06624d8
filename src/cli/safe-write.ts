import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, fsyncSync, lstatSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { isInside } from '../compose/index.js';
import { UsageError } from './exit.js';

/**
 * Replacing a file the user owns, for `analyze --fix` and `secrets generate --env-file`
 * (docs/fix.md, docs/secrets.md): the file must be a regular UTF-8 file inside `root` (a link is
 * followed only when its target is inside too, and then the target is written, so the link
 * stays), writable by its mode, and still hold exactly the text the change was made from. The
 * new text goes to a temporary file beside it with the same mode (and owner, when we may), and
 * replaces it by a rename: a reader sees the old file or the new one, never half of one.
 */
export interface Replaceable {
  /** The path as the user wrote it, for messages. */
  shown: string;
  /** The path written: the link's target for a link inside the root. */
  real: string;
  mode: number;
  uid: number;
  gid: number;
}

/** Checks that `file` may be replaced; a UsageError says why not, and nothing is changed. */
export function checkReplaceable(file: string, root: string, expected: string, shown = file): Replaceable {
  let real: string;
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
    real = realpathSync(file);
  } catch {
    throw new UsageError(`${shown}: cannot be read any more; nothing was changed`);
  }
  if (!isInside(real, realRoot)) {
    const link = lstatSync(file).isSymbolicLink() ? ' (it is a link to a file outside the project)' : '';
    throw new UsageError(`${shown}: is outside the project folder${link}; nothing was changed`);
  }
  const stat = statSync(real);
  if (!stat.isFile()) throw new UsageError(`${shown}: is not a regular file; nothing was changed`);
  // By its mode, not by access(): root may write anything, but a file made read-only says "leave me".
  if ((stat.mode & 0o222) === 0) throw new UsageError(`${shown}: is read-only (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}); make it writable or fix it by hand; nothing was changed`);
  assertUnchanged(real, expected, shown);
  return { shown, real, mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid };
}

/** The file still holds `expected`, byte for byte (and is UTF-8, so that writing it back loses nothing). */
function assertUnchanged(real: string, expected: string, shown: string): void {
  let bytes: Buffer;
  try {
    bytes = readFileSync(real);
  } catch {
    throw new UsageError(`${shown}: cannot be read any more; nothing was changed`);
  }
  if (!bytes.equals(Buffer.from(expected, 'utf8'))) {
    const utf8 = Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
    throw new UsageError(
      utf8 ? `${shown}: changed since it was read; run the command again; nothing was changed` : `${shown}: is not UTF-8 text; nothing was changed`,
    );
  }
}

/**
 * Writes `text` over a file `checkReplaceable` accepted, through a temporary file and a rename;
 * the file is compared with `expected` once more just before the rename.
 */
export function replaceFile(target: Replaceable, text: string, expected: string): void {
  const temp = join(dirname(target.real), `.${basename(target.real)}.shipshape-${randomBytes(6).toString('hex')}`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', target.mode & 0o777);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    chmodSync(temp, target.mode);
    try {
      chownSync(temp, target.uid, target.gid);
    } catch {
      // Only root may give a file away; an ordinary user's file is theirs already.
    }
    assertUnchanged(target.real, expected, target.shown);
    renameSync(temp, target.real);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${target.shown}: cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); nothing was changed`);
  }
}

/** A path for messages: relative to the current directory when below it. */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}
