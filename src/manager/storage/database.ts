/**
 * The little the repository needs from a database driver. Queries are written once, with `?`
 * placeholders, in SQL that SQLite and PostgreSQL both accept; each driver adapts placeholders,
 * transactions and error codes.
 */

export type SqlValue = string | number | null;
export type Row = Record<string, unknown>;

export interface Queryable {
  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** For statements without a result; `changes` is the number of rows written. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
}

export interface Database extends Queryable {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
   * Statements inside must go through `tx`, not through the database.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `work` in a read-only transaction that sees one consistent state of the database while
   * others go on writing (PostgreSQL: REPEATABLE READ; SQLite: a WAL read transaction).
   */
  readSnapshot<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * A write whose loss in a crash costs nothing, such as a heartbeat (the next one repeats it):
   * PostgreSQL need not wait for the disk before answering. Elsewhere the same as `run`.
   */
  runEphemeral(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Serializes schema changes between processes sharing the database. */
  withMigrationLock<T>(work: () => Promise<T>): Promise<T>;
  /** Cross-process notifications (PostgreSQL LISTEN/NOTIFY); absent where there is one process. */
  readonly notifications?: Notifications;
  close(): Promise<void>;
}

export interface Notifications {
  listen(channel: string, onMessage: (payload: string) => void): Promise<void>;
  notify(channel: string, payload: string): Promise<void>;
}

/** A row that would duplicate a unique key (e-mail, host address, deployment name). */
export class UniqueViolation extends Error {
  constructor(readonly constraint: string | undefined, message: string) {
    super(message);
    this.name = 'UniqueViolation';
  }
}

/** `?` → `$1, $2, …` for PostgreSQL. The queries never put `?` inside string literals. */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
