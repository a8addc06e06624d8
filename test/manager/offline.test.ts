import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ManagerEvent } from '../../src/contract/index.js';
import { eventually, heartbeat, login, registerHost, startTestManager, type TestManager } from './helpers.js';

const OFFLINE_AFTER = 0.6;

describe('offline detection', () => {
  let manager: TestManager;
  let adminKey: string;
  const events: (ManagerEvent & { seenAt: number })[] = [];

  before(async () => {
    manager = await startTestManager('sqlite', { config: { offlineAfter: OFFLINE_AFTER } });
    manager.events.subscribe((event) => events.push({ ...event, seenAt: Date.now() }));
    adminKey = await login(manager);
  });
  after(() => manager.dispose());

  it('checks often: every tenth of OFFLINE_AFTER, at most 2 s', () => {
    assert.equal(manager.context.config.monitorInterval, OFFLINE_AFTER / 10);
  });

  it('marks a silent host offline once OFFLINE_AFTER has passed, and not much later', async () => {
    const host = await registerHost(manager, adminKey);
    assert.equal((await heartbeat(manager, host.id, host.server_key)).statusCode, 200);
    const lastBeat = Date.now();
    const offline = await eventually(() => events.find((e) => e.type === 'host.offline' && e.host_id === host.id), 5_000, 'host.offline');
    const lag = offline.seenAt - lastBeat;
    assert.ok(lag >= OFFLINE_AFTER * 1000, `offline after ${lag} ms, before OFFLINE_AFTER`);
    // One check interval late at most, plus scheduling slack.
    assert.ok(lag <= OFFLINE_AFTER * 1000 + manager.context.config.monitorInterval * 1000 + 400, `offline only after ${lag} ms`);
    const status = (await manager.app.inject({ method: 'GET', url: `/hosts/${host.id}/status`, headers: { 'x-admin-key': adminKey } })).json() as Record<string, unknown>;
    assert.deepEqual([status.status, status.healthiness], ['offline', 'offline']);
    const audit = (await manager.app.inject({ method: 'GET', url: '/audit?action=host.offline', headers: { 'x-admin-key': adminKey } })).json() as { target: string; actor: null }[];
    assert.ok(audit.some((e) => e.target === host.id && e.actor === null));
  });

  it('keeps a host that heartbeats in time online, and brings a silent one back with its next heartbeat', async () => {
    const host = await registerHost(manager, adminKey);
    const until = Date.now() + OFFLINE_AFTER * 2500;
    while (Date.now() < until) {
      assert.equal((await heartbeat(manager, host.id, host.server_key)).statusCode, 200);
      await new Promise((resolve) => setTimeout(resolve, (OFFLINE_AFTER * 1000) / 3));
    }
    assert.equal(events.filter((e) => e.type === 'host.offline' && e.host_id === host.id).length, 0);
    await eventually(() => events.find((e) => e.type === 'host.offline' && e.host_id === host.id), 5_000);
    await heartbeat(manager, host.id, host.server_key);
    assert.equal(events.filter((e) => e.type === 'host.online' && e.host_id === host.id).length, 2);
    assert.equal((await manager.repo.getHost(host.id))?.status, 'online');
  });
});
