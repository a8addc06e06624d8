import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AnalysisPreview, AuditEntry, Deployment, FleetMetrics, HostMetrics } from '../../src/contract/index.js';
import { HostHistory } from '../../src/manager/host-history.js';
import { ADMIN, eventually, heartbeat, login, registerHost, startFakeAgent, startTestManager, type FakeAgent, type TestManager } from './helpers.js';

const ACCEPTED = 'services:\n  web:\n    image: busybox:1.36\n    command: ["httpd", "-f"]\n';
const REFUSED = 'services:\n  web:\n    image: busybox:1.36\n    privileged: true\n';

describe('the host history ring', () => {
  it('folds heartbeats of one 10 s bucket into their highest figures, and keeps one hour', () => {
    const history = new HostHistory();
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    history.record('h', t0, { cpu: 10, mem: 50, disk: null, containers: 2 });
    history.record('h', t0 + 4_000, { cpu: 30, mem: 40, disk: 70, containers: 1 });
    assert.deepEqual(history.samples('h', t0 + 5_000), [{ at: new Date(t0).toISOString(), cpu_percent: 30, mem_percent: 50, disk_percent: 70, containers: 2 }]);
    for (let i = 1; i <= 400; i++) history.record('h', t0 + i * 10_000, { cpu: i % 100, mem: 1, disk: 1, containers: 1 });
    const samples = history.samples('h', t0 + 400 * 10_000);
    assert.equal(samples.length, 360, 'an hour of 10 s buckets');
    assert.equal(samples.at(-1)!.cpu_percent, 0);
    assert.equal(Date.parse(samples.at(-1)!.at) - Date.parse(samples[0]!.at), 359 * 10_000);
    assert.equal(history.samples('h', t0 + 400 * 10_000, 5).length, 5);
    // Nothing older than an hour, whatever the ring holds.
    assert.equal(history.samples('h', t0 + 400 * 10_000 + 3_610_000).length, 0);
    history.forget('h');
    assert.deepEqual(history.samples('h', t0), []);
  });
});

describe('the manager API behind the dashboard', () => {
  let manager: TestManager;
  let agent: FakeAgent;
  let agentKey: string | undefined;
  let adminKey: string;
  let viewerKey: string;
  let hostId: string;
  const get = (url: string, key = adminKey) => manager.app.inject({ method: 'GET', url, headers: { 'x-admin-key': key } });
  const post = (url: string, payload: unknown, key = adminKey) => manager.app.inject({ method: 'POST', url, headers: { 'x-admin-key': key }, payload: payload as object });

  before(async () => {
    agent = await startFakeAgent(() => agentKey);
    manager = await startTestManager('sqlite', { monitor: false });
    adminKey = await login(manager);
    const host = await registerHost(manager, adminKey, { hostname: 'a', ip: '127.0.0.1', api_port: agent.port });
    agentKey = host.server_key;
    hostId = host.id;
    assert.equal((await heartbeat(manager, hostId, host.server_key, { cpu: 12, mem: 34, disk: 56, containers: 1 })).statusCode, 200);
    await registerHost(manager, adminKey, { hostname: 'b' });
    assert.equal((await post('/auth/users', { email: 'viewer@example.com', password: 'viewer password', role: 'viewer' })).statusCode, 201);
    viewerKey = await login(manager, { email: 'viewer@example.com', password: 'viewer password' });
  });
  after(async () => {
    await manager.dispose();
    await agent.close();
  });

  it('keeps heartbeats as metric samples, per host and for the fleet', async () => {
    const one = (await get(`/hosts/${hostId}/metrics`, viewerKey)).json() as HostMetrics;
    assert.equal(one.bucket_seconds, 10);
    assert.equal(one.samples.length, 1);
    assert.deepEqual([one.samples[0]!.cpu_percent, one.samples[0]!.mem_percent, one.samples[0]!.disk_percent, one.samples[0]!.containers], [12, 34, 56, 1]);
    const fleet = (await get('/hosts/metrics?points=5', viewerKey)).json() as FleetMetrics;
    assert.deepEqual(Object.keys(fleet.hosts), [hostId]);
    assert.equal((await get('/hosts/nope/metrics')).statusCode, 404);
    // Under /hosts, validation errors answer as machine-lab's routes do (docs/manager.md, "Errors").
    assert.equal((await get('/hosts/metrics?points=0')).statusCode, 422);
  });

  it('previews a package: accepted, or refused with the findings that refuse it; nothing is deployed', async () => {
    const accepted = await post('/analyze/preview', { compose: ACCEPTED });
    assert.equal(accepted.statusCode, 200, accepted.body);
    const body = accepted.json() as AnalysisPreview;
    assert.equal(body.decision, 'accepted');
    assert.deepEqual(body.blocking, []);
    assert.deepEqual(body.graph.startup_order, [['web']]);
    assert.equal(body.services[0]!.name, 'web');
    assert.ok(body.scores.overall >= 0 && body.scores.overall <= 10);

    const refused = (await post('/analyze/preview', { compose: REFUSED })).json() as AnalysisPreview;
    assert.equal(refused.decision, 'refused');
    assert.ok(refused.blocking.some((f) => f.rule === 'privileged'), JSON.stringify(refused.blocking));
    assert.match(refused.message ?? '', /deploy policy refuses/);

    const broken = (await post('/analyze/preview', { compose: 'services: [' })).json() as AnalysisPreview;
    assert.equal(broken.decision, 'refused');
    assert.deepEqual([broken.blocking[0]?.rule, broken.blocking[0]?.file, broken.blocking[0]?.line], ['yaml-syntax', 'compose.yaml', 1]);
    const escaping = await post('/analyze/preview', { compose: ACCEPTED, files: { '../outside': 'x' } });
    assert.equal(escaping.statusCode, 422);
    assert.equal((await post('/analyze/preview', { compose: ACCEPTED }, viewerKey)).statusCode, 403);
    assert.equal((await manager.repo.listDeployments()).length, 0);
  });

  it('places a deployment on the host asked for, refuses an unknown one, and writes each state to the audit', async () => {
    const unknown = await post('/deployments', { compose: ACCEPTED, host_id: 'no-such-host' });
    assert.equal(unknown.statusCode, 503);
    const placed = await post('/deployments', { compose: ACCEPTED, name: 'pinned', host_id: hostId });
    assert.equal(placed.statusCode, 202, placed.body);
    const deployment = placed.json() as Deployment;
    assert.equal(deployment.host_id, hostId);
    await eventually(async () => ((await manager.repo.getDeployment(deployment.id))?.state === 'running' ? true : undefined), 5_000, 'running');
    const entries = await eventually(async () => {
      const list = (await get(`/audit?target=${deployment.id}`)).json() as AuditEntry[];
      return list.filter((e) => e.action === 'deployment.state').length >= 2 ? list : undefined;
    }, 5_000, 'the states in the audit');
    assert.deepEqual(
      entries.filter((e) => e.action === 'deployment.state').map((e) => (e.details as { state: string }).state).reverse(),
      ['deploying', 'running'],
    );
    assert.ok(entries.some((e) => e.action === 'deployment.create' && e.actor === ADMIN.email));
    assert.ok(entries.every((e) => e.target === deployment.id));
  });

  it('asks the host agent for its stacks, and says so when the agent cannot answer them', async () => {
    // The fake agent speaks machine-lab's routes only: no /stacks.
    const answer = await get(`/hosts/${hostId}/stacks`, viewerKey);
    assert.equal(answer.statusCode, 502);
    assert.match((answer.json() as { detail: string }).detail, /could not list what runs there/);
  });

  it('reads container logs for operators only, with a container reference that cannot reach another path', async () => {
    assert.equal((await get(`/hosts/${hostId}/containers/web/logs`, viewerKey)).statusCode, 403);
    assert.equal((await get(`/hosts/${hostId}/containers/..%2Fsecrets/logs`)).statusCode, 422);
    assert.equal((await get('/hosts/nope/containers/web/logs')).statusCode, 404);
    // The fake agent has no such route: a clear 404, no stream.
    assert.equal((await get(`/hosts/${hostId}/containers/web/logs`)).statusCode, 404);
  });
});
