import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { composeZip, eventually, heartbeat, login, multipart, registerHost, startFakeAgent, startTestManager, type DatabaseKind, type FakeAgent, type TestManager } from './helpers.js';

/** Placement under concurrency, over real HTTP, on both databases. */
export function definePlacementTests(kind: DatabaseKind): void {
  describe(`placement under concurrency on ${kind}`, () => {
    let manager: TestManager;
    let agents: FakeAgent[];
    let adminKey: string;
    const keys = new Map<number, string>();

    before(async () => {
      manager = await startTestManager(kind, { listen: true, monitor: false });
      adminKey = await login(manager);
      agents = [];
      for (let i = 0; i < 2; i++) {
        const agent = await startFakeAgent(() => keys.get(agent.port));
        agents.push(agent);
        const host = await registerHost(manager, adminKey, { hostname: `fake-${i}`, ip: '127.0.0.1', api_port: agent.port, max_containers: 10 });
        keys.set(agent.port, host.server_key);
        assert.equal((await heartbeat(manager, host.id, host.server_key)).statusCode, 200);
      }
    });
    after(async () => {
      await manager.dispose();
      await Promise.all(agents.map((a) => a.close()));
    });

    it('accepts exactly 20 of 50 simultaneous launches on two hosts with room for 10 each', async () => {
      const form = multipart('file', 'package.zip', composeZip());
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          fetch(`${manager.url}/containers/launch?user_id=u${i}`, {
            method: 'POST',
            headers: { 'x-admin-key': adminKey, 'content-type': form.contentType },
            body: form.body,
          }).then(async (r) => ({ status: r.status, body: (await r.json()) as { id?: string; host_id?: string; detail?: string } })),
        ),
      );
      const accepted = responses.filter((r) => r.status === 202);
      const refused = responses.filter((r) => r.status !== 202);
      assert.equal(accepted.length, 20);
      assert.deepEqual([...new Set(refused.map((r) => `${r.status} ${r.body.detail}`))], ['503 No available host']);
      const perHost = new Map<string, number>();
      for (const r of accepted) perHost.set(r.body.host_id!, (perHost.get(r.body.host_id!) ?? 0) + 1);
      assert.deepEqual([...perHost.values()].sort(), [10, 10]);

      await eventually(async () => ((await manager.repo.countDeploymentsByState()).running === 20 ? true : undefined), 10_000, '20 running');
      assert.deepEqual(agents.map((a) => a.calls.filter((c) => c.method === 'POST').length), [10, 10]);
      const hosts = await manager.repo.listHosts();
      assert.deepEqual(hosts.map((h) => h.activeDeployments), [10, 10]);
      assert.equal((await manager.repo.listDeployments()).length, 20);
    });
  });
}
