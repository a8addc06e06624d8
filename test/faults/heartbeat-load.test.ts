import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Fleet, sleep } from './fleet.js';

/**
 * kill -9 of the manager while many hosts' heartbeats pour in through the API: the SQLite file
 * passes `PRAGMA integrity_check`, and the restarted manager serves, with every host kept.
 */
describe('fault: kill -9 of the manager under heartbeat load', () => {
  const fleet = new Fleet({ offlineAfter: 30 });
  after(() => fleet.close([]));

  it('leaves a database that checks ok, and a manager that serves again', async () => {
    await fleet.startManager();
    const HOSTS = 150;
    const hosts: { id: string; key: string }[] = [];
    for (let i = 0; i < HOSTS; i++) {
      const answer = await fleet.api<{ id: string; server_key: string }>('POST', '/hosts', { hostname: `sim-${i}`, ip: `10.77.${i >> 8}.${i & 255}`, api_port: 8003, max_containers: 5 });
      assert.equal(answer.status, 201);
      hosts.push({ id: answer.body.id, key: answer.body.server_key });
    }

    // A bounded load: 16 simulated agents at a time, for at most 8 s or 20,000 heartbeats.
    let sent = 0;
    let accepted = 0;
    const heard = new Set<string>();
    let stop = false;
    const deadline = Date.now() + 8_000;
    const worker = async (w: number) => {
      for (let n = w; !stop && sent < 20_000 && Date.now() < deadline; n += 16) {
        const host = hosts[n % HOSTS]!;
        sent++;
        const answer = await fleet
          .fetch('POST', `/hosts/${host.id}/heartbeat`, { cpu: n % 100, mem: 40, containers: n % 7, agent_version: 'sim', docker_ok: true, stacks: [] }, { 'x-server-key': host.key })
          .catch(() => undefined);
        if (answer?.status === 200) {
          accepted++;
          heard.add(host.id);
        }
      }
    };
    const load = Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
    await sleep(2_500);
    await fleet.manager!.kill9();
    stop = true;
    await load;
    console.log(`killed the manager after ${accepted} accepted heartbeats (${sent} sent)`);
    assert.ok(accepted > 50, `the load reached the manager: ${accepted}`);

    const db = new Database(fleet.database);
    try {
      const result = db.pragma('integrity_check') as { integrity_check: string }[];
      assert.deepEqual(result, [{ integrity_check: 'ok' }]);
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM hosts').get() as { n: number }).n, HOSTS);
    } finally {
      db.close();
    }

    const began = Date.now();
    await fleet.startManager();
    console.log(`the manager served again ${Date.now() - began} ms after its restart began`);
    const listed = await fleet.api<{ id: string; status: string }[]>('GET', '/hosts');
    assert.equal(listed.status, 200);
    assert.equal(listed.body.length, HOSTS);
    const beat = await fleet.fetch('POST', `/hosts/${hosts[0]!.id}/heartbeat`, { cpu: 1, mem: 2, containers: 0 }, { 'x-server-key': hosts[0]!.key });
    assert.equal(beat.status, 200);
    // The grace: hosts heard before the kill are not called offline by the restarted manager.
    const offline = listed.body.filter((h) => heard.has(h.id) && h.status !== 'online');
    assert.deepEqual(offline, [], 'hosts heard before the kill are still online');
  });
});
