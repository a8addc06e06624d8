import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * The little of the ZIP format deployments need: reading an uploaded package (stored or
 * deflated entries, no ZIP64, no encryption) with limits checked before anything is inflated,
 * and writing one from a compose file and its neighbours.
 */

export interface ZipLimits {
  maxEntries: number;
  /** Sum of the unpacked sizes. */
  maxExpandedBytes: number;
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

/** The files of a ZIP archive (folders are implied by their paths). Throws ZipError. */
export function readZip(archive: Buffer, limits: ZipLimits): ZipEntry[] {
  const end = findEndOfCentralDirectory(archive);
  const total = archive.readUInt16LE(end + 10);
  const cdSize = archive.readUInt32LE(end + 12);
  const cdOffset = archive.readUInt32LE(end + 16);
  if (total === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) throw new ZipError('ZIP64 archives are not supported');
  if (total > limits.maxEntries) throw new ZipError(`the archive holds ${total} entries; at most ${limits.maxEntries} are allowed`);
  if (cdOffset + cdSize > end) throw new ZipError('the central directory lies outside the archive');

  const headers: { path: string; method: number; crc: number; compressed: number; size: number; local: number }[] = [];
  let declared = 0;
  let at = cdOffset;
  for (let i = 0; i < total; i++) {
    need(archive, at, 46);
    if (archive.readUInt32LE(at) !== CENTRAL) throw new ZipError('damaged central directory');
    const flags = archive.readUInt16LE(at + 8);
    const method = archive.readUInt16LE(at + 10);
    const crc = archive.readUInt32LE(at + 16);
    const compressed = archive.readUInt32LE(at + 20);
    const size = archive.readUInt32LE(at + 24);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const externalAttributes = archive.readUInt32LE(at + 38);
    const local = archive.readUInt32LE(at + 42);
    need(archive, at + 46, nameLength);
    const rawName = archive.subarray(at + 46, at + 46 + nameLength).toString(flags & UTF8_FLAG ? 'utf8' : 'latin1');
    at += 46 + nameLength + extraLength + commentLength;

    if (flags & 0x1) throw new ZipError(`${rawName}: encrypted entries are not supported`);
    if (((externalAttributes >>> 16) & S_IFMT) === S_IFLNK) throw new ZipError(`${rawName}: symbolic links are not allowed in a package`);
    if (rawName.endsWith('/')) {
      safePath(rawName.slice(0, -1));
      continue;
    }
    if (method !== 0 && method !== 8) throw new ZipError(`${rawName}: compression method ${method} is not supported (only stored and deflate)`);
    declared += size;
    if (declared > limits.maxExpandedBytes) throw new ZipError(`the archive unpacks to more than ${limits.maxExpandedBytes} bytes`);
    headers.push({ path: safePath(rawName), method, crc, compressed, size, local });
  }

  const seen = new Set<string>();
  return headers.map((header) => {
    if (seen.has(header.path)) throw new ZipError(`${header.path} appears twice in the archive`);
    seen.add(header.path);
    need(archive, header.local, 30);
    if (archive.readUInt32LE(header.local) !== LOCAL) throw new ZipError(`${header.path}: damaged local header`);
    const start = header.local + 30 + archive.readUInt16LE(header.local + 26) + archive.readUInt16LE(header.local + 28);
    need(archive, start, header.compressed);
    const raw = archive.subarray(start, start + header.compressed);
    let data: Buffer;
    if (header.method === 0) {
      data = Buffer.from(raw);
    } else {
      try {
        // The declared size bounds what inflating may produce: a lying header cannot become a bomb.
        data = inflateRawSync(raw, { maxOutputLength: Math.max(1, header.size) });
      } catch (err) {
        throw new ZipError(`${header.path}: ${(err as Error).message}`);
      }
    }
    if (data.length !== header.size) throw new ZipError(`${header.path}: unpacks to ${data.length} bytes, not the ${header.size} declared`);
    if (crc32(data) !== header.crc) throw new ZipError(`${header.path}: checksum mismatch`);
    return { path: header.path, data };
  });
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

function findEndOfCentralDirectory(archive: Buffer): number {
  const earliest = Math.max(0, archive.length - 22 - 0xffff);
  for (let at = archive.length - 22; at >= earliest; at--) {
    if (archive.readUInt32LE(at) === EOCD) return at;
  }
  throw new ZipError('not a ZIP archive');
}

function need(archive: Buffer, at: number, length: number): void {
  if (at < 0 || at + length > archive.length) throw new ZipError('the archive is truncated');
}
