import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import yauzl from 'yauzl';
import { AdvisoryError, AdvisoryIndex, parseAdvisory } from './osv/index.js';

/**
 * Reads an OSV advisory database the user supplies: a folder of `*.json` files (searched
 * recursively, links not followed), a ZIP such as OSV's `all.zip` per ecosystem, or one JSON
 * file. Nothing is fetched (docs/scan.md says how to get one). A file that is not an advisory is
 * counted and named, not fatal; a database with no advisory at all is an error.
 */
export interface AdvisoryDatabase {
  index: AdvisoryIndex;
  /** Files that were not read as advisories, and why (the first few). */
  refused: { file: string; reason: string }[];
  refusedCount: number;
}

export class AdvisoryDatabaseError extends Error {}

const MAX_ADVISORY_BYTES = 16 * 2 ** 20;
/** One JSON file of many advisories is read whole, as one string: V8 allows at most ~512 MiB. */
const MAX_JSON_FILE_BYTES = 256 * 2 ** 20;
const MAX_FILES = 2_000_000;
const MAX_REFUSALS_KEPT = 20;
/**
 * A ZIP inflates to at most this many times its size, and at least to MIN_INFLATED_BYTES: OSV's
 * JSON compresses about tenfold; a ZIP bomb of 2,000,000 entries of 16 MiB would be 32 TiB.
 */
const MAX_INFLATE_RATIO = 100;
const MIN_INFLATED_BYTES = 4 * 2 ** 30;

export async function loadAdvisories(path: string): Promise<AdvisoryDatabase> {
  const db: AdvisoryDatabase = { index: new AdvisoryIndex(), refused: [], refusedCount: 0 };
  let stat;
  try {
    stat = await lstat(path);
  } catch {
    throw new AdvisoryDatabaseError(`advisory database ${path} not found; give a folder of OSV JSON files or an OSV ZIP archive (docs/scan.md)`);
  }
  if (stat.isDirectory()) await readFolder(path, db);
  else if (/\.zip$/i.test(path)) await readArchive(path, stat.size, db);
  else if (stat.isFile() && stat.size > MAX_JSON_FILE_BYTES) throw new AdvisoryDatabaseError(`advisory file ${path} is larger than ${MAX_JSON_FILE_BYTES} bytes; give a folder of OSV JSON files or an OSV ZIP archive`);
  else if (stat.isFile()) add(db, path, await readFile(path));
  else throw new AdvisoryDatabaseError(`advisory database ${path} is neither a folder, a ZIP archive nor a JSON file`);
  if (db.index.size === 0) {
    const why = db.refused[0] ? ` (${db.refused[0].file}: ${db.refused[0].reason})` : '';
    throw new AdvisoryDatabaseError(`no OSV advisory found in ${path}${why}`);
  }
  return db;
}

async function readFolder(root: string, db: AdvisoryDatabase): Promise<void> {
  const pending = [root];
  let files = 0;
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile() && entry.name.endsWith('.json')) {
        if (++files > MAX_FILES) throw new AdvisoryDatabaseError(`${root} holds more than ${MAX_FILES} JSON files`);
        const size = (await lstat(full)).size;
        if (size > MAX_ADVISORY_BYTES) refuse(db, full, `larger than ${MAX_ADVISORY_BYTES} bytes`);
        else add(db, full, await readFile(full));
      }
    }
  }
}

async function readArchive(path: string, size: number, db: AdvisoryDatabase): Promise<void> {
  // yauzl holds each entry to its declared size, so the central directory tells, before a byte is
  // inflated, whether the archive is a bomb.
  const limit = Math.max(MIN_INFLATED_BYTES, MAX_INFLATE_RATIO * size);
  if ((await declaredJsonBytes(path)) > limit) throw new AdvisoryDatabaseError(`${path} inflates to more than ${MAX_INFLATE_RATIO} times its size; it is not an OSV archive but a ZIP bomb`);
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false });
  } catch (err) {
    throw new AdvisoryDatabaseError(`${path} is not a ZIP archive (${(err as Error).message})`);
  }
  try {
    if (zip.entryCount > MAX_FILES) throw new AdvisoryDatabaseError(`${path} holds more than ${MAX_FILES} entries`);
    for await (const entry of zip.eachEntry()) {
      if (!entry.fileName.endsWith('.json')) continue;
      const where = `${path}:${entry.fileName}`;
      if (entry.uncompressedSize > MAX_ADVISORY_BYTES) {
        refuse(db, where, `larger than ${MAX_ADVISORY_BYTES} bytes`);
        continue;
      }
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      } catch (err) {
        refuse(db, where, (err as Error).message);
        continue;
      }
      add(db, where, Buffer.concat(chunks));
    }
  } finally {
    zip.close();
  }
}

/** What the archive's JSON entries would inflate to, by its central directory (entries too large for one advisory are not read). */
async function declaredJsonBytes(path: string): Promise<number> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false });
  } catch (err) {
    throw new AdvisoryDatabaseError(`${path} is not a ZIP archive (${(err as Error).message})`);
  }
  let total = 0;
  try {
    if (zip.entryCount > MAX_FILES) throw new AdvisoryDatabaseError(`${path} holds more than ${MAX_FILES} entries`);
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('.json') && entry.uncompressedSize <= MAX_ADVISORY_BYTES) total += entry.uncompressedSize;
    }
  } finally {
    zip.close();
  }
  return total;
}

function add(db: AdvisoryDatabase, file: string, data: Buffer): void {
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    return refuse(db, file, 'not JSON');
  }
  for (const doc of Array.isArray(value) ? value : [value]) {
    try {
      db.index.add(parseAdvisory(doc));
    } catch (err) {
      if (!(err instanceof AdvisoryError)) throw err;
      refuse(db, file, err.message);
    }
  }
}

function refuse(db: AdvisoryDatabase, file: string, reason: string): void {
  db.refusedCount++;
  if (db.refused.length < MAX_REFUSALS_KEPT) db.refused.push({ file, reason });
}
