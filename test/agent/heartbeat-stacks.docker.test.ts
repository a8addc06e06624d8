import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Value } from 'typebox/value';
import { Heartbeat, type HeartbeatStack } from '../../src/contract/index.js';
import { createDockerClient } from '../../src/docker/index.js';
import { ensureTestImage, TEST_IMAGE } from '../helpers/test-image.js';
import { AUTH, EngineProxy, testAgent, uniqueName, type TestAgent } from './helpers/agent.js';
import { FakeManager } from './helpers/manager.js';

/**
 * Heartbeats tell each stack's truth (docs/agent.md, "Heartbeats"): a container stopped by hand
 * shows in the next heartbeat, and while the engine does not answer (a proxy socket the test
 * closes: the shared dockerd is never touched) nothing is reported running.
 */
const INTERVAL_MS = 500;
const docker = createDockerClient();
const PROJECT = 'com.docker.compose.project';
const proxy = new EngineProxy();
const manager = new FakeManager();
const name = uniqueName('hb-truth');
let agent: TestAgent;

before(async () => {
  await docker.ping({ timeoutMs: 5000 });
  await ensureTestImage(docker);
  await proxy.start();
  const url = await manager.start();
  agent = await testAgent({ DOCKER_SOCKET: `unix://${proxy.path}`, MANAGER_URL: url, HOST_ID: 'host-truth', ANALYSIS_GATE: 'critical' }, { heartbeat: { intervalMs: INTERVAL_MS } });
});

after(async () => {
  await proxy.start().catch(() => undefined);
  for (const c of await docker.containers.list({ all: true, filters: { label: [`${PROJECT}=${name}`] } })) await docker.containers.remove(c.Id, { force: true });
  for (const n of await docker.networks.list({ filters: { label: [`${PROJECT}=${name}`] } })) await docker.networks.remove(n.Id).catch(() => undefined);
  await agent?.close();
  await manager.stop();
  await proxy.stop();
});

/** The first heartbeat that arrives after now and reports the stack as `predicate` wants; how long it took. */
async function nextBeat(predicate: (stack: HeartbeatStack) => boolean, what: string): Promise<{ stack: HeartbeatStack; ms: number }> {
  const since = Date.now();
  const deadline = since + 20_000;
  while (Date.now() < deadline) {
    for (const beat of manager.beats) {
      if (beat.at < since) continue;
      const stack = (beat.body as Heartbeat).stacks;
      const mine = Array.isArray(stack) ? stack.find((s) => s.name === name) : undefined;
      if (mine && predicate(mine)) {
        assert.equal([...Value.Errors(Heartbeat, beat.body)].length, 0, 'every heartbeat follows the contract');
        return { stack: mine, ms: beat.at - since };
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`no heartbeat reported ${name} ${what} within 20 s`);
}

describe('the stacks of a heartbeat', () => {
  test('follow containers stopped and started by hand, within one interval', async (t) => {
    const compose = `services:\n  web:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "300"]\n    stop_grace_period: 1s\n  worker:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "300"]\n    stop_grace_period: 1s\n`;
    const deployed = await agent.app.inject({ method: 'POST', url: '/stacks', headers: AUTH, payload: { name, compose } });
    assert.equal(deployed.statusCode, 201, deployed.body);
    const first = await nextBeat((s) => s.status === 'running', 'running');
    assert.deepEqual(first.stack.services, [
      { name: 'web', state: 'running', health: null, running: 1, total: 1 },
      { name: 'worker', state: 'running', health: null, running: 1, total: 1 },
    ]);

    const worker = (await docker.containers.list({ filters: { label: [`${PROJECT}=${name}`, 'com.docker.compose.service=worker'] } }))[0]!;
    await docker.containers.stop(worker.Id, { timeoutSeconds: 1 });
    const degraded = await nextBeat((s) => s.status === 'degraded', 'degraded');
    assert.equal(degraded.stack.reason, 'worker exited');
    assert.deepEqual(degraded.stack.services.find((s) => s.name === 'worker'), { name: 'worker', state: 'exited', health: null, running: 0, total: 1 });
    // One interval until the next heartbeat looks, and a little for sending it on a loaded machine.
    assert.ok(degraded.ms <= INTERVAL_MS + 1_500, `reported after ${degraded.ms} ms`);

    await docker.containers.start(worker.Id);
    const back = await nextBeat((s) => s.status === 'running', 'running again');
    assert.ok(back.ms <= INTERVAL_MS + 1_500, `running again after ${back.ms} ms`);
    t.diagnostic(`degraded after ${degraded.ms} ms, running again after ${back.ms} ms (interval ${INTERVAL_MS} ms)`);
  });

  test('while the engine does not answer, a running stack is reported degraded, then running when it is back', async () => {
    await proxy.stop();
    const blind = await nextBeat((s) => s.status !== 'running', 'not running');
    assert.equal(blind.stack.status, 'degraded');
    assert.match(blind.stack.reason ?? '', /^the Docker engine does not answer; last seen running at /);
    assert.equal(blind.stack.services.length, 2, 'the services as last seen');
    const listed = (await agent.app.inject({ method: 'GET', url: `/stacks/${name}`, headers: AUTH })).json() as { status: string };
    assert.equal(listed.status, 'degraded');

    await proxy.start();
    await nextBeat((s) => s.status === 'running', 'running once the engine is back');
    const removed = await agent.app.inject({ method: 'DELETE', url: `/stacks/${name}`, headers: AUTH });
    assert.equal(removed.statusCode, 200, removed.body);
    const gone = await nextBeat((s) => s.status === 'removed', 'removed');
    assert.deepEqual([gone.stack.services, gone.stack.seen_at], [[], null]);
  });
});
