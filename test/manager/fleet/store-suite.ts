import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { HostInventory } from '../../../src/contract/index.js';
import { FleetStore, openDatabase, type Database } from '../../../src/manager/index.js';
import { newHostRecord, SqlRepository } from '../../../src/manager/storage/repository.js';
import { freshDatabase, type DatabaseKind } from '../helpers.js';

/** The fleet's tables on SQLite (store.test.ts) and PostgreSQL (store.pg.test.ts): the same SQL on both. */
export function defineFleetStoreTests(kind: DatabaseKind): void {
  describe(`fleet store on ${kind}`, () => {
    let db: Database;
    let repo: SqlRepository;
    let store: FleetStore;
    let drop: () => Promise<void>;
    const hostIds = [randomUUID(), randomUUID()];

    before(async () => {
      const fresh = await freshDatabase(kind);
      drop = fresh.drop;
      db = await openDatabase(fresh.url);
      repo = new SqlRepository(db);
      store = new FleetStore(db);
      for (const [i, id] of hostIds.entries()) {
        await repo.insertHost(newHostRecord({ id, hostname: `h${i}`, ip: `10.9.0.${i}`, sshPort: 22, apiPort: 8003, maxContainers: 1, keyJti: randomUUID(), keyHash: randomUUID(), keyIssuedAt: 1 }, 1_000));
      }
    });
    after(async () => {
      await repo.close();
      await drop();
    });

    const inventory = (name: string): HostInventory => ({
      collected_at: new Date(5_000).toISOString(),
      agent_version: '1',
      containers: [{ id: 'c', name, image: 'i', state: 'running', health: null, stack: null, service: null, managed: false, ports: [], env_names: ['A'] }],
      posture: [],
      drift: [],
      truncated: false,
    });

    it('keeps the last inventory of each host and gives what changed since a time', async () => {
      await store.putInventory(hostIds[0]!, inventory('one'), 10_000);
      await store.putInventory(hostIds[0]!, inventory('two'), 20_000);
      await store.putInventory(hostIds[1]!, inventory('three'), 30_000);
      assert.equal((await store.inventoryOf(hostIds[0]!))?.inventory.containers[0]?.name, 'two');
      assert.equal((await store.inventoryOf(hostIds[0]!))?.collectedAt, 5_000);
      assert.deepEqual((await store.inventoriesSince(0)).map((r) => r.hostname), ['h0', 'h1']);
      assert.deepEqual((await store.inventoriesSince(20_000)).map((r) => r.hostId), [hostIds[1]]);
      assert.deepEqual((await store.inventoryHostIds()).sort(), [...hostIds].sort());
    });

    it('claims each due delivery once, settles it, lists and prunes the log', async () => {
      await store.insertWebhook({ id: 'w1', url: 'http://127.0.0.1/x', events: ['host.online'], secretSealed: 'v1.x', description: null, createdBy: 'a', createdAt: 1 });
      const delivery = (id: string, at: number) => ({
        id, webhookId: 'w1', event: 'host.online' as const, eventId: `e-${id}`, payload: '{}', status: 'pending' as const,
        attempts: 0, lastStatus: null, lastError: null, nextAttemptAt: at, createdAt: at, deliveredAt: null,
      });
      await store.insertDeliveries([delivery('d1', 100), delivery('d2', 200), delivery('d3', 9_999)]);
      const first = await store.claimDue('me', 1_000, 5_000, 10);
      assert.deepEqual(first.map((d) => d.id), ['d1', 'd2']);
      assert.deepEqual(await store.claimDue('other', 1_000, 5_000, 10), [], 'leased deliveries are not claimed twice');
      await store.settleDelivery('d1', { status: 'delivered', attempts: 1, lastStatus: 204, lastError: null, nextAttemptAt: null, deliveredAt: 1_100 });
      await store.settleDelivery('d2', { status: 'pending', attempts: 1, lastStatus: 500, lastError: 'answered HTTP 500', nextAttemptAt: 2_000, deliveredAt: null });
      assert.deepEqual((await store.claimDue('other', 2_500, 6_000, 10)).map((d) => d.id), ['d2'], 'a retry is due once its wait is over');
      assert.deepEqual((await store.listDeliveries({ status: 'delivered', limit: 10 })).map((d) => [d.id, d.lastStatus, d.deliveredAt]), [['d1', 204, 1_100]]);
      assert.equal((await store.listDeliveries({ webhookId: 'w1', limit: 10 })).length, 3);
      await store.pruneDeliveries(0);
      assert.deepEqual((await store.listDeliveries({ limit: 10 })).map((d) => d.id).sort(), ['d2', 'd3'], 'pending deliveries stay');
      assert.equal(await store.deleteWebhook('w1'), true);
      assert.deepEqual(await store.listDeliveries({ limit: 10 }), []);
    });

    it('reserves a slot only on an online host with room, and rehomes a running deployment', async () => {
      assert.equal(await store.reserveSlot(hostIds[1]!), false, 'offline');
      await db.run("UPDATE hosts SET status = 'online'");
      assert.equal(await store.reserveSlot(hostIds[1]!), true);
      assert.equal(await store.reserveSlot(hostIds[1]!), false, 'full');
      await store.releaseSlot(hostIds[1]!);
      await db.run(
        "INSERT INTO deployments (id, name, host_id, user_id, source, state, findings, created_at, updated_at) VALUES ('dep', 'dep', ?, NULL, 'compose', 'running', '[]', 1, 1)",
        [hostIds[0]!],
      );
      await db.run('UPDATE hosts SET active_deployments = 1 WHERE id = ?', [hostIds[0]!]);
      assert.equal(await store.reserveSlot(hostIds[1]!), true);
      assert.equal(await store.rehome('dep', hostIds[0]!, hostIds[1]!, 50), true);
      assert.equal(await store.rehome('dep', hostIds[0]!, hostIds[1]!, 60), false, 'it is not on the source any more');
      assert.equal((await repo.getDeployment('dep'))?.hostId, hostIds[1]);
      assert.equal((await repo.getHost(hostIds[0]!))?.activeDeployments, 0);
      assert.equal((await repo.getHost(hostIds[1]!))?.activeDeployments, 1);
    });
  });
}
