import { link, lstat, mkdir, open, readlink, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PackageLimits } from './config.js';
import { HttpError } from '../http/index.js';
import { checkRelativePath } from './names.js';

/** The ratio limit starts to apply once this much has been unpacked: small packages compress well. */
const RATIO_FLOOR_BYTES = 2 ** 20;
/** More symlinks than this on one path is a loop (Linux's own limit is 40). */
const MAX_LINK_HOPS = 40;

export const badPackage = (message: string) => new HttpError(422, 'bad_package', `package refused: ${message}`);
export const packageTooLarge = (message: string) => new HttpError(413, 'package_too_large', `package refused: ${message}`);

/** A file's bytes as tar-stream and yauzl hand them over. */
export type FileContent = AsyncIterable<Buffer> & { resume(): unknown };

export interface UnpackSummary {
  files: number;
  directories: number;
  links: number;
  /** Bytes of file content written. */
  bytes: number;
}

/**
 * Writes the entries of an archive below `root` and refuses anything that could reach outside
 * it or blow up. Every path is checked (no `..`, nothing absolute); files are created with
 * `wx`, so nothing already there is overwritten or followed. Links are only recorded while the
 * files are written and created at the end, so no write can go through a link; then every
 * symlink is resolved hop by hop and refused if it leads out of `root` at any step.
 */
export class PackageWriter {
  private entries = 0;
  private readonly summary: UnpackSummary = { files: 0, directories: 0, links: 0, bytes: 0 };
  private readonly hardLinks: { path: string; target: string }[] = [];
  private readonly symlinks: { path: string; target: string }[] = [];

  constructor(
    private readonly root: string,
    private readonly limits: PackageLimits,
    /** Size of the archive, for the ratio limit. */
    private readonly archiveBytes: number,
  ) {}

  async directory(rawPath: string): Promise<void> {
    const path = this.admit(rawPath);
    await this.mkdirp(join(this.root, path));
    this.summary.directories++;
  }

  /** Writes one file from `content`; `declaredSize`, when the archive states it, is checked first. */
  async file(rawPath: string, mode: number | undefined, content: FileContent, declaredSize?: number): Promise<void> {
    const path = this.admit(rawPath);
    if (declaredSize !== undefined) this.checkBytes(this.summary.bytes + declaredSize, `${path} would unpack to more than the limit`);
    const target = join(this.root, path);
    await this.mkdirp(dirname(target));
    const executable = mode !== undefined && (mode & 0o111) !== 0;
    let handle;
    try {
      handle = await open(target, 'wx', executable ? 0o755 : 0o644);
    } catch (err) {
      content.resume();
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw badPackage(`${path} appears twice`);
      if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') throw badPackage(`${path} is below something that is not a folder`);
      throw err;
    }
    try {
      for await (const chunk of content) {
        this.summary.bytes += chunk.length;
        this.checkBytes(this.summary.bytes, `${path} takes the package past the limit`);
        await handle.write(chunk);
      }
    } finally {
      await handle.close();
    }
    this.summary.files++;
  }

  symlink(rawPath: string, target: string): void {
    const path = this.admit(rawPath);
    if (target === '' || target.includes('\0')) throw badPackage(`link ${path} has an empty or invalid target`);
    if (target.startsWith('/') || /^[A-Za-z]:[\\/]/.test(target)) throw badPackage(`link ${path} points to an absolute path (${target})`);
    this.symlinks.push({ path, target });
  }

  hardLink(rawPath: string, rawTarget: string): void {
    const path = this.admit(rawPath);
    const target = checkRelativePath(rawTarget);
    if ('error' in target) throw badPackage(`hard link ${path} points to a path that ${target.error}`);
    this.hardLinks.push({ path, target: target.path });
  }

  /** Creates the recorded links, checks where every symlink leads, and returns what was written. */
  async finish(): Promise<UnpackSummary> {
    // Every folder a link sits in exists before the first symlink does, so creating them can
    // never go through one; a symlink that has the name of such a folder then fails with EEXIST.
    for (const { path } of [...this.hardLinks, ...this.symlinks]) await this.mkdirp(dirname(join(this.root, path)));
    for (const { path, target } of this.hardLinks) {
      const source = join(this.root, target);
      const stat = await lstat(source).catch(() => undefined);
      if (!stat?.isFile()) throw badPackage(`hard link ${path} points to ${target}, which is not a file of the package`);
      await link(source, join(this.root, path)).catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'EEXIST' ? badPackage(`${path} appears twice`) : err;
      });
      this.summary.links++;
    }
    for (const { path, target } of this.symlinks) {
      await symlink(target, join(this.root, path)).catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'EEXIST' ? badPackage(`link ${path} has the name of another entry`) : err;
      });
      this.summary.links++;
    }
    for (const { path, target } of this.symlinks) {
      if (!(await this.resolvesInside(path))) throw badPackage(`link ${path} points outside the package (${target})`);
    }
    return { ...this.summary };
  }

  /** Counts the entry and checks its path; returns the normalized path. */
  private admit(rawPath: string): string {
    this.entries++;
    if (this.entries > this.limits.maxEntries) throw packageTooLarge(`more than ${this.limits.maxEntries} entries`);
    const checked = checkRelativePath(rawPath);
    if ('error' in checked) throw badPackage(`entry "${printable(rawPath)}" ${checked.error}`);
    return checked.path;
  }

  private checkBytes(total: number, message: string): void {
    if (total > this.limits.maxExpandedBytes) throw packageTooLarge(`${message} (${formatBytes(this.limits.maxExpandedBytes)} unpacked)`);
    if (total > RATIO_FLOOR_BYTES && total > this.limits.maxRatio * Math.max(this.archiveBytes, 1)) {
      throw packageTooLarge(`it unpacks to more than ${this.limits.maxRatio} times its size (a compression bomb?)`);
    }
  }

  /**
   * mkdir -p below root, refusing to go through anything that is not a real folder. No links
   * exist yet while files are written, but a file entry may already hold a folder's name.
   */
  private async mkdirp(dir: string): Promise<void> {
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOTDIR') throw badPackage(`${dir.slice(this.root.length + 1)} is both a file and a folder`);
      throw err;
    }
  }

  /**
   * Follows the link at `path` (relative to root) one component at a time, as the kernel would,
   * reading every symlink on the way; false as soon as a `..` climbs above root or a link is
   * absolute. Missing components are fine (a dangling link inside the package harms nobody), but
   * they are resolved too, since something may later create them: Docker creates a missing bind
   * mount source.
   */
  private async resolvesInside(path: string): Promise<boolean> {
    const linkPath = path.split('/');
    const first = await readlink(join(this.root, path));
    let current = linkPath.slice(0, -1);
    let pending = first.split('/');
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (current.length === 0) return false;
        current = current.slice(0, -1);
        continue;
      }
      const candidate = [...current, part];
      const stat = await lstat(join(this.root, ...candidate)).catch(() => undefined);
      if (stat?.isSymbolicLink()) {
        if (++hops > MAX_LINK_HOPS) return false;
        const next = await readlink(join(this.root, ...candidate));
        if (next.startsWith('/')) return false;
        pending = [...next.split('/'), ...pending];
        continue;
      }
      current = candidate;
    }
    return true;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${+(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${+(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (bytes >= 2 ** 10) return `${+(bytes / 2 ** 10).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** Entry names are attacker-chosen; keep control characters out of messages and logs. */
function printable(name: string): string {
  const clean = name.replace(/[\x00-\x1f\x7f]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}
