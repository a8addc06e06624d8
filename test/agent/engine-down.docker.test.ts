import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Value } from 'typebox/value';
import { Heartbeat } from '../../src/contract/index.js';
import { createDockerClient } from '../../src/docker/index.js';
import { AUTH, EngineProxy, testAgent, type TestAgent } from './helpers/agent.js';
import { FakeManager } from './helpers/manager.js';

// The engine "stops" by closing a proxy socket the agent talks through: the shared dockerd that
// other tests use is never touched.
const proxy = new EngineProxy();
const manager = new FakeManager();
let agent: TestAgent;

async function until(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const lastBeat = () => manager.beats.at(-1)?.body as Heartbeat | undefined;

before(async () => {
  await createDockerClient().ping({ timeoutMs: 5000 });
  await proxy.start();
  const url = await manager.start();
  agent = await testAgent(
    { DOCKER_SOCKET: `unix://${proxy.path}`, MANAGER_URL: url, HOST_ID: 'host-7' },
    { heartbeat: { intervalMs: 100, maxBackoffMs: 400 } },
  );
});

after(async () => {
  await agent?.close();
  await manager.stop();
  await proxy.stop();
});

describe('heartbeats', () => {
  test('carry the figures of docs/agent.md, as integers where machine-lab had them', async () => {
    await manager.waitFor(2);
    const beat = manager.beats[0]!;
    assert.equal(beat.url, '/hosts/host-7/heartbeat');
    assert.equal(beat.headers['x-server-key'], AUTH['x-server-key']);
    const body = beat.body as Heartbeat;
    assert.equal([...Value.Errors(Heartbeat, body)].length, 0, JSON.stringify(body));
    assert.deepEqual(Object.keys(body).sort(), ['agent_version', 'containers', 'cpu', 'disk', 'docker_ok', 'load', 'mem', 'stacks'].sort());
    for (const key of ['cpu', 'mem', 'containers', 'disk'] as const) assert.ok(Number.isInteger(body[key]), `${key} is an integer`);
    assert.equal(body.docker_ok, true);
    assert.equal(body.agent_version, '0.0.0-test');
    assert.deepEqual(body.stacks, [], 'a fresh agent has no stacks');
  });

  test('keep probing every interval while the manager fails (5xx) and resume by themselves; counted in /metrics', async () => {
    manager.respond = () => 503;
    await until('the agent has failed three heartbeats in a row', () => (agent.app.agent.heartbeat?.status.consecutiveFailures ?? 0) >= 3);
    const failing = agent.app.agent.heartbeat!.status;
    assert.match(failing.lastError ?? '', /HTTP 503/);
    // A 5xx is probed like silence, so the return is noticed within one interval (docs/agent.md).
    assert.equal(failing.lastFailure, 'unreachable');
    assert.ok((failing.nextDelayMs ?? Infinity) <= 100, `next attempt in ${failing.nextDelayMs} ms, within the 100 ms interval`);
    manager.respond = () => 200;
    await until('heartbeats succeed again', () => agent.app.agent.heartbeat?.status.consecutiveFailures === 0);
    const metrics = (await agent.app.inject({ method: 'GET', url: '/metrics', headers: AUTH })).body;
    const count = (result: string) => Number(new RegExp(`^shipshape_agent_heartbeats_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(metrics)?.[1]);
    assert.ok(count('failure') >= 3, metrics);
    assert.ok(count('success') >= 2);
    const info = (await agent.app.inject({ method: 'GET', url: '/system/info', headers: AUTH })).json();
    assert.equal(info.heartbeat.enabled, true);
    assert.equal(info.heartbeat.consecutive_failures, 0);
    assert.ok(info.heartbeat.last_success_at);
  });
});

describe('the Docker engine goes away and comes back', () => {
  test('while it is up, all is well', async () => {
    const health = await agent.app.inject({ method: 'GET', url: '/health' });
    assert.equal(health.statusCode, 200);
    await until('a heartbeat says docker_ok', () => lastBeat()?.docker_ok === true);
  });

  test('when it stops: /health 503 with the reason, 503 on engine routes, heartbeats say docker_ok false', async () => {
    const running = lastBeat()!.containers;
    await proxy.stop();
    await new Promise((r) => setTimeout(r, 1_100)); // past the health answer's 1 s cache
    const health = await agent.app.inject({ method: 'GET', url: '/health' });
    assert.equal(health.statusCode, 503);
    const body = health.json();
    assert.equal(body.status, 'unavailable');
    assert.equal(body.docker_ok, false);
    assert.match(body.reason, new RegExp(`cannot reach the Docker engine at unix://${proxy.path}`));

    const containers = await agent.app.inject({ method: 'GET', url: '/containers', headers: AUTH });
    assert.equal(containers.statusCode, 503);
    assert.equal(containers.json().error.code, 'docker_unavailable');
    const compat = await agent.app.inject({ method: 'GET', url: '/agent/health', headers: AUTH });
    assert.equal(compat.statusCode, 503);
    assert.match(compat.json().detail, /Docker engine unavailable/);
    const resources = (await agent.app.inject({ method: 'GET', url: '/system/resources', headers: AUTH })).json();
    assert.equal(resources.docker_ok, false);
    assert.equal(resources.containers, null);
    assert.ok(resources.memory.total_bytes > 0, 'host figures are still reported');
    const metrics = (await agent.app.inject({ method: 'GET', url: '/metrics', headers: AUTH })).body;
    assert.match(metrics, /^shipshape_agent_docker_up 0$/m);
    assert.doesNotMatch(metrics, /^shipshape_agent_containers\{/m, 'unknown counts are left out, not reported as 0');

    await until('a heartbeat says docker_ok: false', () => lastBeat()?.docker_ok === false);
    assert.equal(lastBeat()!.containers, running, 'the last known count, while the engine cannot be asked');
    assert.ok(agent.logs.some((l) => l.msg === 'Docker engine is unavailable' && l.level === 50));
  });

  test('when it is back, everything recovers by itself', async () => {
    await proxy.start();
    await until('/health answers 200', async () => (await agent.app.inject({ method: 'GET', url: '/health' })).statusCode === 200);
    await until('a heartbeat says docker_ok: true', () => lastBeat()?.docker_ok === true);
    const containers = await agent.app.inject({ method: 'GET', url: '/containers', headers: AUTH });
    assert.equal(containers.statusCode, 200);
    assert.ok(agent.logs.some((l) => l.msg === 'Docker engine is available again'));
  });
});
