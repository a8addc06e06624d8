import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

/**
 * Archives written by hand so tests can build the malicious ones real tools refuse to make:
 * `../` names, absolute names, links out of the folder, sizes that lie.
 */
export interface ArchiveEntry {
  name: string;
  /** File content, or a link's target. */
  data?: Buffer | string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo';
  /** Permission bits (file type bits are added from `type`). */
  mode?: number;
}

const TYPE_BITS = { file: 0o100000, directory: 0o040000, symlink: 0o120000, link: 0o100000, fifo: 0o010000 } as const;

/** A zip as Info-ZIP on Unix writes it (made-by 3, mode in the external attributes). */
export function makeZip(entries: readonly ArchiveEntry[], options: { deflate?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const raw = Buffer.from(entry.data ?? '');
    const deflate = options.deflate === true && type === 'file';
    const body = deflate ? deflateRawSync(raw) : raw;
    const name = Buffer.from(type === 'directory' && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name);
    const crc = crc32(raw) >>> 0;
    const method = deflate ? 8 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, body);

    const mode = (TYPE_BITS[type] | (entry.mode ?? (type === 'directory' ? 0o755 : 0o644))) >>> 0;
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A tar (gzipped unless `gzip: false`). */
export async function makeTar(entries: readonly ArchiveEntry[], options: { gzip?: boolean } = {}): Promise<Buffer> {
  const tar = pack();
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    if (type === 'symlink' || type === 'link') {
      tar.entry({ name: entry.name, type, linkname: String(entry.data ?? '') });
    } else if (type === 'directory') {
      tar.entry({ name: entry.name, type: 'directory', mode: entry.mode ?? 0o755 });
    } else if (type === 'fifo') {
      tar.entry({ name: entry.name, type: 'fifo', mode: 0o644 });
    } else {
      tar.entry({ name: entry.name, mode: entry.mode ?? 0o644 }, Buffer.from(entry.data ?? ''));
    }
  }
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return options.gzip === false ? raw : gzipSync(raw);
}
