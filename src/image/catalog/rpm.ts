import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FoundPackage } from './model.js';

/**
 * rpm's database in its SQLite form (`rpmdb.sqlite`: Fedora 33+, RHEL 9 and their rebuilds): a
 * `Packages` table of header blobs. The BerkeleyDB and NDB forms of older releases are not read;
 * such an image reports the file as skipped (docs/scan.md).
 */
export function isRpmDatabase(path: string): boolean {
  return /^(var\/lib\/rpm|usr\/lib\/sysimage\/rpm)\/rpmdb\.sqlite$/.test(path);
}

export function isLegacyRpmDatabase(path: string): boolean {
  return /^(var\/lib\/rpm|usr\/lib\/sysimage\/rpm)\/(Packages|Packages\.db)$/.test(path);
}

const TAG = { name: 1000, version: 1001, release: 1002, epoch: 1003, license: 1014, sourcerpm: 1044 } as const;
const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_I18NSTRING = 9;
const MAX_INDEX_ENTRIES = 100_000;
/** A system holds a few thousand packages; a header is tens of KiB. */
const MAX_PACKAGES = 100_000;
const MAX_HEADER_BYTES = 16 * 2 ** 20;

/** Reads the database from its bytes (SQLite wants a file: a private temporary one, removed after). */
export function readRpmSqlite(data: Buffer): FoundPackage[] {
  const dir = mkdtempSync(join(tmpdir(), 'shipshape-rpmdb-'));
  try {
    const file = join(dir, 'rpmdb.sqlite');
    writeFileSync(file, data, { mode: 0o600 });
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      if (!isPlainPackagesTable(db)) return [];
      const found: FoundPackage[] = [];
      const rows = db.prepare('SELECT blob FROM main.Packages WHERE length(blob) <= ? LIMIT ?').iterate(MAX_HEADER_BYTES, MAX_PACKAGES) as IterableIterator<{ blob: unknown }>;
      for (const row of rows) {
        const pkg = Buffer.isBuffer(row.blob) ? readHeader(row.blob) : undefined;
        if (pkg) found.push(pkg);
      }
      return found;
    } finally {
      db.close();
    }
  } catch {
    return [];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The file is the image author's: its schema could make `Packages` a view or give it generated
 * columns, which run SQL of the author's choosing (an endless recursive query, a huge zeroblob)
 * when read. Only a plain table whose columns are stored is read; `trusted_schema` off keeps
 * the schema from calling functions with side effects, and extensions stay unloadable (SQLite's
 * default, which better-sqlite3 keeps).
 */
function isPlainPackagesTable(db: Database.Database): boolean {
  db.pragma('trusted_schema = OFF');
  const table = db.prepare("SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = 'Packages'").get() as { sql: unknown } | undefined;
  if (!table || typeof table.sql !== 'string' || !/^\s*CREATE\s+TABLE\b/i.test(table.sql)) return false;
  const columns = db.pragma('table_xinfo(Packages)') as { name: string; hidden: number }[];
  return columns.some((c) => c.name === 'blob') && columns.every((c) => c.hidden === 0);
}

/** One package's header blob: index entries (tag, type, offset, count), then their data. */
export function readHeader(blob: Buffer): FoundPackage | undefined {
  if (blob.length < 8) return undefined;
  const entries = blob.readUInt32BE(0);
  const dataLength = blob.readUInt32BE(4);
  const dataStart = 8 + entries * 16;
  if (entries > MAX_INDEX_ENTRIES || dataStart + dataLength > blob.length) return undefined;
  const values = new Map<number, string | number>();
  for (let i = 0; i < entries; i++) {
    const at = 8 + i * 16;
    const tag = blob.readUInt32BE(at);
    const type = blob.readUInt32BE(at + 4);
    const offset = blob.readUInt32BE(at + 8);
    if (!Object.values(TAG).includes(tag as never) || offset >= dataLength) continue;
    const start = dataStart + offset;
    if (type === TYPE_INT32 && start + 4 <= dataStart + dataLength) values.set(tag, blob.readUInt32BE(start));
    else if (type === TYPE_STRING || type === TYPE_I18NSTRING) {
      const end = blob.indexOf(0, start);
      if (end > start && end <= dataStart + dataLength) values.set(tag, blob.toString('utf8', start, end));
    }
  }
  const name = values.get(TAG.name);
  const version = values.get(TAG.version);
  const release = values.get(TAG.release);
  if (typeof name !== 'string' || typeof version !== 'string' || name === 'gpg-pubkey') return undefined;
  const epoch = values.get(TAG.epoch);
  const full = `${typeof epoch === 'number' && epoch > 0 ? `${epoch}:` : ''}${version}${typeof release === 'string' ? `-${release}` : ''}`;
  const source = values.get(TAG.sourcerpm);
  // `openssl-3.0.7-24.el9.src.rpm` → openssl
  const sourceName = typeof source === 'string' ? /^(.+)-[^-]+-[^-]+\.(?:no)?src\.rpm$/.exec(source)?.[1] : undefined;
  const license = values.get(TAG.license);
  return { type: 'rpm', name, version: full, source: { name: sourceName ?? name, version: full }, licenses: typeof license === 'string' ? [license] : [] };
}
