import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ManagerEvent } from '../../src/contract/index.js';
import { eventually, freshDatabase, heartbeat, login, registerHost, startTestManager, type TestManager } from './helpers.js';

describe('several managers on one PostgreSQL database', () => {
  let database: { url: string; drop: () => Promise<void> };
  let a: TestManager;
  let b: TestManager;

  before(async () => {
    database = await freshDatabase('postgres');
    const config = { offlineAfter: 0.5 };
    a = await startTestManager('postgres', { databaseUrl: database.url, config });
    b = await startTestManager('postgres', { databaseUrl: database.url, config });
  });
  after(async () => {
    await a.app.close();
    await b.app.close();
    await database.drop();
  });

  it('lets one of them run the offline monitor, and the other take over when it stops', async () => {
    await eventually(() => (a.monitor.isLeader !== b.monitor.isLeader ? true : undefined), 5_000, 'one leader');
    const [leader, follower] = a.monitor.isLeader ? [a, b] : [b, a];
    const offlineSeen: ManagerEvent[] = [];
    follower.events.subscribe((e) => e.type === 'host.offline' && offlineSeen.push(e));

    const admin = await login(follower);
    const host = await registerHost(follower, admin);
    await heartbeat(follower, host.id, host.server_key);
    // Detected by the leader, relayed to the follower's subscribers by NOTIFY.
    await eventually(() => offlineSeen.find((e) => e.type === 'host.offline' && e.host_id === host.id), 5_000, 'offline event relayed');
    assert.equal(follower.monitor.isLeader, false);

    await leader.monitor.stop();
    await eventually(() => (follower.monitor.isLeader ? true : undefined), 5_000, 'takeover');
    const second = await registerHost(follower, admin);
    await heartbeat(follower, second.id, second.server_key);
    await eventually(async () => ((await follower.repo.getHost(second.id))?.status === 'offline' ? true : undefined), 5_000, 'offline after takeover');
  });

  it('shares one first admin, hosts and keys between them', async () => {
    const keyFromA = await login(a);
    const me = await b.app.inject({ method: 'GET', url: '/auth/me', headers: { 'x-admin-key': keyFromA } });
    assert.equal(me.statusCode, 200, 'a key issued by one replica works on the other');
    await b.app.inject({ method: 'POST', url: '/auth/logout', headers: { 'x-admin-key': keyFromA } });
    assert.equal((await a.app.inject({ method: 'GET', url: '/auth/me', headers: { 'x-admin-key': keyFromA } })).statusCode, 401, 'and is revoked on both at once');
  });
});
