import assert from 'node:assert/strict';
import { get as httpGet, type ClientRequest, type IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ADMIN, heartbeat, login, registerHost, startTestManager, type TestManager } from './helpers.js';

/** A pino destination that keeps every line. */
function lineSink(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { stream, lines };
}

describe('manager abuse limits', () => {
  let manager: TestManager;
  let adminKey: string;
  before(async () => {
    manager = await startTestManager('sqlite', { monitor: false });
    adminKey = await login(manager);
  });
  after(() => manager.dispose());

  it('answers malformed multipart with 400', async () => {
    const boundary = 'xYzBoundary';
    const body = (parts: string) => Buffer.from(parts.replaceAll('\n', '\r\n').replaceAll('BOUNDARY', boundary), 'latin1');
    const withBoundary = `multipart/form-data; boundary=${boundary}`;
    const cases: [string, Buffer, string][] = [
      ['cut short', body('--BOUNDARY\nContent-Disposition: form-data; name="file"; filename="p.zip"\nContent-Type: application/zip\n\nPK\u0003\u0004 and then nothing'), withBoundary],
      ['garbled part header', body('--BOUNDARY\nthis is not a header\n\n\n--BOUNDARY--\n'), withBoundary],
      ['no boundary', Buffer.from('--x\r\n\r\n'), 'multipart/form-data'],
      ['no parts', body('--BOUNDARY--\n'), withBoundary],
      ['another field', body('--BOUNDARY\nContent-Disposition: form-data; name="other"; filename="p.zip"\n\nPK\n--BOUNDARY--\n'), withBoundary],
      ['too many parts', body('--BOUNDARY\nContent-Disposition: form-data; name="a"\n\n1\n'.repeat(30) + '--BOUNDARY--\n'), withBoundary],
    ];
    for (const [what, payload, contentType] of cases) {
      const response = await manager.app.inject({
        method: 'POST',
        url: '/containers/launch?user_id=u',
        headers: { 'x-admin-key': adminKey, 'content-type': contentType },
        payload,
      });
      assert.ok(response.statusCode === 400 || response.statusCode === 413, `${what}: ${response.statusCode} ${response.body}`);
      assert.equal(typeof (response.json() as { detail: unknown }).detail, 'string', what);
    }
    assert.deepEqual(await manager.repo.listDeployments(), []);
  });

  it('answers a heartbeat for an unknown host exactly as one with a wrong key', async () => {
    const host = await registerHost(manager, adminKey);
    const other = await registerHost(manager, adminKey);
    const unknown = await heartbeat(manager, '3f1e2d4c-0000-4000-8000-000000000000', host.server_key);
    const wrongKey = await heartbeat(manager, host.id, other.server_key);
    const garbage = await heartbeat(manager, host.id, 'not-a-key-at-all');
    for (const response of [unknown, wrongKey, garbage]) {
      assert.equal(response.statusCode, 401);
      assert.equal(response.body, unknown.body);
    }
    assert.equal((await heartbeat(manager, host.id, host.server_key)).statusCode, 200);
  });

  it('keeps the audit log within its retention and count', async () => {
    let offset = 0;
    const aged = await startTestManager('sqlite', { monitor: false, now: () => Date.now() + offset, config: { auditRetentionDays: 1, auditMaxEntries: 10 } });
    try {
      const { audit } = aged.context;
      offset = -3 * 86_400_000;
      for (let i = 0; i < 5; i++) await audit.record(undefined, { action: 'test.old', actor: 'a@example.com' });
      offset = 0;
      for (let i = 0; i < 20; i++) await audit.record(undefined, { action: 'test.new', actor: 'a@example.com' });
      assert.ok((await audit.prune()) >= 15);
      const left = await aged.repo.listAudit({ limit: 1000 });
      assert.equal(left.length, 10);
      assert.ok(left.every((e) => e.action === 'test.new'));
    } finally {
      await aged.dispose();
    }
  });

  it('throttles refused and failed audit entries per actor, and says how many it left out', async () => {
    const throttled = await startTestManager('sqlite', { monitor: false, config: { auditRateLimit: 5 } });
    try {
      const { audit } = throttled.context;
      for (let i = 0; i < 12; i++) await audit.record(undefined, { action: 'auth.login', actor: 'guesser@example.com', outcome: 'failed' });
      for (let i = 0; i < 3; i++) await audit.record(undefined, { action: 'host.update', actor: 'guesser@example.com' });
      for (let i = 0; i < 2; i++) await audit.record(undefined, { action: 'auth.login', actor: 'someone@example.com', outcome: 'failed' });
      await audit.stop();
      const entries = await throttled.repo.listAudit({ limit: 1000 });
      assert.equal(entries.filter((e) => e.actor === 'guesser@example.com' && e.action === 'auth.login').length, 5);
      assert.equal(entries.filter((e) => e.action === 'host.update').length, 3, 'successful actions are always written');
      assert.equal(entries.filter((e) => e.actor === 'someone@example.com').length, 2);
      const summary = entries.find((e) => e.action === 'audit.suppressed');
      assert.equal(summary?.actor, 'guesser@example.com');
      assert.deepEqual(JSON.parse(summary?.details ?? '{}').actions, { 'auth.login': 7 });

      // Failed logins are throttled by the client address, whatever e-mail each one gives.
      const sprayer = await startTestManager('sqlite', { monitor: false, config: { auditRateLimit: 5 } });
      try {
        for (let i = 0; i < 9; i++) {
          const response = await sprayer.app.inject({ method: 'POST', url: '/auth/login', remoteAddress: '192.0.2.77', payload: { email: `user${i}@example.com`, password: 'guess' } });
          assert.equal(response.statusCode, 401);
        }
        await sprayer.context.audit.stop();
        const logged = await sprayer.repo.listAudit({ limit: 1000 });
        assert.equal(logged.filter((e) => e.action === 'auth.login' && e.ip === '192.0.2.77').length, 5);
        const sprayed = logged.find((e) => e.action === 'audit.suppressed');
        assert.equal(sprayed?.ip, '192.0.2.77');
        assert.equal(sprayed?.actor, null);
        assert.equal(JSON.parse(sprayed?.details ?? '{}').count, 4);
      } finally {
        await sprayer.dispose();
      }
    } finally {
      await throttled.dispose();
    }
  });
});

describe('manager: refused requests are limited and summarized', () => {
  it('a bounded flood of bad keys writes a handful of log lines, counted from the pino destination', async () => {
    const sink = lineSink();
    const flooded = await startTestManager('sqlite', { monitor: false, rateLimit: true, logger: { stream: sink.stream, level: 'info' }, config: { refusalLimit: 50, logLevel: 'info' } });
    try {
      const host = await registerHost(flooded, await login(flooded));
      const before = sink.lines.length;
      let sent = 0;
      const statuses = new Map<number, number>();
      const started = Date.now();
      while (sent < 3000 && Date.now() - started < 3000) {
        const response = await flooded.app.inject({
          method: sent % 2 === 0 ? 'GET' : 'POST',
          url: sent % 2 === 0 ? '/hosts' : `/hosts/${host.id}/heartbeat`,
          headers: { 'x-admin-key': `wrong-${sent}`, 'x-server-key': `wrong-${sent}` },
          ...(sent % 2 === 0 ? {} : { payload: { cpu: 1, mem: 1, containers: 0 } }),
          remoteAddress: '198.51.100.23',
        });
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        sent++;
      }
      assert.equal(statuses.get(401), 50, JSON.stringify([...statuses]));
      assert.equal(statuses.get(429), sent - 50);
      assert.equal((await flooded.app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'other addresses are served');
      await flooded.app.close();
      const lines = sink.lines.slice(before).filter((l) => l.msg !== 'request completed' || l.statusCode !== 200);
      assert.ok(lines.length <= 4, `${sent} refused requests wrote ${lines.length} lines: ${JSON.stringify(lines.slice(0, 6))}`);
      const summary = lines.find((l) => l.msg === 'refused requests from one source');
      assert.ok(summary, JSON.stringify(lines));
      assert.equal((summary.refused as number) + (summary.limited as number), sent);
      assert.ok(!JSON.stringify(sink.lines).includes('wrong-1'), 'presented keys never reach the log');
    } finally {
      await flooded.dispose();
    }
  });
});

describe('manager: event streams per user', () => {
  it('caps the open GET /events streams of one user, and frees a place when one closes', async () => {
    const manager = await startTestManager('sqlite', { monitor: false, listen: true, config: { eventStreamsPerUser: 2 } });
    const open: ClientRequest[] = [];
    const connect = (key: string) =>
      new Promise<{ request: ClientRequest; response: IncomingMessage }>((resolve, reject) => {
        const request = httpGet(`${manager.url}/events`, { headers: { 'x-admin-key': key } }, (response) => resolve({ request, response }));
        request.on('error', reject);
        open.push(request);
      });
    try {
      const key = await login(manager);
      const first = await connect(key);
      const second = await connect(key);
      assert.deepEqual([first.response.statusCode, second.response.statusCode], [200, 200]);
      const third = await connect(key);
      assert.equal(third.response.statusCode, 429);
      third.response.resume();
      const viewerKey = await login(manager, ADMIN);
      assert.equal((await connect(viewerKey)).response.statusCode, 429, 'the cap is per user, whatever key they use');
      first.request.destroy();
      const deadline = Date.now() + 5000;
      let again = 429;
      while (again === 429 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const attempt = await connect(key);
        again = attempt.response.statusCode ?? 0;
        if (again === 429) attempt.response.resume();
      }
      assert.equal(again, 200);
    } finally {
      for (const request of open) request.destroy();
      await manager.dispose();
    }
  });
});
