import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, existsSync, openSync, rmSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Queryable, SqlValue } from './database.js';
import { migrate, SCHEMA_VERSION } from './migrations.js';
import { sqlitePath } from './open.js';
import { PostgresDatabase } from './postgres.js';
import { SqliteDatabase } from './sqlite.js';

/**
 * A backup is the manager's whole database as JSON lines, the same for SQLite and PostgreSQL
 * (so a backup of one restores onto the other: docs/deploy.md, "Backup and restore"):
 *
 *   {"format":"shipshape-manager-backup","version":1,"schema_version":2,"dialect":"sqlite","created_at":"…"}
 *   {"table":"users","columns":["id","email",…]}
 *   [row values…]                          one line per row, in the columns' order
 *   {"end":true,"counts":{"users":1,…},"sha256":"…"}   the digest of every line above it
 *
 * It holds the signing secret, the CA key and every hash: it is written readable by its owner only.
 */
export const BACKUP_FORMAT = 'shipshape-manager-backup';
const BACKUP_VERSION = 1;
/** Parents before children (foreign keys); tables a later schema adds follow in name order. */
const TABLE_ORDER = ['schema_migrations', 'settings', 'users', 'api_keys', 'hosts', 'deployments', 'enrollment_tokens', 'audit_log', 'leases'];
const PAGE_ROWS = 2000;
const INSERT_PARAMS = 2000;
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

export interface BackupSummary {
  file: string;
  dialect: Database['dialect'];
  schemaVersion: number;
  counts: Record<string, number>;
  sha256: string;
  bytes: number;
}

export interface RestoreSummary {
  dialect: Database['dialect'];
  /** The schema the backup was made with, and the migrations applied on top of it. */
  schemaVersion: number;
  migrated: number[];
  counts: Record<string, number>;
}

interface BackupHeader {
  format: string;
  version: number;
  schema_version: number;
  dialect: Database['dialect'];
  created_at: string;
}

/**
 * Writes a consistent backup of the database `databaseUrl` names to `file` while managers go on
 * using it. SQLite: SQLite's online backup API copies the file in one step (a writer in another
 * process cannot tear it), then the copy is exported. PostgreSQL: one REPEATABLE READ, read-only
 * transaction sees a single snapshot of every table.
 */
/** A file to write, or a stream (a backup to stdout, out of a container without a shell). */
export type BackupTarget = string | NodeJS.WritableStream;

export async function backupDatabase(databaseUrl: string, target: BackupTarget, options: { cwd?: string; now?: () => number } = {}): Promise<BackupSummary> {
  const now = options.now ?? Date.now;
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const db = new PostgresDatabase(databaseUrl, { max: 1 });
    try {
      return await db.readSnapshot((tx) => exportTo(tx, 'postgres', target, now));
    } finally {
      await db.close();
    }
  }
  if (!databaseUrl.startsWith('sqlite:')) throw new BackupError('the database URL must start with sqlite: or postgres://');
  const source = sqlitePath(databaseUrl, options.cwd);
  if (source === ':memory:') throw new BackupError('an in-memory database cannot be backed up from another process');
  if (!existsSync(source)) throw new BackupError(`no database at ${source}`);
  // Beside the backup (same file system, its owner's folder), or in the temporary folder for a stream.
  const copy = typeof target === 'string' ? join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.sqlite`) : join(tmpdir(), `shipshape-backup-${randomBytes(6).toString('hex')}.sqlite`);
  try {
    // The copy holds the signing secret and the CA key too: owner-only before a byte is in it.
    closeSync(openSync(copy, 'wx', 0o600));
    const live = new BetterSqlite3(source, { fileMustExist: true });
    try {
      live.pragma('busy_timeout = 5000');
      // All remaining pages in one step: a step holds a read lock, so no write lands in the middle.
      await live.backup(copy, { progress: () => 0x7fff_ffff });
    } finally {
      live.close();
    }
    const db = new SqliteDatabase(copy);
    try {
      return await db.readSnapshot((tx) => exportTo(tx, 'sqlite', target, now));
    } finally {
      await db.close();
    }
  } finally {
    for (const path of [copy, `${copy}-wal`, `${copy}-shm`]) rmSync(path, { force: true });
  }
}

/** Where a backup goes: a file (written aside, then renamed into place) or a stream (`--to -`). */
interface Sink {
  write(text: string): Promise<void>;
  /** Called once everything is written; returns the bytes written. */
  finish(): Promise<number>;
  abort(): Promise<void>;
}

async function fileSink(file: string): Promise<Sink> {
  const partial = `${file}.partial-${randomBytes(4).toString('hex')}`;
  const handle = await open(partial, 'wx', 0o600);
  return {
    write: async (text) => {
      await handle.write(text);
    },
    finish: async () => {
      await handle.sync();
      await handle.close();
      await rename(partial, file);
      return (await stat(file)).size;
    },
    abort: async () => {
      await handle.close();
      await rm(partial, { force: true });
    },
  };
}

function streamSink(stream: NodeJS.WritableStream): Sink {
  let bytes = 0;
  return {
    write: (text) =>
      new Promise((resolve, reject) => {
        bytes += Buffer.byteLength(text);
        const onError = (err: Error) => reject(err);
        stream.once('error', onError);
        const done = () => {
          stream.off('error', onError);
          resolve();
        };
        if (stream.write(text)) done();
        else stream.once('drain', done);
      }),
    finish: async () => bytes,
    // A stream cut short has no last line: `restore` refuses it.
    abort: async () => undefined,
  };
}

async function exportTo(tx: Queryable, dialect: Database['dialect'], target: BackupTarget, now: () => number): Promise<BackupSummary> {
  const schemaVersion = await schemaVersionOf(tx);
  if (schemaVersion > SCHEMA_VERSION) {
    throw new BackupError(`the database has schema version ${schemaVersion}, newer than this manager's ${SCHEMA_VERSION}: back it up with the newer manager`);
  }
  const tables = orderTables(await tableNames(tx, dialect));
  const sink = typeof target === 'string' ? await fileSink(target) : streamSink(target);
  const digest = createHash('sha256');
  const counts: Record<string, number> = {};
  let sha256 = '';
  let buffered: string[] = [];
  let size = 0;
  const flush = async () => {
    const text = buffered.join('');
    buffered = [];
    size = 0;
    await sink.write(text);
  };
  const emit = async (value: unknown) => {
    const line = `${JSON.stringify(value)}\n`;
    digest.update(line);
    buffered.push(line);
    size += line.length;
    if (size > 1 << 20) await flush();
  };
  let bytes: number;
  try {
    const header: BackupHeader = { format: BACKUP_FORMAT, version: BACKUP_VERSION, schema_version: schemaVersion, dialect, created_at: new Date(now()).toISOString() };
    await emit(header);
    for (const table of tables) {
      const { columns, key } = await tableColumns(tx, dialect, table);
      await emit({ table, columns });
      let count = 0;
      let after: SqlValue | undefined;
      const list = columns.map(quote).join(', ');
      for (;;) {
        const rows = await tx.all(
          after === undefined
            ? `SELECT ${list} FROM ${quote(table)} ORDER BY ${quote(key)} LIMIT ${PAGE_ROWS}`
            : `SELECT ${list} FROM ${quote(table)} WHERE ${quote(key)} > ? ORDER BY ${quote(key)} LIMIT ${PAGE_ROWS}`,
          after === undefined ? [] : [after],
        );
        for (const row of rows) await emit(columns.map((column) => row[column] ?? null));
        count += rows.length;
        if (rows.length < PAGE_ROWS) break;
        after = rows[rows.length - 1]![key] as SqlValue;
      }
      counts[table] = count;
    }
    await flush();
    sha256 = digest.digest('hex');
    await sink.write(`${JSON.stringify({ end: true, counts, sha256 })}\n`);
    bytes = await sink.finish();
  } catch (err) {
    await sink.abort();
    throw err;
  }
  return { file: typeof target === 'string' ? target : '-', dialect, schemaVersion, counts, sha256, bytes };
}

/**
 * Reads a backup through and checks it before anything is written: its format, that every line
 * parses, that rows match their table's columns, and that the digest and the row counts in its
 * last line match what came before.
 */
export async function verifyBackup(file: string): Promise<{ header: BackupHeader; counts: Record<string, number>; sha256: string }> {
  const digest = createHash('sha256');
  let header: BackupHeader | undefined;
  let trailer: { end: true; counts: Record<string, number>; sha256: string } | undefined;
  const counts: Record<string, number> = {};
  let table: { name: string; width: number } | undefined;
  let lineNo = 0;
  for await (const line of lines(file)) {
    lineNo++;
    if (trailer) throw new BackupError(`${file}:${lineNo}: text after the end of the backup`);
    const value = parseLine(file, lineNo, line);
    if (!header) {
      header = checkedHeader(file, value);
    } else if (Array.isArray(value)) {
      if (!table) throw new BackupError(`${file}:${lineNo}: a row before any table`);
      if (value.length !== table.width) throw new BackupError(`${file}:${lineNo}: a row of ${value.length} values in ${table.name}, which has ${table.width} columns`);
      if (!value.every((v) => v === null || typeof v === 'string' || typeof v === 'number')) throw new BackupError(`${file}:${lineNo}: a value that is not text, a number or null`);
      counts[table.name] = (counts[table.name] ?? 0) + 1;
    } else if (isTableLine(value)) {
      if (value.table in counts) throw new BackupError(`${file}:${lineNo}: table ${value.table} appears twice`);
      table = { name: value.table, width: value.columns.length };
      counts[value.table] = 0;
    } else if (isTrailer(value)) {
      trailer = value;
      continue;
    } else {
      throw new BackupError(`${file}:${lineNo}: not a line of a Shipshape backup`);
    }
    digest.update(`${line}\n`);
  }
  if (!header) throw new BackupError(`${file} is empty`);
  if (!trailer) throw new BackupError(`${file} ends early: its last line (digest and row counts) is missing, so it was cut short`);
  const sha256 = digest.digest('hex');
  if (sha256 !== trailer.sha256) throw new BackupError(`${file} is damaged: its digest is ${sha256}, its last line says ${trailer.sha256}`);
  for (const [name, count] of Object.entries({ ...trailer.counts, ...counts })) {
    if (trailer.counts[name] !== count) throw new BackupError(`${file} is damaged: table ${name} has ${counts[name] ?? 0} rows, its last line says ${trailer.counts[name] ?? 0}`);
  }
  return { header, counts, sha256 };
}

/**
 * Restores a backup onto an empty database: checks the file, builds the schema the backup was
 * made with, loads every row in one transaction, checks that every row arrived (and, on SQLite,
 * the file's integrity and foreign keys), then migrates to this manager's schema.
 */
export async function restoreDatabase(databaseUrl: string, file: string, options: { cwd?: string; now?: () => number } = {}): Promise<RestoreSummary> {
  const now = options.now ?? Date.now;
  const { header, counts } = await verifyBackup(file);
  if (header.schema_version > SCHEMA_VERSION) {
    throw new BackupError(`the backup has schema version ${header.schema_version}, newer than this manager's ${SCHEMA_VERSION}: restore it with the newer manager`);
  }
  const db = await openEmpty(databaseUrl, options.cwd);
  try {
    await migrate(db, now, header.schema_version);
    const tables = new Map<string, string[]>();
    for (const name of await tableNames(db, db.dialect)) tables.set(name, (await tableColumns(db, db.dialect, name)).columns);
    await db.transaction(async (tx) => {
      await tx.run('DELETE FROM schema_migrations');
      let target: { table: string; columns: string[] } | undefined;
      let batch: SqlValue[][] = [];
      const insert = async () => {
        if (!target || batch.length === 0) return;
        const row = `(${target.columns.map(() => '?').join(', ')})`;
        await tx.run(`INSERT INTO ${quote(target.table)} (${target.columns.map(quote).join(', ')}) VALUES ${batch.map(() => row).join(', ')}`, batch.flat());
        batch = [];
      };
      let lineNo = 0;
      for await (const line of lines(file)) {
        lineNo++;
        if (lineNo === 1) continue;
        const value = JSON.parse(line) as unknown;
        if (Array.isArray(value)) {
          batch.push(value as SqlValue[]);
          if (target && batch.length * target.columns.length >= INSERT_PARAMS) await insert();
        } else if (isTableLine(value)) {
          await insert();
          const known = tables.get(value.table);
          if (!known) throw new BackupError(`${file}:${lineNo}: table ${value.table} is not in schema version ${header.schema_version}`);
          const unknown = value.columns.filter((column) => !known.includes(column));
          if (unknown.length > 0) throw new BackupError(`${file}:${lineNo}: table ${value.table} has no column ${unknown.join(', ')} in schema version ${header.schema_version}`);
          target = { table: value.table, columns: value.columns };
        }
      }
      await insert();
      for (const [table, expected] of Object.entries(counts)) {
        const row = await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${quote(table)}`);
        if (Number(row?.n) !== expected) throw new BackupError(`restore check failed: table ${table} holds ${Number(row?.n)} rows, the backup ${expected}`);
      }
      if (db.dialect === 'sqlite') {
        const problems = await tx.all('PRAGMA foreign_key_check');
        if (problems.length > 0) throw new BackupError(`restore check failed: ${problems.length} rows point at rows that are not there`);
      }
    });
    if (db.dialect === 'sqlite') {
      const [check] = await db.all<{ integrity_check: string }>('PRAGMA integrity_check');
      if (check?.integrity_check !== 'ok') throw new BackupError(`restore check failed: ${String(check?.integrity_check)}`);
    }
    const migrated = await migrate(db, now);
    return { dialect: db.dialect, schemaVersion: header.schema_version, migrated, counts };
  } finally {
    await db.close();
  }
}

/** The database, which must hold no manager data: a restore never mixes two states. */
async function openEmpty(databaseUrl: string, cwd: string | undefined): Promise<Database> {
  let db: Database;
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    db = new PostgresDatabase(databaseUrl, { max: 2 });
  } else if (databaseUrl.startsWith('sqlite:')) {
    const path = sqlitePath(databaseUrl, cwd);
    if (path === ':memory:') throw new BackupError('restoring into an in-memory database keeps nothing');
    db = new SqliteDatabase(path);
  } else {
    throw new BackupError('the database URL must start with sqlite: or postgres://');
  }
  try {
    for (const table of await tableNames(db, db.dialect)) {
      if (table === 'schema_migrations') continue;
      if (await db.get(`SELECT 1 AS one FROM ${quote(table)} LIMIT 1`)) {
        throw new BackupError(`the database is not empty (table ${table} has rows): restore onto a new, empty database`);
      }
    }
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

async function schemaVersionOf(tx: Queryable): Promise<number> {
  try {
    const row = await tx.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    return Number(row?.v ?? 0);
  } catch {
    throw new BackupError('the database holds no Shipshape manager schema');
  }
}

async function tableNames(tx: Queryable, dialect: Database['dialect']): Promise<string[]> {
  const rows =
    dialect === 'sqlite'
      ? await tx.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      : await tx.all<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'");
  return rows.map((row) => row.name).filter((name) => IDENTIFIER.test(name));
}

async function tableColumns(tx: Queryable, dialect: Database['dialect'], table: string): Promise<{ columns: string[]; key: string }> {
  if (dialect === 'sqlite') {
    const rows = await tx.all<{ name: string; pk: number }>(`PRAGMA table_info(${quote(table)})`);
    const columns = rows.map((row) => row.name);
    return { columns, key: rows.find((row) => row.pk === 1)?.name ?? 'rowid' };
  }
  const rows = await tx.all<{ name: string }>('SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position', [table]);
  const key = await tx.get<{ name: string }>(
    `SELECT k.column_name AS name FROM information_schema.table_constraints c
       JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name AND k.table_schema = c.table_schema AND k.table_name = c.table_name
       WHERE c.table_schema = current_schema() AND c.table_name = ? AND c.constraint_type = 'PRIMARY KEY' ORDER BY k.ordinal_position LIMIT 1`,
    [table],
  );
  if (!key) throw new BackupError(`table ${table} has no primary key to page through`);
  return { columns: rows.map((row) => row.name), key: key.name };
}

function orderTables(names: string[]): string[] {
  const known = TABLE_ORDER.filter((name) => names.includes(name));
  return [...known, ...names.filter((name) => !TABLE_ORDER.includes(name)).sort()];
}

function quote(identifier: string): string {
  if (!IDENTIFIER.test(identifier)) throw new BackupError(`"${identifier}" is not a table or column name a Shipshape schema uses`);
  return `"${identifier}"`;
}

function lines(file: string): AsyncIterable<string> {
  const input = createReadStream(file, { encoding: 'utf8' });
  input.on('error', () => undefined);
  return (async function* () {
    try {
      for await (const line of createInterface({ input, crlfDelay: Infinity })) yield line;
    } catch (err) {
      throw new BackupError(`cannot read ${file}: ${(err as Error).message}`);
    }
  })();
}

function parseLine(file: string, lineNo: number, line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    throw new BackupError(`${file}:${lineNo}: not JSON; the backup is damaged`);
  }
}

function checkedHeader(file: string, value: unknown): BackupHeader {
  const header = value as Partial<BackupHeader> | null;
  if (!header || typeof header !== 'object' || header.format !== BACKUP_FORMAT) throw new BackupError(`${file} is not a Shipshape manager backup`);
  if (header.version !== BACKUP_VERSION) throw new BackupError(`${file} is a backup of format version ${String(header.version)}; this manager reads version ${BACKUP_VERSION}`);
  if (!Number.isInteger(header.schema_version) || (header.schema_version ?? 0) < 1) throw new BackupError(`${file}: the schema version in its first line is missing`);
  return header as BackupHeader;
}

function isTableLine(value: unknown): value is { table: string; columns: string[] } {
  const v = value as { table?: unknown; columns?: unknown } | null;
  return (
    !!v &&
    typeof v === 'object' &&
    typeof v.table === 'string' &&
    IDENTIFIER.test(v.table) &&
    Array.isArray(v.columns) &&
    v.columns.length > 0 &&
    v.columns.every((c) => typeof c === 'string' && IDENTIFIER.test(c))
  );
}

function isTrailer(value: unknown): value is { end: true; counts: Record<string, number>; sha256: string } {
  const v = value as { end?: unknown; counts?: unknown; sha256?: unknown } | null;
  return !!v && typeof v === 'object' && v.end === true && typeof v.sha256 === 'string' && !!v.counts && typeof v.counts === 'object';
}
