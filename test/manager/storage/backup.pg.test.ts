import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { backupDatabase, openDatabase, restoreDatabase } from '../../../src/manager/index.js';
import { freshDatabase, heartbeat, login, registerHost, startTestManager } from '../helpers.js';
import { defineBackupTests } from './backup-suite.js';

defineBackupTests('postgres');

describe('moving a manager from SQLite to PostgreSQL', () => {
  it('restores a SQLite backup onto PostgreSQL, where the old keys keep working', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'shipshape-move-test-'));
    const sqlite = await freshDatabase('sqlite');
    const postgres = await freshDatabase('postgres');
    try {
      const before = await startTestManager('sqlite', { databaseUrl: sqlite.url });
      const admin = await login(before);
      const host = await registerHost(before, admin);
      assert.equal((await heartbeat(before, host.id, host.server_key, { docker_ok: true })).statusCode, 200);
      await before.app.close();
      const file = join(scratch, 'move.jsonl');
      const made = await backupDatabase(sqlite.url, file);
      assert.equal(made.dialect, 'sqlite');
      const restored = await restoreDatabase(postgres.url, file);
      assert.equal(restored.dialect, 'postgres');
      assert.deepEqual(restored.counts, made.counts);

      const db = await openDatabase(postgres.url);
      const load = await db.get<{ load_avg: number | null; docker_ok: number }>('SELECT load_avg, docker_ok FROM hosts WHERE id = ?', [host.id]);
      assert.equal(Number(load?.docker_ok), 1);
      await db.close();
      const after = await startTestManager('postgres', { databaseUrl: postgres.url });
      try {
        assert.equal((await after.app.inject({ method: 'GET', url: '/auth/me', headers: { 'x-admin-key': admin } })).statusCode, 200);
        assert.equal((await heartbeat(after, host.id, host.server_key)).statusCode, 200);
      } finally {
        await after.app.close();
      }
    } finally {
      await sqlite.drop();
      await postgres.drop();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
