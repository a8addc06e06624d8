import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { PackageUploaded } from '../contract/index.js';
import { spoolUpload } from '../http/index.js';
import type { PackageLimits } from './config.js';
import { notFound } from './errors.js';
import { formatBytes, packageTooLarge } from './package-writer.js';
import type { WorkDirs } from './work-dirs.js';

/** An uploaded package no stack was deployed from is removed after this long. */
export const PACKAGE_TTL_MS = 30 * 60_000;
const SWEEP_EVERY_MS = 60_000;
const ID_PATTERN = /^[a-f0-9]{32}$/;

/**
 * Uploaded packages (`POST /files`), unpacked and checked at once into `uploads/<id>/`, waiting
 * for a deploy to take them. Nothing stays: the archive is removed as soon as it is unpacked,
 * a package is moved away when a stack is deployed from it, and unused ones expire.
 */
export class PackageStore {
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly dirs: WorkDirs,
    private readonly limits: PackageLimits,
    private readonly ttlMs = PACKAGE_TTL_MS,
  ) {}

  start(): void {
    void this.sweep();
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  /** Stores `content` (an archive) and unpacks it; refuses what is unsafe or too large. */
  async upload(content: Readable): Promise<PackageUploaded> {
    const id = randomBytes(16).toString('hex');
    const archive = join(this.dirs.tmp, `upload-${id}`);
    try {
      await spoolUpload(content, archive, this.limits.maxArchiveBytes, (max) => packageTooLarge(`the archive is larger than ${formatBytes(max)}`));
      return await this.unpack(id, archive);
    } finally {
      await rm(archive, { force: true });
    }
  }

  /** Stores an archive that arrived whole (machine-lab's base64 field). */
  async uploadBuffer(content: Buffer): Promise<PackageUploaded> {
    if (content.length > this.limits.maxArchiveBytes) throw packageTooLarge(`the archive is larger than ${formatBytes(this.limits.maxArchiveBytes)}`);
    const id = randomBytes(16).toString('hex');
    const archive = join(this.dirs.tmp, `upload-${id}`);
    try {
      await writeFile(archive, content, { flag: 'wx', mode: 0o600 });
      return await this.unpack(id, archive);
    } finally {
      await rm(archive, { force: true });
    }
  }

  /** Moves package `id` to `dest` (the stack's folder); it is gone from the store afterwards. */
  async take(id: string, dest: string): Promise<void> {
    if (!ID_PATTERN.test(id)) throw notFound(`no package ${id}`);
    try {
      await rename(join(this.dirs.uploads, id), dest);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`no package ${id} (it may have expired; packages are kept ${Math.round(this.ttlMs / 60_000)} minutes)`);
      throw err;
    }
  }

  /** Removes package `id` if it is still there. */
  async discard(id: string): Promise<void> {
    if (ID_PATTERN.test(id)) await rm(join(this.dirs.uploads, id), { recursive: true, force: true });
  }

  /** Removes packages older than the TTL, and archives an interrupted upload left behind. */
  async sweep(now = Date.now()): Promise<void> {
    for (const [dir, prefix] of [
      [this.dirs.uploads, ''],
      [this.dirs.tmp, 'upload-'],
    ] as const) {
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        if (!name.startsWith(prefix)) continue;
        const path = join(dir, name);
        const info = await stat(path).catch(() => undefined);
        if (info && now - info.mtimeMs > this.ttlMs) await rm(path, { recursive: true, force: true });
      }
    }
  }

  private async unpack(id: string, archive: string): Promise<PackageUploaded> {
    // The archive readers are loaded with the first package, not by an agent that never gets one.
    const { unpackPackage } = await import('./package-extract.js');
    const result = await unpackPackage(archive, join(this.dirs.uploads, id), this.limits);
    return {
      id,
      format: result.format,
      files: result.files,
      directories: result.directories,
      links: result.links,
      bytes: result.bytes,
      archive_bytes: result.archiveBytes,
      expires_at: new Date(Date.now() + this.ttlMs).toISOString(),
    };
  }
}
