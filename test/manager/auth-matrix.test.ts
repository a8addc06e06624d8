import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { heartbeat, login, registerHost, startTestManager, type TestManager } from './helpers.js';

/**
 * Routes anyone may call; every other route in the OpenAPI document must refuse bad credentials.
 * POST /hosts/enroll takes an enrollment token instead of a key (test/agent/enrollment.docker.test.ts
 * refuses forged, used and expired ones); GET /tls/ca shows the CA certificate agents pin.
 */
const PUBLIC = new Set(['GET /health', 'GET /metrics', 'POST /auth/login', 'POST /hosts/enroll', 'GET /tls/ca']);

describe('auth matrix: every protected route refuses every bad credential', () => {
  let manager: TestManager;
  let operations: { method: string; path: string }[];
  const credentials: Record<string, Record<string, string>> = {};
  let hostA: { id: string; server_key: string };
  let ids: Record<string, string>;
  let snapshot: () => Promise<string>;

  before(async () => {
    manager = await startTestManager('sqlite', { monitor: false });
    const admin = await login(manager);
    hostA = await registerHost(manager, admin);
    const hostB = await registerHost(manager, admin);
    const deleted = await registerHost(manager, admin);
    assert.equal((await manager.app.inject({ method: 'DELETE', url: `/hosts/${deleted.id}`, headers: { 'x-admin-key': admin } })).statusCode, 204);
    const rotatedHostKey = hostA.server_key;
    const rotation = await manager.app.inject({ method: 'POST', url: `/hosts/${hostA.id}/rotate-key`, headers: { 'x-admin-key': admin } });
    hostA = { id: hostA.id, server_key: (rotation.json() as { server_key: string }).server_key };
    assert.equal((await heartbeat(manager, hostA.id, hostA.server_key)).statusCode, 200, 'the current key works');

    // Rotation revokes every key of its user: another admin rotates, so that `admin` keeps working.
    const rotator = { email: 'rotator@example.com', password: 'rotator-password' };
    const created = await manager.app.inject({ method: 'POST', url: '/auth/users', headers: { 'x-admin-key': admin }, payload: { ...rotator, role: 'admin' } });
    assert.equal(created.statusCode, 201);
    const rotatedAdmin = await login(manager, rotator);
    assert.equal((await manager.app.inject({ method: 'POST', url: '/auth/rotate-key', headers: { 'x-admin-key': rotatedAdmin } })).statusCode, 200);
    const revokedAdmin = await login(manager);
    assert.equal((await manager.app.inject({ method: 'POST', url: '/auth/logout', headers: { 'x-admin-key': revokedAdmin } })).statusCode, 200);
    const forged = await new SignJWT({ role: 'admin', jti: 'forged' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').sign(new TextEncoder().encode('a'.repeat(48)));

    // As X-Admin-Key for user routes, as X-Server-Key for host A's heartbeat.
    credentials['no key'] = {};
    credentials['wrong key'] = { 'x-admin-key': forged, 'x-server-key': forged };
    credentials["another host's key"] = { 'x-admin-key': hostB.server_key, 'x-server-key': hostB.server_key };
    credentials['rotated key'] = { 'x-admin-key': rotatedAdmin, 'x-server-key': rotatedHostKey };
    credentials['revoked key'] = { 'x-admin-key': revokedAdmin, 'x-server-key': deleted.server_key };
    credentials['bearer garbage'] = { authorization: 'Bearer not-a-key' };
    credentials['admin key as server key'] = { 'x-server-key': admin };

    const users = (await manager.app.inject({ method: 'GET', url: '/auth/users', headers: { 'x-admin-key': admin } })).json() as { id: string }[];
    ids = { '/hosts/{id}': hostA.id, '/auth/users/{id}': users[0]!.id, '/containers/{id}': 'some-deployment', '/deployments/{id}': 'some-deployment' };
    const docs = (await manager.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
    operations = Object.entries(docs.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => ({ method: m.toUpperCase(), path }))
        .filter((op) => !PUBLIC.has(`${op.method} ${op.path}`)),
    );
    snapshot = async () => {
      const rows = await Promise.all([manager.repo.listHosts(), manager.repo.listUsers(), manager.repo.listDeployments()]);
      return JSON.stringify(rows);
    };
  });
  after(() => manager.dispose());

  it('covers every route of the API', () => {
    assert.ok(operations.length >= 20, `${operations.length} operations`);
    const names = operations.map((op) => `${op.method} ${op.path}`);
    for (const expected of ['POST /hosts/{id}/heartbeat', 'POST /containers/launch', 'GET /events', 'GET /audit', 'DELETE /auth/users/{id}', 'POST /auth/rotate-key']) {
      assert.ok(names.includes(expected), expected);
    }
  });

  it('refuses them all with 401 or 403 and changes nothing', async () => {
    const before = await snapshot();
    const failures: string[] = [];
    for (const op of operations) {
      const prefix = Object.keys(ids).find((p) => op.path.startsWith(p.replace('/{id}', '/')));
      const url = op.path.replace('{id}', prefix ? ids[prefix]! : 'x');
      // A valid heartbeat, so that only the key can make it fail.
      const body = op.path.endsWith('/heartbeat') ? JSON.stringify({ cpu: 99, mem: 99, containers: 5 }) : '{}';
      for (const [label, headers] of Object.entries(credentials)) {
        const response = await manager.app.inject({
          method: op.method,
          url,
          headers: { ...headers, ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { 'content-type': 'application/json' }) },
          ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { payload: body }),
        });
        const json = String(response.headers['content-type']).startsWith('application/json');
        if (![401, 403].includes(response.statusCode) || !json) failures.push(`${op.method} ${url} with ${label}: ${response.statusCode} ${response.body.slice(0, 80)}`);
      }
    }
    assert.deepEqual(failures, []);
    assert.equal(await snapshot(), before);
    const hostNow = await manager.repo.getHost(hostA.id);
    assert.equal(hostNow?.cpuPercent, 10, 'no refused heartbeat was recorded');
  });
});
