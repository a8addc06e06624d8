import type { Database } from './database.js';

/**
 * The schema, as numbered steps that only ever get appended. Every statement is plain SQL both
 * SQLite and PostgreSQL accept: TEXT ids, BIGINT epoch milliseconds, INTEGER 0/1 for booleans,
 * JSON as TEXT, partial indexes.
 */
export const MIGRATIONS: readonly { version: number; name: string; statements: readonly string[] }[] = [
  {
    version: 1,
    name: 'initial schema',
    statements: [
      `CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      )`,
      `CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until BIGINT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
      `CREATE TABLE api_keys (
        jti TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        key_hash TEXT NOT NULL UNIQUE,
        issued_at BIGINT NOT NULL,
        expires_at BIGINT,
        revoked_at BIGINT
      )`,
      'CREATE INDEX api_keys_user ON api_keys (user_id)',
      `CREATE TABLE hosts (
        id TEXT PRIMARY KEY,
        hostname TEXT NOT NULL,
        ip TEXT NOT NULL,
        ssh_port INTEGER NOT NULL,
        api_port INTEGER NOT NULL,
        max_containers INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('online', 'offline')),
        last_seen BIGINT,
        cpu_percent INTEGER NOT NULL DEFAULT 0,
        mem_percent INTEGER NOT NULL DEFAULT 0,
        disk_percent INTEGER,
        load_avg DOUBLE PRECISION,
        containers INTEGER NOT NULL DEFAULT 0,
        docker_ok INTEGER,
        agent_version TEXT,
        active_deployments INTEGER NOT NULL DEFAULT 0,
        key_jti TEXT NOT NULL,
        key_hash TEXT NOT NULL,
        key_issued_at BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        UNIQUE (ip, api_port)
      )`,
      // No index on last_seen: every heartbeat changes it, and keeping an index current doubled
      // the cost of a heartbeat (and defeats PostgreSQL's HOT updates), while the offline check
      // that would use it scans 10,000 hosts in half a millisecond every few seconds.
      `CREATE TABLE deployments (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        host_id TEXT REFERENCES hosts (id) ON DELETE SET NULL,
        user_id TEXT,
        source TEXT NOT NULL CHECK (source IN ('launch', 'compose')),
        state TEXT NOT NULL CHECK (state IN ('pending', 'deploying', 'running', 'failed')),
        reason TEXT,
        findings TEXT NOT NULL DEFAULT '[]',
        agent_response TEXT,
        created_by TEXT,
        lease_owner TEXT,
        lease_until BIGINT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
      'CREATE INDEX deployments_host ON deployments (host_id)',
      'CREATE INDEX deployments_state ON deployments (state, lease_until)',
      // A name is the compose project on the host: two live deployments must not share one.
      `CREATE UNIQUE INDEX deployments_live_name ON deployments (name) WHERE state IN ('pending', 'deploying', 'running')`,
      `CREATE TABLE audit_log (
        id TEXT PRIMARY KEY,
        at BIGINT NOT NULL,
        actor TEXT,
        actor_role TEXT,
        action TEXT NOT NULL,
        target TEXT,
        outcome TEXT NOT NULL,
        ip TEXT,
        request_id TEXT,
        details TEXT
      )`,
      'CREATE INDEX audit_log_at ON audit_log (at, id)',
      `CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at BIGINT NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    name: 'agent certificates and enrollment tokens',
    statements: [
      // Set for a host that enrolled: the SHA-256 of the certificate its agent serves and calls with.
      'ALTER TABLE hosts ADD COLUMN agent_cert_sha256 TEXT',
      `CREATE TABLE enrollment_tokens (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        created_by TEXT,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_at BIGINT,
        host_id TEXT
      )`,
    ],
  },
  {
    version: 3,
    name: 'deployment states from heartbeats',
    // The CHECK on state cannot be changed in place on SQLite: the table is copied into a new one.
    statements: [
      `CREATE TABLE deployments_v3 (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        host_id TEXT REFERENCES hosts (id) ON DELETE SET NULL,
        user_id TEXT,
        source TEXT NOT NULL CHECK (source IN ('launch', 'compose')),
        state TEXT NOT NULL CHECK (state IN ('pending', 'deploying', 'running', 'degraded', 'stopped', 'failed', 'removed')),
        reason TEXT,
        findings TEXT NOT NULL DEFAULT '[]',
        agent_response TEXT,
        created_by TEXT,
        lease_owner TEXT,
        lease_until BIGINT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
      `INSERT INTO deployments_v3 (id, name, host_id, user_id, source, state, reason, findings, agent_response, created_by, lease_owner, lease_until, created_at, updated_at)
       SELECT id, name, host_id, user_id, source, state, reason, findings, agent_response, created_by, lease_owner, lease_until, created_at, updated_at FROM deployments`,
      'DROP TABLE deployments',
      'ALTER TABLE deployments_v3 RENAME TO deployments',
      'CREATE INDEX deployments_host ON deployments (host_id)',
      'CREATE INDEX deployments_state ON deployments (state, lease_until)',
      // A stack that exists on its host (even stopped) keeps its name there.
      `CREATE UNIQUE INDEX deployments_live_name ON deployments (name) WHERE state IN ('pending', 'deploying', 'running', 'degraded', 'stopped')`,
    ],
  },
  {
    version: 4,
    name: 'pending removals',
    statements: [
      // Set when a delete was asked for that the agent could not carry out yet (it was deploying,
      // or unreachable): the monitor retries until the agent confirms, then the row goes.
      'ALTER TABLE deployments ADD COLUMN remove_requested_at BIGINT',
    ],
  },
  {
    version: 5,
    name: 'enrollment tokens for several hosts',
    statements: [
      // A token for a fleet (a Kubernetes DaemonSet's nodes) enrolls up to max_uses hosts, each
      // with its own key and certificate; host_id is the last one it enrolled.
      'ALTER TABLE enrollment_tokens ADD COLUMN max_uses INTEGER NOT NULL DEFAULT 1',
      'ALTER TABLE enrollment_tokens ADD COLUMN uses INTEGER NOT NULL DEFAULT 0',
      'UPDATE enrollment_tokens SET uses = 1 WHERE used_at IS NOT NULL',
    ],
  },
  {
    version: 6,
    name: 'fleet: inventories, webhooks and their deliveries',
    statements: [
      // What each host's agent last reported (docs/posture.md): the search index and posture read it.
      `CREATE TABLE host_inventory (
        host_id TEXT PRIMARY KEY REFERENCES hosts (id) ON DELETE CASCADE,
        collected_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        inventory TEXT NOT NULL
      )`,
      'CREATE INDEX host_inventory_updated ON host_inventory (updated_at)',
      // The secret is encrypted with a key derived from JWT_SECRET (docs/alerts.md).
      `CREATE TABLE alert_webhooks (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        events TEXT NOT NULL,
        secret_sealed TEXT NOT NULL,
        description TEXT,
        created_by TEXT,
        created_at BIGINT NOT NULL
      )`,
      `CREATE TABLE alert_deliveries (
        id TEXT PRIMARY KEY,
        webhook_id TEXT NOT NULL REFERENCES alert_webhooks (id) ON DELETE CASCADE,
        event TEXT NOT NULL,
        event_id TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_status INTEGER,
        last_error TEXT,
        next_attempt_at BIGINT,
        lease_owner TEXT,
        lease_until BIGINT,
        created_at BIGINT NOT NULL,
        delivered_at BIGINT
      )`,
      'CREATE INDEX alert_deliveries_due ON alert_deliveries (status, next_attempt_at)',
      'CREATE INDEX alert_deliveries_created ON alert_deliveries (created_at, id)',
    ],
  },
  {
    version: 7,
    name: 'deployment packages (harden a deployment from its own files)',
    statements: [
      // The package as the agent got it, base64: the same TEXT column on SQLite and PostgreSQL.
      `CREATE TABLE deployment_packages (
        deployment_id TEXT PRIMARY KEY,
        package TEXT NOT NULL,
        created_at BIGINT NOT NULL
      )`,
    ],
  },
];

/**
 * Applies the migrations not applied yet, each in its own transaction, up to `upTo` (default: all;
 * a restore first builds the schema its backup was made with). Returns their versions.
 */
export async function migrate(db: Database, now: () => number = Date.now, upTo = Infinity): Promise<number[]> {
  return db.withMigrationLock(async () => {
    await db.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (migration.version > upTo) break;
      const done = await db.transaction(async (tx) => {
        if (await tx.get('SELECT version FROM schema_migrations WHERE version = ?', [migration.version])) return false;
        for (const statement of migration.statements) await tx.run(statement);
        await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [migration.version, migration.name, now()]);
        return true;
      });
      if (done) applied.push(migration.version);
    }
    return applied;
  });
}

/** The newest version this build knows; a database ahead of it belongs to a newer manager. */
export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));
