import pg from 'pg';
import { numberedPlaceholders, UniqueViolation, type Database, type Notifications, type Queryable, type Row, type SqlValue } from './database.js';

const INT8_OID = 20;
/** Any constant: the advisory lock that serializes migrations between replicas. */
const MIGRATION_LOCK_KEY = 0x5a1d_0006;

// Timestamps are epoch milliseconds in BIGINT columns and counts are BIGINT: both fit a double.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PostgresOptions {
  /** Connections in the pool. */
  max?: number;
  /** Errors on idle connections, which would otherwise crash the process. */
  onError?: (err: Error) => void;
}

/** PostgreSQL through a `pg` pool. Several managers may share one database. */
export class PostgresDatabase implements Database {
  readonly dialect = 'postgres' as const;
  readonly notifications: Notifications;
  private readonly pool: pg.Pool;
  private ephemeralPool: pg.Pool | undefined;
  private readonly sqlCache = new Map<string, string>();
  private listener: pg.Client | undefined;
  private readonly listeners = new Map<string, ((payload: string) => void)[]>();

  constructor(
    private readonly connectionString: string,
    private readonly options: PostgresOptions = {},
  ) {
    this.pool = new pg.Pool({ connectionString, max: options.max ?? 10, types });
    this.pool.on('error', (err) => options.onError?.(err));
    this.notifications = {
      listen: (channel, onMessage) => this.listen(channel, onMessage),
      notify: async (channel, payload) => {
        await this.pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
      },
    };
  }

  all<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return query<T>(this.pool, this.numbered(sql), params).then((result) => result.rows);
  }

  get<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.all<T>(sql, params).then((rows) => rows[0]);
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return query(this.pool, this.numbered(sql), params).then((result) => ({ changes: result.rowCount ?? 0 }));
  }

  runEphemeral(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    // Connections of their own, so that nothing else (a revoked key, a placement) ever commits
    // without waiting for the disk.
    this.ephemeralPool ??= this.newEphemeralPool();
    return query(this.ephemeralPool, this.numbered(sql), params).then((result) => ({ changes: result.rowCount ?? 0 }));
  }

  private newEphemeralPool(): pg.Pool {
    const pool = new pg.Pool({ connectionString: this.connectionString, max: this.options.max ?? 10, types, options: '-c synchronous_commit=off' });
    pool.on('error', (err) => this.options.onError?.(err));
    return pool;
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx = new ClientQueryable(client, (sql) => this.numbered(sql));
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(tx);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async readSnapshot<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        return await work(new ClientQueryable(client, (sql) => this.numbered(sql)));
      } finally {
        try {
          await client.query('COMMIT');
        } catch {
          broken = true;
        }
      }
    } finally {
      client.release(broken);
    }
  }

  async withMigrationLock<T>(work: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      try {
        return await work();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      }
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.ephemeralPool?.end();
    await this.pool.end();
  }

  private numbered(sql: string): string {
    let converted = this.sqlCache.get(sql);
    if (converted === undefined) {
      converted = numberedPlaceholders(sql);
      this.sqlCache.set(sql, converted);
    }
    return converted;
  }

  private async listen(channel: string, onMessage: (payload: string) => void): Promise<void> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name "${channel}"`);
    if (!this.listener) {
      const client = new pg.Client({ connectionString: this.connectionString, types });
      client.on('error', (err) => this.options.onError?.(err));
      client.on('notification', (message) => {
        for (const callback of this.listeners.get(message.channel) ?? []) callback(message.payload ?? '');
      });
      await client.connect();
      this.listener = client;
    }
    const callbacks = this.listeners.get(channel) ?? [];
    callbacks.push(onMessage);
    this.listeners.set(channel, callbacks);
    if (callbacks.length === 1) await this.listener.query(`LISTEN ${channel}`);
  }
}

async function query<T extends Row = Row>(client: pg.Pool | pg.PoolClient, sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult<T>> {
  try {
    return await client.query<T>(sql, params as SqlValue[]);
  } catch (err) {
    const e = err as { code?: string; constraint?: string; message?: string };
    if (e.code === '23505') throw new UniqueViolation(e.constraint, e.message ?? 'duplicate key');
    throw err;
  }
}

/** The statements of one transaction, on its own connection. */
class ClientQueryable implements Queryable {
  constructor(
    private readonly client: pg.PoolClient,
    private readonly numbered: (sql: string) => string,
  ) {}

  async all<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await query<T>(this.client, this.numbered(sql), params)).rows;
  }

  async get<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return { changes: (await query(this.client, this.numbered(sql), params)).rowCount ?? 0 };
  }
}
