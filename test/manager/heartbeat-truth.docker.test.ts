import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAgentConfig, startAgent, type RunningAgent } from '../../src/agent/index.js';
import type { StackDetail } from '../../src/contract/index.js';
import { createDockerClient } from '../../src/docker/index.js';
import { ensureTestImage, TEST_IMAGE } from '../helpers/test-image.js';
import { composeZip, eventually, launch, login, registerHost, startTestManager, type TestManager } from './helpers.js';
import { freePort } from '../helpers/ports.js';

/**
 * Truth in heartbeats, end to end (docs/manager.md, "Deployment status"): a real agent on the real
 * engine reports its stacks, and the manager's deployment follows what the engine shows when a
 * container is stopped by hand (as an engine restart stops it) and started again.
 */
const INTERVAL_MS = 1_000;
const docker = createDockerClient();
const PROJECT = 'com.docker.compose.project';
const dir = mkdtempSync(join(tmpdir(), 'shipshape-truth-'));
let manager: TestManager;
let agent: RunningAgent | undefined;
let adminKey: string;
let hostId: string;
let project: string | undefined;

before(async () => {
  await docker.ping({ timeoutMs: 5000 });
  await ensureTestImage(docker);
  manager = await startTestManager('sqlite', { listen: true });
  adminKey = await login(manager);
  const port = await freePort();
  const host = await registerHost(manager, adminKey, { hostname: 'truth', ip: '127.0.0.1', api_port: port, max_containers: 5 });
  hostId = host.id;
  const parsed = parseAgentConfig({
    DOCKER_SOCKET: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock',
    MANAGER_URL: manager.url!,
    HOST_ID: host.id,
    SERVER_KEY: host.server_key,
    HEARTBEAT_INTERVAL: String(INTERVAL_MS / 1000),
    API_PORT: String(port),
    API_HOST: '127.0.0.1',
    WORK_DIR: join(dir, 'agent'),
    ANALYSIS_GATE: 'critical',
    LOG_LEVEL: 'silent',
  });
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.problems.map((p) => p.message).join('; '));
  agent = await startAgent({ config: parsed.config, version: '0.0.0-test' });
});

after(async () => {
  await agent?.close().catch(() => undefined);
  if (project) {
    for (const c of await docker.containers.list({ all: true, filters: { label: [`${PROJECT}=${project}`] } })) await docker.containers.remove(c.Id, { force: true, volumes: true });
    for (const n of await docker.networks.list({ filters: { label: [`${PROJECT}=${project}`] } })) await docker.networks.remove(n.Id).catch(() => undefined);
  }
  await manager?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("the manager's deployments follow the engine through the agent's heartbeats", () => {
  test('a container stopped by hand shows within one interval, and running again when it is back', async (t) => {
    const launched = await launch(
      manager,
      adminKey,
      composeZip(`services:
  web:
    image: ${TEST_IMAGE}
    command: ["sleep", "300"]
    stop_grace_period: 1s
  worker:
    image: ${TEST_IMAGE}
    command: ["sleep", "300"]
    stop_grace_period: 1s
`),
    );
    assert.equal(launched.statusCode, 202, launched.body);
    const { id } = launched.json() as { id: string };
    project = (await manager.repo.getDeployment(id))!.name;
    const state = async () => (await manager.repo.getDeployment(id))!;
    await eventually(async () => ((await state()).state === 'running' ? true : undefined), 60_000, 'the deployment running');
    const slots = async () => (await manager.repo.getHost(hostId))!.activeDeployments;
    assert.equal(await slots(), 1);

    const containers = await docker.containers.list({ filters: { label: [`${PROJECT}=${project}`] } });
    const worker = containers.find((c) => c.Labels['com.docker.compose.service'] === 'worker')!;
    const web = containers.find((c) => c.Labels['com.docker.compose.service'] === 'web')!;

    /** Stops or starts by hand, then measures how long the manager takes to show `expected`. */
    const after = async (action: () => Promise<unknown>, expected: string): Promise<number> => {
      await action();
      const t0 = Date.now();
      await eventually(async () => ((await state()).state === expected ? true : undefined), 20_000, `the deployment ${expected}`);
      return Date.now() - t0;
    };
    // One interval until the next heartbeat looks, plus the time it takes to list, send and apply on a loaded machine.
    const bound = INTERVAL_MS + 2_000;

    const degraded = await after(() => docker.containers.stop(worker.Id, { timeoutSeconds: 1 }), 'degraded');
    assert.ok(degraded <= bound, `degraded after ${degraded} ms`);
    assert.match((await state()).reason ?? '', /worker exited/);
    const detail = (await agent!.app.inject({ method: 'GET', url: `/stacks/${project}`, headers: { 'x-server-key': (await manager.deployer.target((await manager.repo.getHost(hostId))!)).serverKey } })).json() as StackDetail;
    assert.equal(detail.status, 'degraded');

    const stopped = await after(() => docker.containers.stop(web.Id, { timeoutSeconds: 1 }), 'stopped');
    assert.ok(stopped <= bound, `stopped after ${stopped} ms`);
    assert.equal(await slots(), 1, 'a stopped stack still holds its slot');
    const view = (await manager.app.inject({ method: 'GET', url: `/deployments/${id}`, headers: { 'x-admin-key': adminKey } })).json() as { status: string };
    assert.equal(view.status, 'stopped');

    const back = await after(async () => {
      await docker.containers.start(web.Id);
      await docker.containers.start(worker.Id);
    }, 'running');
    assert.ok(back <= bound, `running again after ${back} ms`);
    t.diagnostic(`manager saw degraded after ${degraded} ms, stopped after ${stopped} ms, running after ${back} ms (interval ${INTERVAL_MS} ms)`);
    assert.equal((await state()).reason, null);

    const removed = await manager.app.inject({ method: 'DELETE', url: `/deployments/${id}`, headers: { 'x-admin-key': adminKey } });
    assert.ok(removed.statusCode < 300, removed.body);
    assert.equal((await docker.containers.list({ all: true, filters: { label: [`${PROJECT}=${project}`] } })).length, 0);
    assert.equal(await slots(), 0);
  });
});
