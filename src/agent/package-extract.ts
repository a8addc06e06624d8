import { createReadStream } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';
import yauzl from 'yauzl';
import type { PackageLimits } from './config.js';
import { HttpError } from '../http/index.js';
import { badPackage, formatBytes, PackageWriter, packageTooLarge, type FileContent, type UnpackSummary } from './package-writer.js';

export type PackageFormat = 'zip' | 'tar' | 'tar.gz';

export interface UnpackResult extends UnpackSummary {
  format: PackageFormat;
  archiveBytes: number;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
/** A symlink's target is a path; anything longer is not one. */
const MAX_LINK_TARGET_BYTES = 4096;

/** Tells the archive formats apart by their first bytes, not by the name the sender gave. */
export function detectFormat(head: Buffer): PackageFormat | undefined {
  if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) return 'zip';
  // An empty zip is only its end-of-directory record.
  if (head.length >= 4 && head.readUInt32LE(0) === 0x06054b50) return 'zip';
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  return undefined;
}

/**
 * Unpacks the tar, tar.gz or zip at `archive` into `dest` (which must not exist yet) under
 * `limits`. On any refusal or error `dest` is removed again and the error is an HttpError
 * saying why: 413 for size, count and ratio limits, 422 for unsafe or unreadable content.
 */
export async function unpackPackage(archive: string, dest: string, limits: PackageLimits): Promise<UnpackResult> {
  const archiveBytes = (await stat(archive)).size;
  if (archiveBytes > limits.maxArchiveBytes) throw packageTooLarge(`the archive is larger than ${formatBytes(limits.maxArchiveBytes)}`);
  const format = detectFormat(await readHead(archive));
  if (!format) throw badPackage('not a tar, tar.gz or zip archive');
  const writer = new PackageWriter(dest, limits, archiveBytes);
  // Not recursive: dest must be new, so nothing a previous package left can be written through.
  await mkdir(dest);
  try {
    if (format === 'zip') await unpackZip(archive, writer);
    else await unpackTar(archive, format === 'tar.gz', writer, limits);
    const summary = await writer.finish();
    return { ...summary, format, archiveBytes };
  } catch (err) {
    await rm(dest, { recursive: true, force: true });
    if (err instanceof HttpError) throw err;
    throw badPackage(`the archive could not be read (${describe(err)})`);
  }
}

async function readHead(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(512);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function unpackTar(archive: string, gzipped: boolean, writer: PackageWriter, limits: PackageLimits): Promise<void> {
  const extract = tarExtract();
  // tar-stream keeps long-name and pax headers in memory; capping the whole decompressed stream
  // keeps a header that claims gigabytes from being buffered.
  const streamCap = limits.maxExpandedBytes + 3 * 512 * (limits.maxEntries + 1) + 2 ** 20;
  const source = createReadStream(archive);
  const cap = byteCap(streamCap);
  const feeding = gzipped ? pipeline(source, createGunzip(), cap, extract) : pipeline(source, cap, extract);
  const consuming = (async () => {
    for await (const entry of extract) {
      const { header } = entry;
      switch (header.type) {
        case 'file':
        case 'contiguous-file':
          await writer.file(header.name, header.mode, entry as FileContent, header.size);
          break;
        case 'directory':
          entry.resume();
          await writer.directory(header.name);
          break;
        case 'symlink':
          entry.resume();
          writer.symlink(header.name, header.linkname ?? '');
          break;
        case 'link':
          entry.resume();
          writer.hardLink(header.name, header.linkname ?? '');
          break;
        default:
          entry.resume();
          throw badPackage(`entry "${header.name}" is a ${String(header.type)}; only files, folders and links are allowed`);
      }
    }
  })();
  // Whichever fails first decides the message; the other is torn down with it.
  try {
    await Promise.all([feeding, consuming]);
  } catch (err) {
    extract.destroy();
    await Promise.allSettled([feeding, consuming]);
    throw err;
  }
}

function byteCap(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) callback(packageTooLarge(`the archive unpacks to more than ${formatBytes(limit)}`));
      else callback(null, chunk);
    },
  });
}

async function unpackZip(archive: string, writer: PackageWriter): Promise<void> {
  // yauzl refuses absolute and `..` names itself (decodeStrings); the writer checks them again.
  const zip = await yauzl.openPromise(archive, { strictFileNames: true, validateEntrySizes: true });
  try {
    for await (const entry of zip.eachEntry()) {
      const unixMode = entry.versionMadeBy >> 8 === 3 ? entry.externalFileAttributes >>> 16 : 0;
      const kind = unixMode & S_IFMT;
      if (entry.fileName.endsWith('/') || kind === S_IFDIR) {
        await writer.directory(entry.fileName);
      } else if (kind === S_IFLNK) {
        if (entry.uncompressedSize > MAX_LINK_TARGET_BYTES) throw badPackage(`link ${entry.fileName} has a target longer than ${MAX_LINK_TARGET_BYTES} bytes`);
        const target = await readAll(await zip.openReadStreamPromise(entry));
        writer.symlink(entry.fileName, target.toString('utf8'));
      } else if (kind === 0 || kind === S_IFREG) {
        await writer.file(entry.fileName, unixMode, await zip.openReadStreamPromise(entry), entry.uncompressedSize);
      } else {
        throw badPackage(`entry "${entry.fileName}" is a special file; only files, folders and links are allowed`);
      }
    }
  } finally {
    zip.close();
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_LINK_TARGET_BYTES) {
      stream.destroy();
      throw badPackage('a link target is too long');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function describe(err: unknown): string {
  const message = (err as Error)?.message ?? String(err);
  return message.replace(/[\x00-\x1f\x7f]/g, '?').slice(0, 300);
}
