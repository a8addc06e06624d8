import { createWriteStream, unlinkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, statSync, symlinkSync, utimesSync, chmodSync, type Stats } from 'node:fs';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { extract, type Header } from 'tar-stream';
import { DockerNotFoundError, tarStream, type DockerClient, type TarEntry } from '../docker/index.js';
import { EngineError } from './errors.js';

/**
 * `docker compose cp SERVICE:SRC DEST`: the engine sends `SRC` as a tar stream, unpacked here.
 * As with `docker cp`: into DEST when it is an existing directory, else as DEST itself. Entries
 * are checked one by one: none may leave DEST, not even through a link the archive made.
 */
export async function copyFromContainer(docker: DockerClient, containerId: string, source: string, dest: string, signal?: AbortSignal): Promise<string[]> {
  const target = resolve(dest);
  const existingDir = isDirectory(target);
  const root = existingDir ? target : dirname(target);
  if (!isDirectory(root)) throw new EngineError(`cannot copy to ${dest}: ${root} is not a directory`);
  const rename = existingDir ? undefined : basename(target);
  let archive: Readable;
  try {
    archive = await docker.containers.getArchive(containerId, source, { signal });
  } catch (err) {
    if (err instanceof DockerNotFoundError) throw new EngineError(`no such file or directory in the container: ${source}`);
    throw err;
  }
  const written: string[] = [];
  const unpack = extract();
  const feeding = pipeline(archive, unpack, { signal });
  const consuming = (async () => {
    for await (const entry of unpack) {
      const path = await writeEntry(root, entry.header, entry as unknown as Readable, rename);
      if (path) written.push(path);
    }
  })();
  try {
    await Promise.all([feeding, consuming]);
  } catch (err) {
    unpack.destroy();
    archive.destroy();
    if (err instanceof EngineError) throw err;
    throw new EngineError(`could not copy ${source} out of the container: ${(err as Error).message}`);
  }
  return written;
}

async function writeEntry(root: string, header: Header, stream: Readable, rename: string | undefined): Promise<string | undefined> {
  const parts = header.name.split('/').filter((p: string) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..') || header.name.startsWith('/')) {
    stream.resume();
    throw new EngineError(`the container sent an unsafe path: ${header.name}`);
  }
  if (rename) parts[0] = rename;
  const path = join(root, ...parts);
  // A link unpacked earlier must not lead a later entry out of the destination.
  let parent = root;
  for (const part of parts.slice(0, -1)) {
    parent = join(parent, part);
    const stats = lstatOrUndefined(parent);
    if (stats?.isSymbolicLink()) {
      stream.resume();
      throw new EngineError(`refused to write ${header.name} through the link ${relative(root, parent)}`);
    }
  }
  const mode = (header.mode ?? 0o644) & 0o7777;
  switch (header.type) {
    case 'directory':
      if (lstatOrUndefined(path)?.isSymbolicLink()) {
        stream.resume();
        throw new EngineError(`refused to write ${header.name} through the link ${relative(root, path)}`);
      }
      mkdirSync(path, { recursive: true });
      chmodSync(path, mode);
      stream.resume();
      return path;
    case 'file':
    case 'contiguous-file':
      mkdirSync(dirname(path), { recursive: true });
      // A link in the way is replaced, never written through.
      if (lstatOrUndefined(path)?.isSymbolicLink()) unlinkSync(path);
      await pipeline(stream, createWriteStream(path, { mode }));
      chmodSync(path, mode);
      if (header.mtime) utimesSync(path, header.mtime, header.mtime);
      return path;
    case 'symlink':
      mkdirSync(dirname(path), { recursive: true });
      if (lstatOrUndefined(path)) throw new EngineError(`refused to replace ${path} with a link`);
      symlinkSync(header.linkname ?? '', path);
      stream.resume();
      return path;
    default:
      // Devices, fifos and hard links are left out, as a copy to a user's folder should.
      stream.resume();
      return undefined;
  }
}

/**
 * `docker compose cp SRC SERVICE:DEST`: `SRC` (a file or a folder, links kept as links) goes to
 * the engine as a tar stream. As with `docker cp`: into DEST when it is an existing directory in
 * the container, else as DEST itself (its parent must exist).
 */
export async function copyToContainer(docker: DockerClient, containerId: string, source: string, dest: string, signal?: AbortSignal): Promise<void> {
  const from = resolve(source);
  const stats = lstatOrUndefined(from);
  if (!stats) throw new EngineError(`no such file or directory: ${source}`);
  const destKind = await containerPathKind(docker, containerId, dest, signal);
  if (stats.isDirectory() && destKind === 'file') throw new EngineError(`cannot copy the directory ${source} over the file ${dest}`);
  const [parent, name] = destKind === 'directory' ? [dest, basename(from)] : [posix.dirname(dest), posix.basename(dest)];
  try {
    await docker.containers.putArchive(containerId, parent, tarStream(entries(from, name, stats)), { signal });
  } catch (err) {
    if (err instanceof DockerNotFoundError) throw new EngineError(`the directory ${parent} does not exist in the container`);
    throw err;
  }
}

function* entries(path: string, name: string, stats: Stats): Generator<TarEntry> {
  const mode = stats.mode & 0o7777;
  const mtime = stats.mtime;
  if (stats.isSymbolicLink()) {
    yield { name, type: 'symlink', mode, mtime, linkname: readlinkSync(path) };
  } else if (stats.isDirectory()) {
    yield { name, type: 'directory', mode, mtime };
    for (const child of readdirSync(path).sort()) {
      yield* entries(join(path, child), `${name}/${child}`, lstatSync(join(path, child)));
    }
  } else if (stats.isFile()) {
    yield { name, type: 'file', mode, mtime, content: { path, size: stats.size } };
  }
}

/** Whether `path` is a directory, a file, or nothing in the container: the first header of its archive says. */
async function containerPathKind(docker: DockerClient, id: string, path: string, signal?: AbortSignal): Promise<'directory' | 'file' | 'missing'> {
  let archive: Readable;
  try {
    archive = await docker.containers.getArchive(id, path, { signal });
  } catch (err) {
    if (err instanceof DockerNotFoundError) return 'missing';
    throw err;
  }
  return new Promise((resolvePromise, reject) => {
    const unpack = extract();
    let settled = false;
    const settle = (kind: 'directory' | 'file') => {
      if (settled) return;
      settled = true;
      archive.destroy();
      unpack.destroy();
      resolvePromise(kind);
    };
    unpack.on('entry', (header: Header) => settle(header.type === 'directory' ? 'directory' : 'file'));
    unpack.on('error', (err) => (settled ? undefined : reject(err)));
    unpack.on('finish', () => settle('file'));
    archive.on('error', (err) => (settled ? undefined : reject(err)));
    archive.pipe(unpack);
  });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
