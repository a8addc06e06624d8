import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningAgent } from '../../../src/agent/index.js';
import type { AuditEntry, Deployment, MoveResponse } from '../../../src/contract/index.js';
import { createDockerClient } from '../../../src/docker/index.js';
import { ensureTestImage, TEST_IMAGE } from '../../helpers/test-image.js';
import { composeZip, eventually, heartbeat, launch, login, startFakeAgent, startTestManager, type FakeAgent, type TestManager } from '../helpers.js';
import { fleetTestConfig, startHostAgent } from './helpers.js';

/**
 * POST /deployments/:id/move with real agents on the real engine as targets. The source is a
 * host whose engine is elsewhere: on one shared engine a source and a target stack of the same
 * name would be one compose project, so the source here is an agent serving the routes a move
 * uses (its stack's files, and removal), recording what the manager asked of it.
 */
describe('moving a deployment between hosts', () => {
  const suffix = randomBytes(4).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'shipshape-move-'));
  const docker = createDockerClient();
  let manager: TestManager;
  let admin: string;
  let source: FakeAgent;
  let sourceId: string;
  let sourceKey: string;
  let strict: { hostId: string; agent: RunningAgent };
  let target: { hostId: string; agent: RunningAgent };
  let deployment: Deployment;

  const compose =
    'services:\n  web:\n' +
    `    image: ${TEST_IMAGE}\n` +
    '    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]\n' +
    '    healthcheck:\n      test: ["CMD", "wget", "-q", "-O-", "http://127.0.0.1:8080/health"]\n      interval: 1s\n      retries: 30\n';
  const containersOf = async (name: string) => docker.containers.list({ all: true, filters: { label: [`com.docker.compose.project=${name}`] } });
  const move = (hostId: string) =>
    manager.app.inject({ method: 'POST', url: `/deployments/${deployment.id}/move`, headers: { 'x-admin-key': admin }, payload: { host_id: hostId } });
  const moves = async () => ((await manager.app.inject({ method: 'GET', url: '/audit?action=deployment.move', headers: { 'x-admin-key': admin } })).json() as AuditEntry[]);

  before(async () => {
    await ensureTestImage(docker);
    manager = await startTestManager('sqlite', { listen: true, config: { fleet: fleetTestConfig({ moveTimeout: 120 }) } });
    admin = await login(manager);
    const key: { current?: string } = {};
    source = await startFakeAgent(() => key.current);
    const registered = await manager.app.inject({
      method: 'POST',
      url: '/hosts',
      headers: { 'x-admin-key': admin },
      payload: { hostname: `source-${suffix}`, ip: '127.0.0.1', api_port: source.port, max_containers: 5 },
    });
    ({ id: sourceId, server_key: sourceKey } = registered.json() as { id: string; server_key: string });
    key.current = sourceKey;
    assert.equal((await heartbeat(manager, sourceId, sourceKey, { docker_ok: true })).statusCode, 200);
    const launched = await launch(manager, admin, composeZip(compose));
    assert.equal(launched.statusCode, 202, launched.body);
    const id = (launched.json() as { id: string }).id;
    deployment = await eventually(async () => {
      const d = (await manager.app.inject({ method: 'GET', url: `/deployments/${id}`, headers: { 'x-admin-key': admin } })).json() as Deployment;
      return d.state === 'running' ? d : undefined;
    }, 15_000, 'the deployment running on the source');
    assert.equal(deployment.host_id, sourceId);
    // The targets join once the deployment is placed, so placement cannot pick them.
    strict = await startHostAgent(manager, admin, { workDir: dir, hostname: `strict-${suffix}`, env: { ANALYSIS_GATE: 'low' } });
    target = await startHostAgent(manager, admin, { workDir: dir, hostname: `target-${suffix}` });
    for (const hostId of [strict.hostId, target.hostId]) {
      await eventually(async () => ((await manager.repo.getHost(hostId))?.status === 'online' ? true : undefined), 15_000, 'the target online');
    }
  });

  after(async () => {
    await manager.app.inject({ method: 'DELETE', url: `/deployments/${deployment?.id}?force=true`, headers: { 'x-admin-key': admin } }).catch(() => undefined);
    if (deployment) for (const c of await containersOf(deployment.name)) await docker.containers.remove(c.Id, { force: true }).catch(() => undefined);
    await strict?.agent.close().catch(() => undefined);
    await target?.agent.close().catch(() => undefined);
    await source?.close();
    await manager.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the source untouched and cleans the target when the target refuses the stack', async () => {
    const response = await move(strict.hostId);
    assert.equal(response.statusCode, 502, response.body);
    assert.match(response.body, /The deploy on the target failed: .*the source is untouched/);
    assert.ok(source.running.has(deployment.name), 'the source still runs it');
    assert.ok(!source.calls.some((c) => c.method === 'DELETE'), 'nothing was removed from the source');
    assert.deepEqual(await containersOf(deployment.name), [], 'nothing of it is left on the target engine');
    const after = await manager.repo.getDeployment(deployment.id);
    assert.equal(after?.hostId, sourceId);
    assert.equal(after?.state, 'running');
    assert.equal((await manager.repo.getHost(strict.hostId))?.activeDeployments, 0, 'the target slot is given back');
    assert.equal((await manager.repo.getHost(sourceId))?.activeDeployments, 1);
    const [entry] = await moves();
    assert.equal(entry?.outcome, 'failed');
  });

  it('refuses a target that is offline, the host it is on already, and changes nothing', async () => {
    assert.equal((await move(sourceId)).statusCode, 400);
    assert.equal((await move('no-such-host')).statusCode, 404);
    await strict.agent.close();
    await eventually(async () => {
      await manager.monitor.tick();
      return (await manager.repo.getHost(strict.hostId))?.status === 'offline' ? true : undefined;
    }, 60_000, 'the strict host offline');
    const response = await move(strict.hostId);
    assert.equal(response.statusCode, 409, response.body);
    assert.equal((await manager.repo.getDeployment(deployment.id))?.hostId, sourceId);
    assert.ok(source.running.has(deployment.name));
  });

  it('deploys on the target, waits until it is healthy, then removes it from the source', async () => {
    const response = await move(target.hostId);
    assert.equal(response.statusCode, 200, response.body);
    const moved = response.json() as MoveResponse;
    assert.equal(moved.deployment.host_id, target.hostId);
    assert.equal(moved.source_removed, true);
    assert.equal(moved.warning, null);
    const containers = await containersOf(deployment.name);
    assert.equal(containers.length, 1);
    assert.equal(containers[0]!.State, 'running');
    assert.match(containers[0]!.Status, /\(healthy\)/, 'healthy before the source was touched');
    const removal = source.calls.find((c) => c.method === 'DELETE');
    assert.equal(removal?.url, `/agent/containers/${deployment.name}`);
    assert.ok(!source.running.has(deployment.name));
    assert.equal((await manager.repo.getHost(sourceId))?.activeDeployments, 0);
    assert.equal((await manager.repo.getHost(target.hostId))?.activeDeployments, 1);
    const [entry] = await moves();
    assert.equal(entry?.outcome, 'ok');
    assert.deepEqual((entry?.details as { from: string; to: string }).to, target.hostId);
  });
});
