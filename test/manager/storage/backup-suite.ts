import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BackupError, MIGRATIONS, backupDatabase, migrate, openDatabase, restoreDatabase, SCHEMA_VERSION, type Database } from '../../../src/manager/index.js';
import { PostgresDatabase } from '../../../src/manager/storage/postgres.js';
import { SqliteDatabase } from '../../../src/manager/storage/sqlite.js';
import { sqlitePath } from '../../../src/manager/storage/open.js';
import { ADMIN, freshDatabase, heartbeat, login, registerHost, startTestManager, type DatabaseKind } from '../helpers.js';

const run = promisify(execFile);
const CLI = join(process.cwd(), 'bin', 'shipshape.js');

/** Every row of the tables a restore must bring back, keyed by table and primary key. */
const KEYED: Record<string, string> = { users: 'id', api_keys: 'jti', hosts: 'id', deployments: 'id', audit_log: 'id', enrollment_tokens: 'id', settings: 'key' };

async function snapshot(db: Database): Promise<Map<string, Map<string, Record<string, unknown>>>> {
  const tables = new Map<string, Map<string, Record<string, unknown>>>();
  for (const [table, key] of Object.entries(KEYED)) {
    const rows = new Map<string, Record<string, unknown>>();
    for (const row of await db.all(`SELECT * FROM ${table}`)) {
      // Numbers as numbers on both drivers (PostgreSQL's DOUBLE and BIGINT, SQLite's INTEGER).
      rows.set(String(row[key]), Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
    }
    tables.set(table, rows);
  }
  return tables;
}

/** Opens the database without migrating it: what a restore left. */
function rawDatabase(kind: DatabaseKind, url: string): Database {
  return kind === 'sqlite' ? new SqliteDatabase(sqlitePath(url)) : new PostgresDatabase(url, { max: 2 });
}

/**
 * Backup and restore (docs/deploy.md, "Backup and restore"), on SQLite (backup.test.ts) and
 * PostgreSQL (backup.pg.test.ts): through the CLI, in another process, while a manager takes
 * heartbeats and writes audit entries.
 */
export function defineBackupTests(kind: DatabaseKind): void {
  describe(`manager backup and restore on ${kind}`, () => {
    const scratch = mkdtempSync(join(tmpdir(), 'shipshape-backup-test-'));
    const drops: (() => Promise<void>)[] = [];
    const fresh = async () => {
      const database = await freshDatabase(kind);
      drops.push(database.drop);
      return database.url;
    };
    after(async () => {
      for (const drop of drops) await drop();
      rmSync(scratch, { recursive: true, force: true });
    });

    it('loses nothing while the manager takes heartbeats, and the restored manager accepts the old keys', async () => {
      const sourceUrl = await fresh();
      const manager = await startTestManager(kind, { databaseUrl: sourceUrl });
      const admin = await login(manager);
      const hosts: { id: string; server_key: string }[] = [];
      for (let i = 0; i < 40; i++) hosts.push(await registerHost(manager, admin, { hostname: `node-${i}` }));
      for (const role of ['operator', 'viewer']) {
        const created = await manager.app.inject({ method: 'POST', url: '/auth/users', headers: { 'x-admin-key': admin }, payload: { email: `${role}@example.com`, password: 'long enough password', role } });
        assert.equal(created.statusCode, 201, created.body);
      }
      const token = await manager.app.inject({ method: 'POST', url: '/hosts/enrollment-tokens', headers: { 'x-admin-key': admin }, payload: { uses: 5 } });
      assert.equal(token.statusCode, 201, token.body);
      for (const host of hosts) assert.equal((await heartbeat(manager, host.id, host.server_key, { docker_ok: true })).statusCode, 200);
      for (let i = 0; i < 12; i++) {
        const id = randomUUID();
        const placed = await manager.repo.placeDeployment({ id, name: `app-${i}`, userId: null, source: 'compose', findings: '[]', createdBy: ADMIN.email, leaseOwner: null, leaseUntil: null }, Date.now());
        assert.ok(placed.ok, 'a deployment is placed');
      }
      const db = await openDatabase(sourceUrl);
      const before = await snapshot(db);

      // Heartbeats from every host and audited logins, without pause, until the backup is written.
      let writing = true;
      let writes = 0;
      const load = (async () => {
        while (writing) {
          await Promise.all(hosts.map((host, n) => heartbeat(manager, host.id, host.server_key, { cpu: writes % 100, mem: n % 100, docker_ok: true })));
          await manager.app.inject({ method: 'POST', url: '/auth/login', payload: { email: ADMIN.email, password: 'wrong password' } });
          writes++;
        }
      })();
      const file = join(scratch, `${kind}-backup.jsonl`);
      try {
        for (let waited = 0; writes < 2; waited++) {
          assert.ok(waited < 3000, 'the load is running');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const { stdout } = await run(process.execPath, [CLI, 'manager', 'backup', '--database', sourceUrl, '--to', file], { timeout: 120_000 });
        assert.match(stdout, /Backed up .* \(schema \d+\) to /);
        assert.doesNotMatch(stdout, /shipshape_test:shipshape_test@/, 'the password in the URL is not printed');
      } finally {
        writing = false;
        await load;
      }
      assert.ok(writes >= 3, `the manager kept writing during the backup (${writes} rounds)`);
      const afterBackup = await snapshot(db);
      await db.close();
      await manager.app.close();
      assert.equal(statSync(file).mode & 0o777, 0o600, 'the backup is readable by its owner only');

      const targetUrl = await fresh();
      const { stdout } = await run(process.execPath, [CLI, 'manager', 'restore', '--database', targetUrl, '--from', file], { timeout: 120_000 });
      assert.match(stdout, /Restored .* and checked it/);
      const restoredDb = rawDatabase(kind, targetUrl);
      const restored = await snapshot(restoredDb);
      await restoredDb.close();
      for (const [table, rows] of before) {
        const got = restored.get(table)!;
        assert.ok(got.size >= rows.size && got.size <= afterBackup.get(table)!.size, `${table}: ${got.size} rows, between ${rows.size} and ${afterBackup.get(table)!.size}`);
        for (const [key, row] of rows) {
          const back = got.get(key);
          assert.ok(back, `${table} row ${key} survived`);
          if (table === 'hosts') {
            // Heartbeats go on changing figures; identity and keys must be the same.
            for (const column of ['hostname', 'ip', 'api_port', 'key_jti', 'key_hash', 'key_issued_at', 'agent_cert_sha256', 'active_deployments', 'created_at']) {
              assert.deepEqual(back[column], row[column], `hosts ${key}.${column}`);
            }
          } else if (table === 'users') {
            for (const column of ['email', 'password_hash', 'role', 'created_at']) assert.deepEqual(back[column], row[column], `users ${key}.${column}`);
          } else {
            assert.deepEqual(back, row, `${table} row ${key}`);
          }
        }
      }
      assert.equal(restored.get('deployments')!.size, 12);
      assert.equal(restored.get('hosts')!.size, 40);

      // A manager on the restored database: the same password, admin key and server keys work.
      const again = await startTestManager(kind, { databaseUrl: targetUrl });
      try {
        assert.equal((await again.app.inject({ method: 'GET', url: '/auth/me', headers: { 'x-admin-key': admin } })).statusCode, 200, 'the admin key issued before the backup');
        await login(again);
        for (const host of hosts.slice(0, 5)) assert.equal((await heartbeat(again, host.id, host.server_key)).statusCode, 200, 'a server key issued before the backup');
        assert.equal((await heartbeat(again, hosts[0]!.id, hosts[1]!.server_key)).statusCode, 401, "another host's key still fails");
      } finally {
        await again.app.close();
      }
    });

    it('refuses a damaged or cut backup and a database that is not empty, changing nothing', async () => {
      const sourceUrl = await fresh();
      const manager = await startTestManager(kind, { databaseUrl: sourceUrl });
      const admin = await login(manager);
      await registerHost(manager, admin);
      await manager.app.close();
      const file = join(scratch, `${kind}-refuse.jsonl`);
      await backupDatabase(sourceUrl, file);
      const text = readFileSync(file, 'utf8');

      const damaged = join(scratch, `${kind}-damaged.jsonl`);
      // One letter of the host's name changed in its row.
      assert.match(text, /\["[^"]+","host",/);
      writeFileSync(damaged, text.replace(/(\["[^"]+",)"host",/, '$1"hosu",'));
      const cut = join(scratch, `${kind}-cut.jsonl`);
      writeFileSync(cut, text.split('\n').slice(0, -2).join('\n') + '\n');
      const targetUrl = await fresh();
      await assert.rejects(restoreDatabase(targetUrl, damaged), (err: Error) => err instanceof BackupError && /damaged/.test(err.message));
      await assert.rejects(restoreDatabase(targetUrl, cut), (err: Error) => err instanceof BackupError && /ends early/.test(err.message));
      const target = rawDatabase(kind, targetUrl);
      try {
        const tables =
          kind === 'sqlite'
            ? await target.all("SELECT name FROM sqlite_master WHERE type = 'table'")
            : await target.all("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()");
        assert.deepEqual(tables, [], 'a refused restore wrote nothing');
      } finally {
        await target.close();
      }

      const sourceDb = await openDatabase(sourceUrl);
      const beforeRefusal = await snapshot(sourceDb);
      const refused = await run(process.execPath, [CLI, 'manager', 'restore', '--database', sourceUrl, '--from', file]).then(
        () => undefined,
        (err: { code: number; stderr: string }) => err,
      );
      assert.ok(refused, 'restoring onto a database with data is refused');
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /not empty/);
      assert.deepEqual(await snapshot(sourceDb), beforeRefusal);
      await sourceDb.close();
    });

    it('restores a backup made at an older schema and migrates it to this version', async () => {
      assert.ok(SCHEMA_VERSION >= 3, 'there is a newer schema than version 2');
      const oldUrl = await fresh();
      const old = rawDatabase(kind, oldUrl);
      // The schema of a manager from before multi-use enrollment tokens (version 2), with its rows.
      await migrate(old, Date.now, 2);
      const at = 1_700_000_000_000;
      await old.run("INSERT INTO users (id, email, password_hash, role, created_at, updated_at) VALUES ('u1', 'old@example.com', 'hash', 'admin', ?, ?)", [at, at]);
      await old.run(
        "INSERT INTO hosts (id, hostname, ip, ssh_port, api_port, max_containers, status, key_jti, key_hash, key_issued_at, created_at, updated_at) VALUES ('h1', 'old', '10.9.9.9', 22, 8003, 4, 'offline', 'j1', 'kh1', 1, ?, ?)",
        [at, at],
      );
      await old.run("INSERT INTO enrollment_tokens (id, token_hash, created_at, expires_at, used_at, host_id) VALUES ('t-used', 'th1', ?, ?, ?, 'h1')", [at, at + 3_600_000, at + 1]);
      await old.run("INSERT INTO enrollment_tokens (id, token_hash, created_at, expires_at) VALUES ('t-free', 'th2', ?, ?)", [at, Date.now() + 3_600_000]);
      await old.run("INSERT INTO audit_log (id, at, action, outcome) VALUES ('a1', ?, 'host.register', 'success')", [at]);
      await old.close();
      const file = join(scratch, `${kind}-v2.jsonl`);
      const summary = await backupDatabase(oldUrl, file);
      assert.equal(summary.schemaVersion, 2);

      const targetUrl = await fresh();
      const restored = await restoreDatabase(targetUrl, file);
      assert.equal(restored.schemaVersion, 2);
      assert.deepEqual(restored.migrated, MIGRATIONS.filter((m) => m.version > 2).map((m) => m.version));
      const db = await openDatabase(targetUrl);
      try {
        assert.deepEqual((await db.all('SELECT version FROM schema_migrations ORDER BY version')).map((r) => Number(r.version)), MIGRATIONS.map((m) => m.version));
        const tokens = await db.all('SELECT id, uses, max_uses FROM enrollment_tokens ORDER BY id');
        assert.deepEqual(
          tokens.map((t) => [t.id, Number(t.uses), Number(t.max_uses)]),
          [
            ['t-free', 0, 1],
            ['t-used', 1, 1],
          ],
          'the migration ran over the restored rows',
        );
        assert.equal((await db.get('SELECT email FROM users WHERE id = ?', ['u1']))?.email, 'old@example.com');
        assert.equal((await db.get('SELECT key_hash FROM hosts WHERE id = ?', ['h1']))?.key_hash, 'kh1');
        assert.equal(Number((await db.get('SELECT COUNT(*) AS n FROM audit_log'))?.n), 1);
      } finally {
        await db.close();
      }
    });
  });
}
