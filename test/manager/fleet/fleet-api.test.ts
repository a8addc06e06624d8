import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FleetContainer, Webhook, WebhookDelivery } from '../../../src/contract/index.js';
import { isPublicAddress, SearchIndex } from '../../../src/manager/index.js';
import { eventually, heartbeat, login, registerHost, startFakeAgent, startTestManager, type TestManager } from '../helpers.js';
import { fleetTestConfig, startHookListener } from './helpers.js';

const SECRET = 'a-webhook-secret-of-some-length';

async function userKey(manager: TestManager, admin: string, role: 'operator' | 'viewer'): Promise<string> {
  const email = `${role}-${Math.random().toString(36).slice(2)}@example.com`;
  const created = await manager.app.inject({ method: 'POST', url: '/auth/users', headers: { 'x-admin-key': admin }, payload: { email, password: 'a long password', role } });
  assert.equal(created.statusCode, 201, created.body);
  return login(manager, { email, password: 'a long password' });
}

describe('webhook alerts: validation, roles, SSRF policy, signatures, retries', () => {
  let manager: TestManager;
  let admin: string;
  let operator: string;
  let viewer: string;
  let hook: Awaited<ReturnType<typeof startHookListener>>;
  let flaky: Awaited<ReturnType<typeof startHookListener>>;
  let redirecting: Awaited<ReturnType<typeof startHookListener>>;

  before(async () => {
    hook = await startHookListener();
    flaky = await startHookListener((n) => (n === 1 ? 500 : 204));
    redirecting = await startHookListener(() => 302);
    manager = await startTestManager('sqlite', { config: { fleet: fleetTestConfig({ webhookMaxAttempts: 3 }) }, alertRetryBaseMs: 50, monitor: false });
    admin = await login(manager);
    operator = await userKey(manager, admin, 'operator');
    viewer = await userKey(manager, admin, 'viewer');
  });
  after(async () => {
    await manager.dispose();
    await Promise.all([hook.close(), flaky.close(), redirecting.close()]);
  });

  const create = (payload: unknown, key = admin) =>
    manager.app.inject({ method: 'POST', url: '/alerts/webhooks', headers: { 'x-admin-key': key, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });

  it('refuses hostile webhooks with a clear 4xx and stores nothing', async () => {
    const good = { url: hook.url, events: ['host.online'], secret: SECRET };
    const cases: [string, unknown, number][] = [
      ['ftp URL', { ...good, url: 'ftp://127.0.0.1/x' }, 400],
      ['file URL', { ...good, url: 'file:///etc/passwd' }, 400],
      ['not a URL', { ...good, url: 'not a url at all' }, 400],
      ['credentials in the URL', { ...good, url: 'http://user:pw@127.0.0.1/x' }, 400],
      ['a private address not allowed', { ...good, url: 'http://10.0.0.5/hook' }, 400],
      ['cloud metadata', { ...good, url: 'http://169.254.169.254/latest/meta-data' }, 400],
      ['IPv6 loopback', { ...good, url: 'http://[::1]:8080/x' }, 400],
      ['mapped loopback', { ...good, url: 'http://[::ffff:127.0.0.2]/x' }, 400],
      ['unknown event', { ...good, events: ['host.exploded'] }, 400],
      ['no events', { ...good, events: [] }, 400],
      ['duplicate events', { ...good, events: ['host.online', 'host.online'] }, 400],
      ['short secret', { ...good, secret: 'short' }, 400],
      ['no secret', { url: good.url, events: good.events }, 400],
      ['unknown field', { ...good, follow_redirects: true }, 400],
      ['URL too long', { ...good, url: `${hook.url}?${'a'.repeat(3000)}` }, 400],
      ['huge body', { ...good, description: 'x'.repeat(100_000) }, 413],
    ];
    for (const [label, payload, status] of cases) {
      const response = await create(payload);
      assert.equal(response.statusCode, status, `${label}: ${response.body}`);
      assert.match(String(response.headers['content-type']), /^application\/json/, label);
      assert.ok(!response.body.includes('at '), `${label}: no stack trace`);
    }
    const raw = await manager.app.inject({ method: 'POST', url: '/alerts/webhooks', headers: { 'x-admin-key': admin, 'content-type': 'application/json' }, payload: '{"url": ' });
    assert.equal(raw.statusCode, 400);
    assert.deepEqual(await manager.context.fleet.store.listWebhooks(), []);
  });

  it('is for admins only', async () => {
    for (const key of [operator, viewer]) {
      assert.equal((await create({ url: hook.url, events: ['host.online'], secret: SECRET }, key)).statusCode, 403);
      for (const url of ['/alerts/webhooks', '/alerts/deliveries']) {
        assert.equal((await manager.app.inject({ method: 'GET', url, headers: { 'x-admin-key': key } })).statusCode, 403);
      }
      assert.equal((await manager.app.inject({ method: 'DELETE', url: '/alerts/webhooks/x', headers: { 'x-admin-key': key } })).statusCode, 403);
    }
    assert.deepEqual(await manager.context.fleet.store.listWebhooks(), []);
  });

  it('delivers signed alerts, never shows the secret, retries a failing receiver and does not follow redirects', async () => {
    const made: Webhook[] = [];
    for (const url of [hook.url, flaky.url, redirecting.url]) {
      const response = await create({ url, events: ['host.online', 'gate.refused'], secret: SECRET, description: 'test' });
      assert.equal(response.statusCode, 201, response.body);
      assert.ok(!response.body.includes(SECRET));
      made.push(response.json() as Webhook);
    }
    const listed = await manager.app.inject({ method: 'GET', url: '/alerts/webhooks', headers: { 'x-admin-key': admin } });
    assert.equal((listed.json() as Webhook[]).length, 3);
    assert.ok(!listed.body.includes(SECRET));
    const stored = JSON.stringify(await manager.context.fleet.store.listWebhooks());
    assert.ok(!stored.includes(SECRET), 'the secret is stored sealed');

    // A host coming online is an event the manager makes itself.
    const host = await registerHost(manager, admin, { hostname: 'alerting-host' });
    assert.equal((await heartbeat(manager, host.id, host.server_key)).statusCode, 200);

    const delivered = await eventually(() => hook.received.find((r) => r.headers['x-shipshape-event'] === 'host.online'), 10_000, 'the alert');
    assert.equal(delivered.headers['x-shipshape-signature'], `sha256=${createHmac('sha256', SECRET).update(delivered.body).digest('hex')}`);
    assert.equal(delivered.headers['content-type'], 'application/json');
    assert.equal((JSON.parse(delivered.body) as { data: { host_id: string } }).data.host_id, host.id);

    const log = async (webhookId: string) =>
      (await manager.app.inject({ method: 'GET', url: `/alerts/deliveries?webhook_id=${webhookId}`, headers: { 'x-admin-key': admin } })).json() as WebhookDelivery[];
    const retried = await eventually(async () => (await log(made[1]!.id)).find((d) => d.status === 'delivered'), 10_000, 'the retried delivery');
    assert.equal(retried.attempts, 2);
    assert.equal(flaky.received.length, 2);
    assert.equal(flaky.received[0]!.body, flaky.received[1]!.body, 'a retry sends the same body');

    const refused = await eventually(async () => (await log(made[2]!.id)).find((d) => d.status === 'failed'), 10_000, 'the failed delivery');
    assert.equal(refused.attempts, 3);
    assert.match(refused.last_error ?? '', /redirect/);
    assert.equal(redirecting.received.length, 3, 'three attempts, no redirect followed');
  });

  it('alerts when the deploy gate refuses a package', async () => {
    const response = await manager.app.inject({
      method: 'POST',
      url: '/deployments',
      headers: { 'x-admin-key': operator },
      payload: { compose: 'services:\n  app:\n    image: app:1.0\n    privileged: true\n' },
    });
    assert.equal(response.statusCode, 422, response.body);
    const alert = await eventually(() => hook.received.find((r) => r.headers['x-shipshape-event'] === 'gate.refused'), 10_000, 'the gate.refused alert');
    assert.match(alert.body, /"rule":"privileged"/);
  });

  it('alerts when a deployment fails on its agent', async () => {
    const key: { current?: string } = {};
    const agent = await startFakeAgent(() => key.current);
    try {
      agent.mode = 'fail';
      const registered = await manager.app.inject({
        method: 'POST',
        url: '/hosts',
        headers: { 'x-admin-key': admin },
        payload: { hostname: 'failing-host', ip: '127.0.0.1', api_port: agent.port, max_containers: 5 },
      });
      const host = registered.json() as { id: string; server_key: string };
      key.current = host.server_key;
      assert.equal((await heartbeat(manager, host.id, host.server_key, { docker_ok: true })).statusCode, 200);
      await manager.app.inject({ method: 'POST', url: '/alerts/webhooks', headers: { 'x-admin-key': admin }, payload: { url: hook.url, events: ['deployment.failed'], secret: SECRET } });
      // Placed on the failing host: the host of the first test is online too, with room.
      const launched = await manager.app.inject({
        method: 'POST',
        url: '/deployments',
        headers: { 'x-admin-key': operator },
        payload: { compose: 'services:\n  web:\n    image: nginx:1.27-alpine\n    user: "1000"\n', host_id: host.id },
      });
      assert.equal(launched.statusCode, 202, launched.body);
      const id = (launched.json() as { id: string }).id;
      const alert = await eventually(() => hook.received.find((r) => r.headers['x-shipshape-event'] === 'deployment.failed'), 10_000, 'the deployment.failed alert');
      const payload = JSON.parse(alert.body) as { data: { deployment_id: string; reason: string } };
      assert.equal(payload.data.deployment_id, id);
      assert.match(payload.data.reason, /HTTP 500/);
    } finally {
      await agent.close();
    }
  });

  it('deletes a webhook with its log', async () => {
    const [first] = await manager.context.fleet.store.listWebhooks();
    assert.ok(first);
    assert.equal((await manager.app.inject({ method: 'DELETE', url: `/alerts/webhooks/${first.id}`, headers: { 'x-admin-key': admin } })).statusCode, 204);
    assert.equal((await manager.app.inject({ method: 'DELETE', url: `/alerts/webhooks/${first.id}`, headers: { 'x-admin-key': admin } })).statusCode, 404);
    assert.deepEqual(await manager.context.fleet.store.listDeliveries({ webhookId: first.id, limit: 10 }), []);
  });
});

describe('webhook destinations without ALERT_WEBHOOK_ALLOW: public addresses only', () => {
  it('tells public from internal addresses', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700::1111', '::ffff:8.8.8.8']) assert.equal(isPublicAddress(address), true, address);
    for (const address of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '224.0.0.1']) {
      assert.equal(isPublicAddress(address), false, address);
    }
  });

  it('refuses loopback by default', async () => {
    const manager = await startTestManager('sqlite', { monitor: false });
    try {
      const admin = await login(manager);
      const response = await manager.app.inject({ method: 'POST', url: '/alerts/webhooks', headers: { 'x-admin-key': admin }, payload: { url: 'http://127.0.0.1:9/x', events: ['host.offline'], secret: SECRET } });
      assert.equal(response.statusCode, 400);
      assert.match(response.body, /not a public address; list it in ALERT_WEBHOOK_ALLOW/);
    } finally {
      await manager.dispose();
    }
  });
});

describe('fleet routes refuse malformed input with 4xx', () => {
  let manager: TestManager;
  let admin: string;
  let viewer: string;
  before(async () => {
    manager = await startTestManager('sqlite', { monitor: false });
    admin = await login(manager);
    viewer = await userKey(manager, admin, 'viewer');
  });
  after(() => manager.dispose());

  it('answers each with the right status, never 5xx', async () => {
    const cases: [string, string, unknown, number, string?][] = [
      ['GET', '/search', undefined, 400],
      ['GET', `/search?q=${'x'.repeat(201)}`, undefined, 400],
      ['GET', '/search?q=a&kind=volume', undefined, 400],
      ['GET', '/search?q=a&limit=0', undefined, 400],
      ['GET', '/search?q=a&limit=100000', undefined, 400],
      ['GET', '/search?q=%00%ff', undefined, 200],
      ['GET', '/search?q=a&unknown=1', undefined, 400],
      ['GET', '/hosts/no-such-host/posture', undefined, 404],
      ['GET', '/deployments/no-such/posture', undefined, 404],
      ['GET', '/deployments/no-such/logs', undefined, 404],
      ['GET', '/deployments/no-such/logs?follow=yes', undefined, 400],
      ['GET', '/deployments/no-such/logs?tail=-1', undefined, 400],
      ['POST', '/deployments/no-such/move', { host_id: 'h' }, 404],
      ['POST', '/deployments/no-such/move', {}, 400],
      ['POST', '/deployments/no-such/move', { host_id: 'h', extra: 1 }, 400],
      ['POST', '/deployments/no-such/move', { host_id: 'x'.repeat(1000) }, 400],
      ['POST', '/deployments/no-such/move', 'x'.repeat(10_000), 413],
      ['GET', '/alerts/deliveries?status=lost', undefined, 400],
      ['GET', '/alerts/deliveries?limit=5000', undefined, 400],
      ['GET', '/search?q=a', undefined, 200, viewer],
      ['GET', '/hosts/versions', undefined, 200, viewer],
      ['GET', '/posture', undefined, 200, viewer],
      ['POST', '/deployments/no-such/move', { host_id: 'h' }, 403, viewer],
      ['GET', '/deployments/no-such/logs', undefined, 403, viewer],
    ];
    for (const [method, url, body, status, key] of cases) {
      const response = await manager.app.inject({
        method: method as 'GET' | 'POST',
        url,
        headers: { 'x-admin-key': key ?? admin, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? JSON.stringify({ host_id: body }) : JSON.stringify(body) }),
      });
      assert.equal(response.statusCode, status, `${method} ${url}: ${response.body.slice(0, 200)}`);
    }
  });
});

describe('the search index', () => {
  const container = (name: string, extra: Partial<FleetContainer> = {}): FleetContainer => ({
    id: `id-${name}`,
    name,
    image: 'nginx:1.27',
    state: 'running',
    health: null,
    stack: null,
    service: null,
    managed: false,
    ports: [],
    env_names: [],
    ...extra,
  });

  it('finds every kind, ranks exact matches first, filters by kind and forgets replaced hosts', () => {
    const index = new SearchIndex();
    index.put('h1', 'alpha', [
      container('shop-web-1', { stack: 'shop', ports: [{ container_port: 80, host_port: 8080, host_ip: '127.0.0.1', protocol: 'tcp' }], env_names: ['DATABASE_URL'] }),
      container('shop-db-1', { stack: 'shop', image: 'postgres:16', env_names: ['POSTGRES_PASSWORD'] }),
    ]);
    index.put('h2', 'beta', [container('shop', { image: 'redis:7' })]);
    const shop = index.search('shop', { limit: 50 });
    assert.deepEqual(
      shop.hits.map((h) => `${h.kind}:${h.value}@${h.hostname}`),
      ['container:shop@beta', 'stack:shop@alpha', 'container:shop-db-1@alpha', 'container:shop-web-1@alpha'],
    );
    assert.equal(shop.total, 4);
    assert.deepEqual(index.search('8080', { limit: 5 }).hits.map((h) => h.value), ['127.0.0.1:8080->80/tcp']);
    assert.deepEqual(index.search('password', { limit: 5 }).hits.map((h) => `${h.kind}:${h.container}`), ['env:shop-db-1']);
    assert.deepEqual(index.search('POSTGRES', { kind: 'image', limit: 5 }).hits.map((h) => h.value), ['postgres:16']);
    assert.equal(index.search('shop', { limit: 1 }).hits.length, 1);
    assert.equal(index.search('shop', { limit: 1 }).total, 4);

    index.put('h1', 'alpha', [container('other')]);
    assert.deepEqual(index.search('shop', { limit: 50 }).hits.map((h) => h.hostname), ['beta']);
    index.remove('h2');
    assert.equal(index.search('shop', { limit: 50 }).total, 0);
    assert.equal(index.hostCount, 1);
    assert.equal(index.search('   ', { limit: 5 }).total, 0);
  });
});
