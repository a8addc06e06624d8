import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AUTH, KEY, testAgent, type TestAgent } from './helpers/agent.js';
import { makeZip } from './helpers/archives.js';

/** No engine behind it: everything here is refused before the engine would be asked. */
const NO_ENGINE = { DOCKER_SOCKET: 'unix:///nonexistent/docker.sock' };

function multipartBody(boundary: string, parts: string): Buffer {
  return Buffer.from(parts.replaceAll('\n', '\r\n').replaceAll('BOUNDARY', boundary), 'latin1');
}

describe('agent: malformed input is a 4xx, never a 5xx', () => {
  let agent: TestAgent;
  before(async () => {
    agent = await testAgent(NO_ENGINE);
  });
  after(() => agent.close());

  test('bad JSON and bodies of the wrong type on every route that takes a body', async () => {
    const docs = (await agent.app.inject({ method: 'GET', url: '/docs/json', headers: AUTH })).json() as {
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    const routes = Object.entries(docs.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([method, op]) => ['post', 'put', 'patch'].includes(method) && op.requestBody !== undefined)
        .map(([method]) => ({ method: method.toUpperCase() as 'POST', url: path.replace(/\{[^}]+\}/g, 'no-such-thing') })),
    );
    assert.ok(routes.length >= 4, JSON.stringify(routes));
    const failures: string[] = [];
    for (const route of routes) {
      for (const body of ['{"name": ', '{"a" 1}', '[]', '"text"', '42', 'null', '{"name": {"$ne": 1}}', '\u0000\u0001']) {
        const response = await agent.app.inject({ ...route, headers: { ...AUTH, 'content-type': 'application/json' }, payload: body });
        const json = response.headers['content-type']?.toString().startsWith('application/json');
        if (response.statusCode < 400 || response.statusCode >= 500 || !json) failures.push(`${route.method} ${route.url} ${JSON.stringify(body)}: ${response.statusCode} ${response.body.slice(0, 120)}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  test('malformed multipart answers 400 with a message', async () => {
    const boundary = 'xYzBoundary';
    const cases: [string, Buffer, string][] = [
      ['cut short', multipartBody(boundary, '--BOUNDARY\nContent-Disposition: form-data; name="file"; filename="p.zip"\nContent-Type: application/zip\n\nPK\u0003\u0004 and then nothing'), `multipart/form-data; boundary=${boundary}`],
      ['garbled part header', multipartBody(boundary, '--BOUNDARY\nthis is not a header\n\n\n--BOUNDARY--\n'), `multipart/form-data; boundary=${boundary}`],
      ['no boundary', Buffer.from('--x\r\n\r\n'), 'multipart/form-data'],
      ['no parts', multipartBody(boundary, '--BOUNDARY--\n'), `multipart/form-data; boundary=${boundary}`],
      ['another field', multipartBody(boundary, '--BOUNDARY\nContent-Disposition: form-data; name="other"; filename="p.zip"\n\nPK\n--BOUNDARY--\n'), `multipart/form-data; boundary=${boundary}`],
    ];
    for (const [what, payload, contentType] of cases) {
      const response = await agent.app.inject({ method: 'POST', url: '/files', headers: { ...AUTH, 'content-type': contentType }, payload });
      assert.equal(response.statusCode, 400, `${what}: ${response.body}`);
      assert.equal((response.json() as { error: { code: string } }).error.code, 'invalid_request', what);
    }
  });

  test('a package that claims to unpack far past its size is refused on its directory, as is one past the size limit', async () => {
    const bomb = makeZip([{ name: 'compose.yaml', data: Buffer.alloc(64 * 2 ** 20) }], { deflate: true });
    assert.ok(bomb.length < 2 ** 20);
    const response = await agent.app.inject({ method: 'POST', url: '/files', headers: { ...AUTH, 'content-type': 'application/zip' }, payload: bomb });
    assert.equal(response.statusCode, 413, response.body);
    assert.match((response.json() as { error: { message: string } }).error.message, /times its size|past the limit/);
  });
});

describe('agent: refused requests are limited and summarized, not logged one by one', () => {
  test('a bounded flood of bad keys writes a handful of log lines and ends in 429', async () => {
    const agent = await testAgent({ ...NO_ENGINE, REFUSAL_LIMIT: '50', LOG_LEVEL: 'info' });
    try {
      const statuses = new Map<number, number>();
      const started = Date.now();
      let sent = 0;
      // Bounded in count and time, whichever ends first.
      while (sent < 3000 && Date.now() - started < 3000) {
        const response = await agent.app.inject({ method: 'GET', url: sent % 3 === 0 ? '/stacks' : '/agent/containers', headers: { 'x-server-key': `wrong-${sent}` } });
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        sent++;
      }
      assert.equal(statuses.get(401), 50, JSON.stringify([...statuses]));
      assert.equal(statuses.get(429), sent - 50);
      const limited = await agent.app.inject({ method: 'GET', url: '/stacks', headers: { 'x-server-key': 'wrong' } });
      assert.equal(limited.statusCode, 429);
      assert.ok(Number(limited.headers['retry-after']) >= 1);
      await agent.app.close();
      const lines = agent.logs.filter((l) => l.msg !== 'agent ready' && !String(l.msg).startsWith('Server listening'));
      assert.ok(lines.length <= 3, `${sent} refused requests wrote ${lines.length} log lines: ${JSON.stringify(lines.slice(0, 5))}`);
      const summary = lines.find((l) => l.msg === 'refused requests from one source');
      assert.ok(summary, JSON.stringify(lines));
      assert.equal((summary.refused as number) + (summary.limited as number), sent + 1);
      assert.ok(!JSON.stringify(agent.logs).includes('wrong-1'), 'presented keys never reach the log');
    } finally {
      await agent.close();
    }
  });

  test('a limited address gets 429 for what it would have been refused, while the right key from it is still served', async () => {
    const agent = await testAgent({ ...NO_ENGINE, REFUSAL_LIMIT: '3', REFUSAL_WINDOW: '3' });
    try {
      const wrong = (remoteAddress = '127.0.0.1') => agent.app.inject({ method: 'GET', url: '/stacks', headers: { 'x-server-key': 'wrong' }, remoteAddress });
      const right = (remoteAddress = '127.0.0.1') => agent.app.inject({ method: 'GET', url: '/docs/json', headers: { 'x-server-key': KEY }, remoteAddress });
      for (let i = 0; i < 3; i++) assert.equal((await wrong()).statusCode, 401);
      assert.equal((await wrong()).statusCode, 429);
      assert.equal((await agent.app.inject({ method: 'GET', url: '/health' })).statusCode, 429, 'no credentials: answered at once');
      assert.equal((await agent.app.inject({ method: 'GET', url: '/nope', headers: { 'x-server-key': KEY } })).statusCode, 429, 'a refusal with the right key counts too');
      assert.equal((await right()).statusCode, 200, 'the owner of the address is not locked out');
      assert.equal((await wrong('10.9.8.7')).statusCode, 401, 'other sources are not limited');
      // An IPv6 /64 is one source: one attacker usually holds all of it.
      for (let i = 0; i < 3; i++) await wrong(`2001:db8:0:1::${i + 1}`);
      assert.equal((await wrong('2001:db8:0:1:ffff::9')).statusCode, 429);
      assert.equal((await wrong('2001:db8:0:2::1')).statusCode, 401);
      await new Promise((resolve) => setTimeout(resolve, 3100));
      assert.equal((await wrong()).statusCode, 401, 'the window ended');
    } finally {
      await agent.close();
    }
  });
});
