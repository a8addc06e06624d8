import type { Readable } from 'node:stream';
import { crc32, deflateRawSync } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

/**
 * Reading an uploaded package with yauzl, every limit checked on the central directory before
 * a byte is inflated (yauzl then holds each entry to its declared size), and writing one from a
 * compose file and its neighbours.
 */

export interface ZipLimits {
  maxEntries: number;
  /** Sum of the unpacked sizes. */
  maxExpandedBytes: number;
  /** Unpacked over packed size, once the unpacked size passes 1 MiB (docs/security.md, "Abuse limits"). */
  maxRatio?: number;
}

export interface ZipEntry {
  /** Relative, `/`-separated, checked: no `..`, not absolute. */
  path: string;
  data: Buffer;
}

export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const UTF8_FLAG = 0x0800;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
/** Small packages compress well; the ratio limit starts to apply past this. */
const RATIO_FLOOR_BYTES = 2 ** 20;

/**
 * The files of a ZIP archive (folders are implied by their paths), from a file (an upload
 * spooled to disk) or a buffer. Throws ZipError. Memory stays within the declared unpacked
 * size, which the limits bound before anything is inflated: a bomb is refused on its directory.
 */
export async function readZip(archive: Buffer | string, limits: ZipLimits): Promise<ZipEntry[]> {
  let zip: ZipFile;
  try {
    const options = { autoClose: false, lazyEntries: true, decodeStrings: false, validateEntrySizes: true } as const;
    zip = typeof archive === 'string' ? await yauzl.openPromise(archive, options) : await yauzl.fromBufferPromise(archive, options);
  } catch (err) {
    throw new ZipError(`not a ZIP archive (${describe(err, 'unreadable')})`);
  }
  try {
    if (zip.entryCount > limits.maxEntries) throw new ZipError(`the archive holds ${zip.entryCount} entries; at most ${limits.maxEntries} are allowed`);
    const files: { path: string; entry: Entry }[] = [];
    const seen = new Set<string>();
    let declared = 0;
    for await (const entry of iterate(zip)) {
      const rawName = (entry.fileName as unknown as Buffer).toString(entry.generalPurposeBitFlag & UTF8_FLAG ? 'utf8' : 'latin1');
      if (entry.generalPurposeBitFlag & 0x1) throw new ZipError(`${rawName}: encrypted entries are not supported`);
      if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) throw new ZipError(`${rawName}: symbolic links are not allowed in a package`);
      if (rawName.endsWith('/')) {
        safePath(rawName.slice(0, -1));
        continue;
      }
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
        throw new ZipError(`${rawName}: compression method ${entry.compressionMethod} is not supported (only stored and deflate)`);
      }
      const path = safePath(rawName);
      if (seen.has(path)) throw new ZipError(`${path} appears twice in the archive`);
      seen.add(path);
      declared += entry.uncompressedSize;
      if (declared > limits.maxExpandedBytes) throw new ZipError(`the archive unpacks to more than ${limits.maxExpandedBytes} bytes`);
      if (limits.maxRatio !== undefined && declared > RATIO_FLOOR_BYTES && declared > limits.maxRatio * zipSize(zip)) {
        throw new ZipError(`the archive unpacks to more than ${limits.maxRatio} times its size (a compression bomb?)`);
      }
      files.push({ path, entry });
    }
    const entries: ZipEntry[] = [];
    for (const { path, entry } of files) {
      let data: Buffer;
      try {
        data = await readAll(await zip.openReadStreamPromise(entry));
      } catch (err) {
        throw new ZipError(`${path}: ${describe(err, 'cannot be unpacked')}`);
      }
      if (crc32(data) !== entry.crc32) throw new ZipError(`${path}: checksum mismatch`);
      entries.push({ path, data });
    }
    return entries;
  } finally {
    zip.close();
  }
}

async function* iterate(zip: ZipFile): AsyncGenerator<Entry> {
  try {
    yield* zip.eachEntry();
  } catch (err) {
    if (err instanceof ZipError) throw err;
    throw new ZipError(describe(err, 'damaged central directory'));
  }
}

function zipSize(zip: ZipFile): number {
  return Math.max(1, (zip as unknown as { fileSize: number }).fileSize);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** yauzl's messages name offsets and fields; they are kept short and free of control characters. */
function describe(err: unknown, fallback: string): string {
  const message = (err as Error)?.message;
  return typeof message === 'string' && message !== '' ? message.replace(/[\x00-\x1f\x7f]/g, '?').slice(0, 200) : fallback;
}

/** A ZIP archive of `entries`, deflated where that helps. Timestamps are fixed: same input, same bytes. */
export function writeZip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;
  for (const entry of entries) {
    const name = Buffer.from(safePath(entry.path), 'utf8');
    const deflated = deflateRawSync(entry.data);
    const stored = deflated.length >= entry.data.length;
    const body = stored ? entry.data : deflated;
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(UTF8_FLAG, 6);
    local.writeUInt16LE(stored ? 0 : 8, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(DOS_DATE_1980_01_01, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(UTF8_FLAG, 8);
    central.writeUInt16LE(stored ? 0 : 8, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(DOS_DATE_1980_01_01, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((0o100644 << 16) >>> 0), 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const centralBytes = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(EOCD, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralBytes, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** `path` if it is a safe relative path; throws ZipError otherwise. */
export function safePath(path: string): string {
  if (path === '' || path.length > 1024) throw new ZipError(`"${path.slice(0, 80)}" is not a usable file name`);
  if (path.includes('\\') || path.includes('\0')) throw new ZipError(`${path}: backslashes and NUL are not allowed in file names`);
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) throw new ZipError(`${path}: absolute paths are not allowed`);
  const parts = path.split('/');
  if (parts.some((part) => part === '..')) throw new ZipError(`${path}: ".." is not allowed in file names`);
  const clean = parts.filter((part) => part !== '' && part !== '.').join('/');
  if (clean === '') throw new ZipError(`"${path}" is not a usable file name`);
  return clean;
}
