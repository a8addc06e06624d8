import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DeploymentState, HeartbeatStack, StackStatus } from '../../src/contract/index.js';
import { deriveDeploymentState } from '../../src/manager/stack-truth.js';
import { eventually, heartbeat, launch, login, registerHost, startFakeAgent, startTestManager, type FakeAgent, type TestManager } from './helpers.js';

function stack(name: string, status: StackStatus, reason: string | null = null): HeartbeatStack {
  return { name, status, reason, services: [{ name: 'web', state: status === 'running' ? 'running' : 'exited', health: null, running: status === 'running' ? 1 : 0, total: 1 }], seen_at: new Date().toISOString() };
}

const at = (state: DeploymentState, reason: string | null = null) => ({ state, reason });
const settled = { inFlight: false, changedMsAgo: 60_000 };
const waiting = { inFlight: true, changedMsAgo: 60_000 };

describe("a deployment's state from its stack in a heartbeat", () => {
  test('settled deployments follow the stack: running, degraded, stopped and back', () => {
    assert.deepEqual(deriveDeploymentState(at('running'), stack('a', 'stopped', 'web exited'), settled), { state: 'stopped', reason: 'web exited' });
    assert.deepEqual(deriveDeploymentState(at('running'), stack('a', 'degraded', 'db exited'), settled), { state: 'degraded', reason: 'db exited' });
    assert.deepEqual(deriveDeploymentState(at('stopped', 'web exited'), stack('a', 'running'), settled), { state: 'running', reason: null });
    assert.equal(deriveDeploymentState(at('running'), stack('a', 'running'), settled), undefined, 'no change, no write');
    assert.equal(deriveDeploymentState(at('running'), stack('a', 'deploying'), settled), undefined);
  });

  test('a stack the agent no longer has is removed; one it reports removed or failed too', () => {
    assert.deepEqual(deriveDeploymentState(at('running'), undefined, settled), { state: 'removed', reason: 'its host no longer has this stack' });
    assert.deepEqual(deriveDeploymentState(at('degraded'), stack('a', 'removed'), settled), { state: 'removed', reason: 'removed on its host' });
    assert.deepEqual(deriveDeploymentState(at('running'), stack('a', 'failed', 'boom'), settled), { state: 'failed', reason: 'boom' });
    assert.equal(deriveDeploymentState(at('removed'), stack('a', 'running'), settled), undefined, 'removed is final');
  });

  test('a heartbeat that may predate the last change does not remove', () => {
    const fresh = { inFlight: false, changedMsAgo: 2_000 };
    assert.equal(deriveDeploymentState(at('running'), undefined, fresh), undefined, 'collected before the deploy ended');
    assert.equal(deriveDeploymentState(at('running'), stack('a', 'removed'), fresh), undefined);
    assert.deepEqual(deriveDeploymentState(at('running'), stack('a', 'stopped', 'web exited'), fresh), { state: 'stopped', reason: 'web exited' }, 'it can still say what runs');
  });

  test('in flight, the deploy answer decides; once its manager let go, the agent does', () => {
    assert.equal(deriveDeploymentState(at('deploying'), stack('a', 'running'), waiting), undefined);
    assert.equal(deriveDeploymentState(at('pending'), stack('a', 'failed'), waiting), undefined);
    assert.deepEqual(deriveDeploymentState(at('deploying'), stack('a', 'running'), settled), { state: 'running', reason: null });
    assert.deepEqual(deriveDeploymentState(at('deploying'), stack('a', 'failed', 'rolled back'), settled), { state: 'failed', reason: 'rolled back' });
    assert.deepEqual(deriveDeploymentState(at('pending'), stack('a', 'deploying'), settled), { state: 'deploying', reason: null });
    assert.equal(deriveDeploymentState(at('deploying'), undefined, settled), undefined, 'not mentioned: nothing is guessed');
  });

  test('a failed deployment that runs after all comes back; one that does not stays failed', () => {
    assert.deepEqual(deriveDeploymentState(at('failed', 'timed out'), stack('a', 'running'), settled), { state: 'running', reason: null });
    assert.equal(deriveDeploymentState(at('failed', 'x'), undefined, settled), undefined);
    assert.equal(deriveDeploymentState(at('failed', 'x'), stack('a', 'failed', 'y'), settled), undefined);
  });
});

describe('heartbeats drive deployment states and capacity (SQLite, real manager)', () => {
  let manager: TestManager;
  let agent: FakeAgent;
  let adminKey: string;
  let host: { id: string; server_key: string };

  // The manager's clock, moved on where a test needs a heartbeat to be younger than a change.
  let clock = Date.now();
  before(async () => {
    manager = await startTestManager('sqlite', { listen: true, monitor: false, now: () => clock });
    adminKey = await login(manager);
    agent = await startFakeAgent(() => host?.server_key);
    host = await registerHost(manager, adminKey, { hostname: 'truth', ip: '127.0.0.1', api_port: agent.port, max_containers: 3 });
    assert.equal((await heartbeat(manager, host.id, host.server_key)).statusCode, 200);
  });
  after(async () => {
    await manager?.dispose();
    await agent?.close();
  });

  const deployment = async (id: string) => (await manager.repo.getDeployment(id))!;
  const slots = async () => (await manager.repo.getHost(host.id))!.activeDeployments;

  test('stopped by an engine restart, running again, gone: the records and the slots follow', async () => {
    const launched = await launch(manager, adminKey);
    assert.equal(launched.statusCode, 202, launched.body);
    const { id } = launched.json() as { id: string };
    await eventually(async () => ((await deployment(id)).state === 'running' ? true : undefined), 5_000, 'running');
    const name = (await deployment(id)).name;
    assert.equal(await slots(), 1);

    const beat = async (stacks: HeartbeatStack[]) => assert.equal((await heartbeat(manager, host.id, host.server_key, { stacks })).statusCode, 200);
    await beat([stack(name, 'stopped', 'web exited')]);
    assert.deepEqual([(await deployment(id)).state, (await deployment(id)).reason], ['stopped', 'web exited']);
    assert.equal(await slots(), 1, 'a stopped stack still holds its slot');
    const view = (await manager.app.inject({ method: 'GET', url: `/deployments/${id}`, headers: { 'x-admin-key': adminKey } })).json();
    assert.deepEqual([view.state, view.status], ['stopped', 'stopped']);

    await beat([stack(name, 'running')]);
    assert.deepEqual([(await deployment(id)).state, (await deployment(id)).reason], ['running', null]);

    await beat([]);
    assert.equal((await deployment(id)).state, 'running', 'this heartbeat may have been collected before the last change');
    clock += 15_000;
    await beat([]);
    assert.equal((await deployment(id)).state, 'removed');
    assert.equal(await slots(), 0, 'a stack that is gone gives its slot back');
    const counts = await manager.repo.countDeploymentsByState();
    assert.equal(counts.removed, 1);
  });

  test('a deployment that failed but runs on its host comes back and takes its slot again', async () => {
    agent.mode = 'fail';
    const launched = await launch(manager, adminKey);
    const { id } = launched.json() as { id: string };
    await eventually(async () => ((await deployment(id)).state === 'failed' ? true : undefined), 5_000, 'failed');
    agent.mode = 'ok';
    const before = await slots();
    const name = (await deployment(id)).name;
    assert.equal((await heartbeat(manager, host.id, host.server_key, { stacks: [stack(name, 'degraded', 'db exited')] })).statusCode, 200);
    assert.equal((await deployment(id)).state, 'degraded');
    assert.equal(await slots(), before + 1);
  });

  test('machine-lab heartbeats (no stacks) and 0.1 agents (a count) change no deployment; malformed stacks are refused', async () => {
    const states = async () => (await manager.repo.listDeployments({ hostId: host.id })).map((d) => d.state).sort();
    const before = await states();
    assert.equal((await heartbeat(manager, host.id, host.server_key)).statusCode, 200);
    assert.equal((await heartbeat(manager, host.id, host.server_key, { stacks: 4 })).statusCode, 200);
    assert.deepEqual(await states(), before);
    const bad = await heartbeat(manager, host.id, host.server_key, { stacks: [{ name: '../etc', status: 'running', reason: null, services: [], seen_at: null }] });
    assert.equal(bad.statusCode, 422, bad.body);
    const unknown = await heartbeat(manager, host.id, host.server_key, { stacks: [{ name: 'x', status: 'exploded', reason: null, services: [], seen_at: null }] });
    assert.equal(unknown.statusCode, 422);
    assert.deepEqual(await states(), before, 'a refused heartbeat changes nothing');
  });
});
