import { resolve } from 'node:path';
import type { Database } from './database.js';
import { migrate } from './migrations.js';
import { PostgresDatabase } from './postgres.js';
import { SqlRepository, type Repository } from './repository.js';
import { SqliteDatabase } from './sqlite.js';

export interface OpenOptions {
  /** Relative SQLite paths resolve against it (default: the working directory). */
  cwd?: string;
  onError?: (err: Error) => void;
}

/** The database a `DATABASE_URL` names, migrated to the current schema. */
export async function openDatabase(databaseUrl: string, options: OpenOptions = {}): Promise<Database> {
  let db: Database;
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    db = new PostgresDatabase(databaseUrl, { onError: options.onError });
  } else if (databaseUrl.startsWith('sqlite:')) {
    db = new SqliteDatabase(sqlitePath(databaseUrl, options.cwd));
  } else {
    throw new Error('DATABASE_URL must start with sqlite: or postgres://');
  }
  try {
    await migrate(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return db;
}

export async function openRepository(databaseUrl: string, options: OpenOptions = {}): Promise<Repository> {
  return new SqlRepository(await openDatabase(databaseUrl, options));
}

/** `sqlite:./data/x.db`, `sqlite:/abs/x.db`, `sqlite:///abs/x.db` and `sqlite::memory:`. */
export function sqlitePath(databaseUrl: string, cwd = process.cwd()): string {
  let path = databaseUrl.slice('sqlite:'.length);
  if (path.startsWith('//')) path = path.slice(2);
  if (path === ':memory:' || path === '') return ':memory:';
  return resolve(cwd, path);
}
