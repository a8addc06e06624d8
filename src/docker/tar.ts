import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';

/** One member of a tar archive. */
export interface TarEntry {
  /** Path inside the archive, `/`-separated, no leading `/`. */
  name: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  mtime?: Date;
  /** Owner; root (0) unless given. */
  uid?: number;
  gid?: number;
  /** Symlinks: where the link points. */
  linkname?: string;
  /** Files: the bytes, or a file on disk of `size` bytes read when the archive gets there. */
  content?: Buffer | { path: string; size: number };
}

const BLOCK = 512;

/**
 * A ustar archive of the entries, produced as it is read so a large build context never sits in
 * memory. Names and link targets too long for the ustar fields get a PAX header, as GNU tar and
 * docker write them.
 */
export function tarStream(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>): Readable {
  return Readable.from(tarChunks(entries), { objectMode: false });
}

async function* tarChunks(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>): AsyncGenerator<Buffer> {
  for await (const entry of entries) {
    const size = entry.type !== 'file' ? 0 : Buffer.isBuffer(entry.content) ? entry.content.length : (entry.content?.size ?? 0);
    const name = entry.type === 'directory' && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name;
    const pax: Record<string, string> = {};
    const split = splitName(name);
    if (!split) pax['path'] = name;
    if (entry.linkname !== undefined && Buffer.byteLength(entry.linkname) > 100) pax['linkpath'] = entry.linkname;
    if (Object.keys(pax).length > 0) {
      const body = paxBody(pax);
      yield header({ name: 'PaxHeader', mode: 0o644, size: body.length, type: 'x', mtime: entry.mtime });
      yield pad(body);
    }
    yield header({
      name: split?.name ?? name.slice(-100),
      prefix: split?.prefix,
      mode: entry.mode,
      size,
      type: entry.type === 'file' ? '0' : entry.type === 'directory' ? '5' : '2',
      linkname: pax['linkpath'] ? '' : entry.linkname,
      mtime: entry.mtime,
      uid: entry.uid,
      gid: entry.gid,
    });
    if (entry.type !== 'file' || size === 0) continue;
    if (Buffer.isBuffer(entry.content)) {
      yield pad(entry.content);
      continue;
    }
    let written = 0;
    for await (const chunk of createReadStream(entry.content!.path)) {
      const bytes = chunk as Buffer;
      if (written + bytes.length > size) throw new Error(`${entry.content!.path} grew while it was being archived`);
      written += bytes.length;
      yield bytes;
    }
    if (written !== size) throw new Error(`${entry.content!.path} shrank while it was being archived`);
    if (size % BLOCK !== 0) yield Buffer.alloc(BLOCK - (size % BLOCK));
  }
  yield Buffer.alloc(BLOCK * 2);
}

/** ustar keeps up to 100 bytes of name plus a 155-byte prefix, split at a `/`. */
function splitName(name: string): { name: string; prefix?: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { name };
  for (let i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest !== '') return { name: rest, prefix };
  }
  return undefined;
}

/** PAX records are `<length> <key>=<value>\n`, the length counting its own digits. */
function paxBody(records: Record<string, string>): Buffer {
  let text = '';
  for (const [key, value] of Object.entries(records)) {
    const rest = ` ${key}=${value}\n`;
    let length = Buffer.byteLength(rest);
    while (String(length).length + Buffer.byteLength(rest) !== length) length = String(length).length + Buffer.byteLength(rest);
    text += `${length}${rest}`;
  }
  return Buffer.from(text);
}

interface Header {
  name: string;
  prefix?: string;
  mode: number;
  size: number;
  type: string;
  linkname?: string;
  mtime?: Date;
  uid?: number;
  gid?: number;
}

function header(h: Header): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(h.name, 0, 100, 'utf8');
  octal(block, h.mode & 0o7777, 100, 8);
  octal(block, h.uid ?? 0, 108, 8);
  octal(block, h.gid ?? 0, 116, 8);
  octal(block, h.size, 124, 12);
  octal(block, Math.floor((h.mtime?.getTime() ?? 0) / 1000), 136, 12);
  block.write(h.type, 156, 1, 'ascii');
  if (h.linkname) block.write(h.linkname, 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 8, 'ascii');
  if (h.prefix) block.write(h.prefix, 345, 155, 'utf8');
  // The checksum is computed with its own field as eight spaces.
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return block;
}

function octal(block: Buffer, value: number, offset: number, length: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'ascii');
}

function pad(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}
