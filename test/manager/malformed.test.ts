import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { writeZip } from '../../src/manager/index.js';
import { ADMIN, composeZip, heartbeat, login, multipart, rawZip, registerHost, startTestManager, type TestManager } from './helpers.js';

interface Case {
  method: string;
  url: string;
  body: string | Buffer;
  contentType?: string;
  /** Sent with the host's server key instead of the admin key. */
  host?: boolean;
}

describe('malformed requests: 4xx JSON, nothing changes', () => {
  let manager: TestManager;
  let adminKey: string;
  let host: { id: string; server_key: string };
  let userId: string;

  before(async () => {
    manager = await startTestManager('sqlite', { monitor: false });
    adminKey = await login(manager);
    host = await registerHost(manager, adminKey, { max_containers: 5 });
    assert.equal((await heartbeat(manager, host.id, host.server_key)).statusCode, 200);
    const created = await manager.app.inject({
      method: 'POST',
      url: '/auth/users',
      headers: { 'x-admin-key': adminKey },
      payload: { email: 'viewer@example.com', password: 'viewer-password', role: 'viewer' },
    });
    userId = (created.json() as { id: string }).id;
  });
  after(() => manager.dispose());

  /** What must not change: hosts (with their last heartbeat), users, deployments, the admin's key. */
  const snapshot = async () =>
    JSON.stringify([
      await manager.repo.listHosts(),
      await manager.repo.listUsers(),
      await manager.repo.listDeployments(),
      (await manager.repo.findUserByEmail(ADMIN.email))?.failedLogins,
    ]);

  const json = (method: string, url: string, bodies: unknown[], host = false): Case[] => bodies.map((b) => ({ method, url, body: typeof b === 'string' ? b : JSON.stringify(b), host }));

  it('refuses bad JSON on every route that takes a body, and bad fields on every route with a schema', async () => {
    const docs = (await manager.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    const withBody = Object.entries(docs.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([method]) => ['post', 'patch', 'put'].includes(method))
        .map(([method, op]) => ({ method: method.toUpperCase(), path, schema: op.requestBody !== undefined })),
    );
    const url = (path: string) => path.replace('/hosts/{id}', `/hosts/${host.id}`).replace('/auth/users/{id}', `/auth/users/${userId}`).replace('{id}', 'no-such-deployment');
    const cases: Case[] = [];
    for (const op of withBody) {
      if (op.path === '/containers/launch') continue;
      const heartbeatRoute = op.path.endsWith('/heartbeat');
      cases.push(...json(op.method, url(op.path), ['{"cpu": 1,', '{"a" 1}', ''], heartbeatRoute));
      if (op.schema) cases.push(...json(op.method, url(op.path), ['[]', '"text"', '42', 'null'], heartbeatRoute));
    }
    assert.ok(cases.length > 40);

    cases.push(
      ...json('POST', '/auth/login', [{ email: 'not-an-email', password: 'x' }, { email: ADMIN.email }, { ...ADMIN, extra: true }, { email: ADMIN.email, password: 7 }]),
      ...json('POST', '/auth/change-password', [{ current_password: ADMIN.password }, { current_password: ADMIN.password, new_password: 'short' }]),
      ...json('POST', '/auth/users', [
        { email: 'a@example.com', password: 'long-enough', role: 'root' },
        { email: 'nope', password: 'long-enough', role: 'viewer' },
        { email: 'b@example.com', password: 'short', role: 'viewer' },
      ]),
      ...json('PATCH', `/auth/users/${userId}`, [{}, { role: 'god' }, { password: 'short' }, { unlock: 'yes' }]),
      ...json('POST', '/hosts', [
        { hostname: '', ip: '10.0.0.9', max_containers: 1 },
        { hostname: 'h', ip: '10.0.0.9', max_containers: 0 },
        { hostname: 'h', ip: '10.0.0.9', max_containers: 1, api_port: 70_000 },
        { hostname: 'h', ip: 'an address with spaces', max_containers: 1 },
        { hostname: 'h', ip: '10.0.0.9' },
        { hostname: 'h', ip: '10.0.0.9', max_containers: 1, status: 'online' },
        { hostname: 'h', ip: '10.0.0.9', max_containers: 1.5 },
      ]),
      ...json('PATCH', `/hosts/${host.id}`, [{ max_containers: -1 }, { ssh_port: 'abc' }, { status: 'online' }, { hostname: 'x'.repeat(300) }]),
      ...json(
        'POST',
        `/hosts/${host.id}/heartbeat`,
        [
          { cpu: 'x', mem: 1, containers: 1 },
          { cpu: 101, mem: 1, containers: 1 },
          { cpu: 1, mem: 1 },
          { cpu: 1, mem: 1, containers: -3 },
          { cpu: 1, mem: 1, containers: 1.5 },
          { cpu: -1, mem: 1, containers: 1 },
          { cpu: 1, mem: 1, containers: 1, docker_ok: 'sure' },
        ],
        true,
      ),
      ...json('POST', '/deployments', [
        {},
        { compose: '' },
        { compose: 'services:\n  a:\n    image: nginx:1.27\n', name: 'Bad Name' },
        { compose: 'services:\n  a:\n    image: nginx:1.27\n', files: { '../../etc/passwd': 'x' } },
        { compose: 'services:\n  a:\n    image: nginx:1.27\n', files: { '/abs/path': 'x' } },
        { compose: 'services:\n  a:\n    image: nginx:1.27\n', files: { 'compose.yaml': 'x' } },
        { compose: 'services:\n  a:\n    image: nginx:1.27\n', files: { x: '!!!' }, encoding: 'base64' },
        { compose: 'services:\n  a:\n    image: nginx:1.27\n', encoding: 'hex' },
        { compose: 'services:\n  a: [unclosed\n' },
        { compose: 'services:\n  a:\n    image: nginx:1.27\n', files: { x: 1 } },
      ]),
      { method: 'POST', url: '/hosts', body: 'hostname=h', contentType: 'application/x-www-form-urlencoded' },
      { method: 'POST', url: '/hosts', body: JSON.stringify({ hostname: 'h'.repeat(2_000_000), ip: '1.1.1.1', max_containers: 1 }) },
      { method: 'GET', url: '/deployments?state=bogus', body: '' },
      { method: 'GET', url: '/deployments?limit=0', body: '' },
      { method: 'GET', url: '/audit?limit=100000', body: '' },
      { method: 'DELETE', url: `/hosts/${host.id}?force=maybe`, body: '' },
      { method: 'GET', url: `/hosts/${'x'.repeat(300)}`, body: '' },
    );

    const zipOf = (entries: Record<string, string>) => writeZip(Object.entries(entries).map(([path, text]) => ({ path, data: Buffer.from(text) })));
    const traversal = rawZip([{ name: '../../evil.txt', data: Buffer.from('pwned') }]);
    const cutShort = multipart('file', 'p.zip', composeZip());
    const launchCases: [string, { body: Buffer; contentType: string } | { body: string; contentType: string }][] = [
      ['/containers/launch?user_id=u', { body: JSON.stringify({ file: 'x' }), contentType: 'application/json' }],
      ['/containers/launch', multipart('file', 'p.zip', composeZip())],
      ['/containers/launch?user_id=u', multipart('other', 'p.zip', composeZip())],
      ['/containers/launch?user_id=u', multipart('file', 'p.zip', Buffer.from('not a zip at all'))],
      ['/containers/launch?user_id=u', multipart('file', 'p.zip', zipOf({ 'README.md': 'no compose here' }))],
      ['/containers/launch?user_id=u', multipart('file', 'p.zip', traversal)],
      ['/containers/launch?user_id=u', multipart('file', 'p.zip', composeZip().subarray(0, 40))],
      // Multipart that is itself broken: cut short, no boundary, garbled part headers.
      ['/containers/launch?user_id=u', { body: cutShort.body.subarray(0, 150), contentType: cutShort.contentType }],
      ['/containers/launch?user_id=u', { body: '--x\r\n\r\n', contentType: 'multipart/form-data' }],
      ['/containers/launch?user_id=u', { body: '--b\r\nnot a header\r\n\r\n\r\n--b--\r\n', contentType: 'multipart/form-data; boundary=b' }],
    ];
    for (const [url, form] of launchCases) cases.push({ method: 'POST', url, body: form.body, contentType: form.contentType });

    const before = await snapshot();
    const failures: string[] = [];
    for (const c of cases) {
      const response = await manager.app.inject({
        method: c.method,
        url: c.url,
        headers: {
          ...(c.host ? { 'x-server-key': host.server_key } : { 'x-admin-key': adminKey }),
          ...(c.body === '' && c.method !== 'POST' && c.method !== 'PATCH' ? {} : { 'content-type': c.contentType ?? 'application/json' }),
        },
        ...(c.body === '' && c.method !== 'POST' && c.method !== 'PATCH' ? {} : { payload: c.body }),
      });
      const isJson = String(response.headers['content-type']).startsWith('application/json');
      let parsed = false;
      try {
        response.json();
        parsed = true;
      } catch {
        parsed = false;
      }
      if (response.statusCode < 400 || response.statusCode >= 500 || !isJson || !parsed) {
        failures.push(`${c.method} ${c.url} ${String(c.body).slice(0, 60)}: ${response.statusCode} ${response.body.slice(0, 100)}`);
      }
    }
    assert.deepEqual(failures, []);
    assert.equal(await snapshot(), before);
    assert.equal((await manager.app.inject({ method: 'GET', url: '/auth/me', headers: { 'x-admin-key': adminKey } })).statusCode, 200, 'the key survived');
  });

  it('answers machine-lab routes in its shape and Shipshape routes in its own', async () => {
    const compat = await manager.app.inject({ method: 'POST', url: '/hosts', headers: { 'x-admin-key': adminKey }, payload: { hostname: 'h', ip: '10.0.0.9' } });
    assert.equal(compat.statusCode, 422);
    assert.deepEqual(compat.json(), { detail: [{ loc: ['body', 'max_containers'], msg: 'field required', type: 'required' }] });
    const own = await manager.app.inject({ method: 'POST', url: '/deployments', headers: { 'x-admin-key': adminKey }, payload: { compose: 'x', extra: 1 } });
    assert.equal(own.statusCode, 400);
    assert.deepEqual(own.json(), {
      error: { code: 'invalid_request', message: 'body.extra: unknown field', details: [{ loc: ['body', 'extra'], msg: 'unknown field', type: 'additionalProperties' }] },
    });
  });
});
