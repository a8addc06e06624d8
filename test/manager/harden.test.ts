import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HardenPreview } from '../../src/contract/index.js';
import { readZip } from '../../src/manager/index.js';
import { eventually, heartbeat, login, registerHost, startFakeAgent, startTestManager, type FakeAgent, type TestManager } from './helpers.js';

const COMPOSE =
  'services:\n  db:\n    image: postgres:16.1\n    ports:\n      - "5432:5432"\n' +
  '  web:\n    image: nginx:1.25.3\n    ports:\n      - "127.0.0.1:8080:80"\n';
const WITH_SECRET = COMPOSE.replace('      - "5432:5432"\n', '      - "5432:5432"\n    environment:\n      POSTGRES_PASSWORD: Xk29fLq0Zr8pWm3\n');

describe('manager: harden a deployment', () => {
  let manager: TestManager;
  let agent: FakeAgent;
  let agentKey: string | undefined;
  let adminKey: string;
  let viewerKey: string;

  before(async () => {
    agent = await startFakeAgent(() => agentKey);
    // A site whose gate lets high findings through, so that a weak package is deployed to be hardened.
    manager = await startTestManager('sqlite', { listen: true, monitor: false, config: { deployGate: 'critical' } });
    adminKey = await login(manager);
    const host = await registerHost(manager, adminKey, { hostname: 'fake-agent', ip: '127.0.0.1', api_port: agent.port, max_containers: 10 });
    agentKey = host.server_key;
    assert.equal((await heartbeat(manager, host.id, host.server_key)).statusCode, 200);
    const viewer = { email: 'viewer-harden@example.com', password: 'password-1234', role: 'viewer' };
    assert.equal((await post('/auth/users', viewer)).statusCode, 201);
    viewerKey = await login(manager, viewer);
  });
  after(async () => {
    await manager.dispose();
    await agent.close();
  });

  const post = (url: string, payload?: object, key = adminKey) =>
    manager.app.inject({ method: 'POST', url, headers: { 'x-admin-key': key }, ...(payload ? { payload } : {}) });
  const running = (id: string) =>
    eventually(async () => {
      const d = (await manager.app.inject({ method: 'GET', url: `/deployments/${id}`, headers: { 'x-admin-key': adminKey } })).json() as { state: string };
      return d.state === 'running' ? d : undefined;
    }, 5_000, 'running');

  it('previews the overlay with its findings delta and scores, then redeploys with it as the package’s override file', async () => {
    const created = await post('/deployments', { name: 'shop', compose: COMPOSE });
    assert.equal(created.statusCode, 202, created.body);
    const { id } = created.json() as { id: string };
    await running(id);

    const previewed = await post(`/deployments/${id}/harden/preview`, undefined, viewerKey);
    assert.equal(previewed.statusCode, 200, previewed.body);
    const preview = previewed.json() as HardenPreview;
    assert.equal(preview.file_name, 'compose.override.yaml');
    assert.match(preview.overlay, /# no-cap-drop: .*\n\s+cap_drop:/);
    assert.match(preview.overlay, /127\.0\.0\.1:5432:5432\/tcp/);
    const fixed = preview.findings.fixed.map((f) => f.rule);
    for (const rule of ['no-cap-drop', 'no-new-privileges-missing', 'exposed-database-port']) assert.ok(fixed.includes(rule), `${rule} in ${fixed.join(', ')}`);
    assert.ok(preview.scores.after.security > preview.scores.before.security);
    assert.deepEqual(preview.secret_files, []);
    assert.equal(preview.verified, false);

    assert.equal((await post(`/deployments/${id}/harden`, undefined, viewerKey)).statusCode, 403, 'a viewer cannot deploy');
    agent.calls.length = 0;
    const hardened = await post(`/deployments/${id}/harden`);
    assert.equal(hardened.statusCode, 202, hardened.body);
    const next = hardened.json() as { id: string; name: string };
    assert.equal(next.name, 'shop');
    assert.notEqual(next.id, id);
    await running(next.id);
    assert.equal((await manager.app.inject({ method: 'GET', url: `/deployments/${id}`, headers: { 'x-admin-key': adminKey } })).statusCode, 404);
    const removedAt = agent.calls.findIndex((c) => c.method === 'DELETE' && c.url === '/agent/containers/shop');
    const launchedAt = agent.calls.findIndex((c) => c.method === 'POST' && c.url === '/agent/containers');
    assert.ok(removedAt >= 0 && removedAt < launchedAt, 'the old deployment went first');
    const launched = agent.calls.find((c) => c.method === 'POST' && c.url === '/agent/containers')!.body as { docker_zip_base64: string };
    const entries = await readZip(Buffer.from(launched.docker_zip_base64, 'base64'), { maxEntries: 10, maxExpandedBytes: 1e6 });
    assert.deepEqual(entries.map((e) => e.path).sort(), ['compose.override.yaml', 'compose.yaml']);
    assert.equal(entries.find((e) => e.path === 'compose.override.yaml')!.data.toString('utf8'), preview.overlay);
    const audit = (await manager.app.inject({ method: 'GET', url: '/audit', headers: { 'x-admin-key': adminKey } })).body;
    assert.match(audit, /deployment\.harden/);
  });

  it('moves a secret out of the files, and refuses to deploy until the secret file is in the package (409)', async () => {
    const created = await post('/deployments', { name: 'with-secret', compose: WITH_SECRET });
    assert.equal(created.statusCode, 202, created.body);
    const { id } = created.json() as { id: string };
    await running(id);
    const preview = (await post(`/deployments/${id}/harden/preview`)).json() as HardenPreview;
    assert.doesNotMatch(preview.overlay, /Xk29fLq0Zr8pWm3/, 'the secret value is not in the overlay');
    assert.ok(preview.findings.fixed.some((f) => f.rule === 'hardcoded-secret'));
    assert.deepEqual(preview.secret_files, ['./secrets/postgres_password.txt']);
    assert.ok(preview.findings.pending.some((p) => /secrets generate/.test(p.reason)));
    const refused = await post(`/deployments/${id}/harden`);
    assert.equal(refused.statusCode, 409, refused.body);
    assert.match(refused.body, /secrets generate/);
    assert.equal(((await manager.app.inject({ method: 'GET', url: `/deployments/${id}`, headers: { 'x-admin-key': adminKey } })).json() as { state: string }).state, 'running', 'the running deployment stays');
  });

  it('refuses a package with its own override file (422) and an unknown deployment (404)', async () => {
    const created = await post('/deployments', { name: 'own-override', compose: COMPOSE, files: { 'compose.override.yaml': 'services:\n  web:\n    restart: always\n' } });
    assert.equal(created.statusCode, 202, created.body);
    const { id } = created.json() as { id: string };
    const refused = await post(`/deployments/${id}/harden/preview`);
    assert.equal(refused.statusCode, 422, refused.body);
    assert.match(refused.body, /own override file/);
    assert.equal((await post('/deployments/nope/harden/preview')).statusCode, 404);
  });
});
