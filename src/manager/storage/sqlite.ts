import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { UniqueViolation, type Database, type Queryable, type Row, type SqlValue } from './database.js';

type Statement = BetterSqlite3.Statement<unknown[], unknown>;

/**
 * SQLite through better-sqlite3, in WAL mode. The driver is synchronous, so a statement never
 * interleaves with another; a transaction, though, spans awaits, and statements from other
 * requests must not slip into it: while one runs, everything else waits for the lock.
 */
export class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const;
  private readonly db: BetterSqlite3.Database;
  private readonly statements = new Map<string, Statement>();
  private locked = false;
  private readonly waiters: (() => void)[] = [];
  private readonly direct: Queryable;

  constructor(file: string) {
    if (file !== ':memory:') ownerOnly(file);
    this.db = new BetterSqlite3(file);
    this.db.pragma('journal_mode = WAL');
    // WAL with synchronous=NORMAL survives process crashes; only a power loss can lose the last
    // commits, which heartbeats make up for within one interval.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.direct = new LockHolder(this);
  }

  async all<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    if (!this.locked) return this.allNow<T>(sql, params);
    return this.exclusive(async () => this.allNow<T>(sql, params));
  }

  async get<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    if (!this.locked) return this.runNow(sql, params);
    return this.exclusive(async () => this.runNow(sql, params));
  }

  runEphemeral(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    // WAL with synchronous=NORMAL does not wait for the disk on commit anyway.
    return this.run(sql, params);
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      // IMMEDIATE takes the write lock at once, so two processes on one file queue up instead of
      // failing with SQLITE_BUSY when both try to upgrade a read transaction.
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  async readSnapshot<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      // DEFERRED: the snapshot starts at the first read and never blocks a writer in WAL mode.
      this.db.exec('BEGIN DEFERRED');
      try {
        return await work(this.direct);
      } finally {
        if (this.db.inTransaction) this.db.exec('COMMIT');
      }
    });
  }

  async withMigrationLock<T>(work: () => Promise<T>): Promise<T> {
    // Each migration runs in its own IMMEDIATE transaction and re-checks that it is still due,
    // which is all another process on the same file needs.
    return work();
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      this.statements.clear();
      this.db.close();
    });
  }

  private async exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.locked) await new Promise<void>((resolve) => this.waiters.push(resolve));
    else this.locked = true;
    try {
      return await work();
    } finally {
      const next = this.waiters.shift();
      if (next) next();
      else this.locked = false;
    }
  }

  private prepare(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** @internal: runs at once; only for the holder of the lock. */
  allNow<T>(sql: string, params: readonly SqlValue[]): T[] {
    return translate(() => {
      const statement = this.prepare(sql);
      if (statement.reader) return statement.all(...params) as T[];
      statement.run(...params);
      return [];
    });
  }

  /** @internal */
  runNow(sql: string, params: readonly SqlValue[]): { changes: number } {
    return translate(() => {
      const statement = this.prepare(sql);
      if (statement.reader) return { changes: statement.all(...params).length };
      return { changes: statement.run(...params).changes };
    });
  }
}

function translate<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      const message = (err as Error).message;
      throw new UniqueViolation(/failed: (.*)$/.exec(message)?.[1], message);
    }
    throw err;
  }
}

/** Statements of the transaction that holds the lock: they run at once. */
class LockHolder implements Queryable {
  constructor(private readonly db: SqliteDatabase) {}

  async all<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.db.allNow<T>(sql, params);
  }

  async get<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.db.allNow<T>(sql, params)[0];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return this.db.runNow(sql, params);
  }
}

/**
 * The database holds the manager's CA key and signing secret (docs/security.md, "Keys and
 * transport"): its folder, when made here, and the file are the owner's only. SQLite gives its
 * -wal and -shm files the database file's mode, so they follow.
 */
function ownerOnly(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    if (!existsSync(path)) continue;
    const mode = statSync(path).mode & 0o777;
    try {
      if (mode & 0o077) chmodSync(path, mode & 0o700);
    } catch {
      // Another user's file that this one may write to: the operator chose its mode.
    }
  }
}
