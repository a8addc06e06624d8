import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { readZip } from '../../src/manager/index.js';
import {
  ADMIN,
  composeZip,
  eventually,
  freshDatabase,
  heartbeat,
  launch,
  login,
  registerHost,
  startFakeAgent,
  startTestManager,
  type DatabaseKind,
  type FakeAgent,
  type TestManager,
} from './helpers.js';

/** The HTTP API end to end on one database; api.test.ts runs it on SQLite, api.pg.test.ts on PostgreSQL. */
export function defineApiTests(kind: DatabaseKind): void {
  describe(`manager API on ${kind}`, () => {
    let manager: TestManager;
    let adminKey: string;
    let agent: FakeAgent;
    let agentKey: string | undefined;
    let offset = 0;

    before(async () => {
      agent = await startFakeAgent(() => agentKey);
      manager = await startTestManager(kind, { listen: true, now: () => Date.now() + offset, monitor: false });
      adminKey = await login(manager);
    });
    after(async () => {
      await manager.dispose();
      await agent.close();
    });

    const as = (key: string) => ({ 'x-admin-key': key });
    const get = (url: string, key = adminKey) => manager.app.inject({ method: 'GET', url, headers: as(key) });
    const post = (url: string, payload?: object, key = adminKey) => manager.app.inject({ method: 'POST', url, headers: as(key), ...(payload ? { payload } : {}) });
    const createUser = async (role: 'viewer' | 'operator' | 'admin') => {
      const email = `${role}-${Math.random().toString(36).slice(2)}@example.com`;
      const response = await post('/auth/users', { email, password: 'password-1234', role });
      assert.equal(response.statusCode, 201, response.body);
      return { email, password: 'password-1234', id: (response.json() as { id: string }).id };
    };
    /** Registers the fake agent as a host, online, and returns its id. */
    const agentHost = async (max = 10) => {
      await manager.app.inject({ method: 'DELETE', url: `/hosts/${await hostAt(agent.port)}?force=true`, headers: as(adminKey) });
      const host = await registerHost(manager, adminKey, { hostname: 'fake-agent', ip: '127.0.0.1', api_port: agent.port, max_containers: max });
      agentKey = host.server_key;
      assert.equal((await heartbeat(manager, host.id, host.server_key)).statusCode, 200);
      return host;
    };
    const hostAt = async (port: number) => {
      const hosts = (await get('/hosts')).json() as { id: string; api_port: number; ip: string }[];
      return hosts.find((h) => h.ip === '127.0.0.1' && h.api_port === port)?.id ?? 'none';
    };
    const offlineAll = async () => {
      for (const h of (await get('/hosts')).json() as { id: string }[]) {
        await manager.app.inject({ method: 'PATCH', url: `/hosts/${h.id}`, headers: as(adminKey), payload: { max_containers: 1 } });
      }
      await manager.repo.markOffline(Number.MAX_SAFE_INTEGER, Date.now());
    };

    describe('auth', () => {
      it('logs in for a signed admin key with sub, role and jti, and an expiry', async () => {
        const response = await manager.app.inject({ method: 'POST', url: '/auth/login', payload: ADMIN });
        assert.equal(response.statusCode, 200);
        const body = response.json() as { admin_key: string; expires: string; role: string; email: string };
        assert.deepEqual(Object.keys(body).sort(), ['admin_key', 'email', 'expires', 'role']);
        const claims = decodeJwt(body.admin_key);
        assert.equal(claims.role, 'admin');
        assert.equal(typeof claims.sub, 'string');
        assert.match(String(claims.jti), /^[0-9a-f-]{36}$/);
        assert.ok(Date.parse(body.expires) > Date.now() + 86_000_000);
        assert.equal(response.headers['x-request-id'] !== undefined, true);
      });

      it('answers a wrong password and an unknown address alike', async () => {
        for (const payload of [{ email: ADMIN.email, password: 'nope' }, { email: 'nobody@example.com', password: 'nope' }]) {
          const response = await manager.app.inject({ method: 'POST', url: '/auth/login', payload });
          assert.equal(response.statusCode, 401);
          assert.deepEqual(response.json(), { detail: 'Invalid credentials' });
        }
      });

      it('stops a key at once on logout and on rotation; the rotated key works', async () => {
        // A user of its own: rotation revokes every key of the user, the suite's too.
        const key = await login(manager, await createUser('admin'));
        assert.equal((await get('/auth/me', key)).statusCode, 200);
        const rotated = await post('/auth/rotate-key', undefined, key);
        assert.equal(rotated.statusCode, 200);
        const fresh = (rotated.json() as { admin_key: string }).admin_key;
        assert.equal((await get('/auth/me', key)).statusCode, 401);
        assert.deepEqual((await get('/auth/me', key)).json(), { detail: 'Key revoked' });
        assert.equal((await get('/auth/me', fresh)).statusCode, 200);
        assert.equal((await post('/auth/logout', undefined, fresh)).statusCode, 200);
        assert.equal((await get('/auth/me', fresh)).statusCode, 401);
      });

      it('changes a password: the old one fails, other keys end, this key goes on', async () => {
        const user = await createUser('viewer');
        const keyA = await login(manager, user);
        const keyB = await login(manager, user);
        const wrong = await post('/auth/change-password', { current_password: 'not it', new_password: 'another-password' }, keyA);
        assert.equal(wrong.statusCode, 400);
        assert.deepEqual(wrong.json(), { detail: 'Wrong current password' });
        const changed = await post('/auth/change-password', { current_password: user.password, new_password: 'another-password' }, keyA);
        assert.equal(changed.statusCode, 200);
        assert.equal((await get('/auth/me', keyA)).statusCode, 200);
        assert.equal((await get('/auth/me', keyB)).statusCode, 401);
        const old = await manager.app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password: user.password } });
        assert.equal(old.statusCode, 401);
        await login(manager, { email: user.email, password: 'another-password' });
      });

      it('backs off failed logins per account and address: the right password from another address still works', async () => {
        const user = await createUser('operator');
        const from = (address: string, password: string) =>
          manager.app.inject({ method: 'POST', url: '/auth/login', remoteAddress: address, payload: { email: user.email, password } });
        const attacker = '203.0.113.7';
        const startOffset = offset;
        for (let i = 0; i < 5; i++) assert.equal((await from(attacker, 'bad')).statusCode, 401);
        const waiting = await from(attacker, user.password);
        assert.equal(waiting.statusCode, 429, 'the attacker\'s address waits, even with the right password');
        assert.match((waiting.json() as { detail: string }).detail, /failed logins/);
        assert.equal(waiting.headers['retry-after'], '1');
        assert.equal((await from('198.51.100.9', user.password)).statusCode, 200, 'the owner logs in from elsewhere');
        assert.equal((await from('2001:db8:1:2::7', user.password)).statusCode, 200);
        // Each further failure doubles the wait.
        const waits: number[] = [];
        for (let i = 0; i < 4; i++) {
          offset += Number((await from(attacker, user.password)).headers['retry-after'] ?? 0) * 1000;
          assert.equal((await from(attacker, 'bad')).statusCode, 401);
          waits.push(Number((await from(attacker, 'bad')).headers['retry-after']));
        }
        assert.deepEqual(waits, [2, 4, 8, 16]);
        const audit = (await get('/audit?action=auth.backoff')).json() as { actor: string; outcome: string; ip: string }[];
        assert.ok(audit.some((e) => e.actor === user.email && e.outcome === 'failed' && e.ip === attacker));
        offset += 901_000;
        try {
          assert.equal((await from(attacker, user.password)).statusCode, 200, 'the wait ends');
        } finally {
          offset = startOffset;
        }
      });

      it('rate-limits logins per client address', async () => {
        const limited = await startTestManager(kind, { rateLimit: true, config: { loginRateLimit: 3 }, monitor: false });
        try {
          const codes: number[] = [];
          for (let i = 0; i < 4; i++) {
            codes.push((await limited.app.inject({ method: 'POST', url: '/auth/login', payload: { email: ADMIN.email, password: 'bad' } })).statusCode);
          }
          assert.deepEqual(codes, [401, 401, 401, 429]);
          const last = await limited.app.inject({ method: 'POST', url: '/auth/login', payload: ADMIN });
          assert.equal(last.statusCode, 429);
          assert.match((last.json() as { detail: string }).detail, /Too many requests/);
        } finally {
          await limited.dispose();
        }
      });

      it('gives each role its routes', async () => {
        const viewer = await login(manager, await createUser('viewer'));
        const operator = await login(manager, await createUser('operator'));
        assert.equal((await get('/hosts', viewer)).statusCode, 200);
        assert.equal((await get('/deployments', viewer)).statusCode, 200);
        const denied = await post('/hosts', { hostname: 'x', ip: '10.1.1.1', max_containers: 1 }, viewer);
        assert.equal(denied.statusCode, 403);
        assert.deepEqual(denied.json(), { detail: 'Requires the admin role' });
        assert.equal((await post('/hosts', { hostname: 'x', ip: '10.1.1.1', max_containers: 1 }, operator)).statusCode, 403);
        assert.equal((await get('/audit', operator)).statusCode, 403);
        assert.equal((await get('/auth/users', operator)).statusCode, 403);
        assert.equal((await post('/deployments', { compose: 'services: {}' }, viewer)).statusCode, 403);
        const me = (await get('/auth/me')).json() as { id: string };
        const self = await manager.app.inject({ method: 'DELETE', url: `/auth/users/${me.id}`, headers: as(adminKey) });
        assert.equal(self.statusCode, 400);
      });

      it('keeps the last admin an admin', async () => {
        const alone = await startTestManager(kind, { monitor: false });
        try {
          const key = await login(alone);
          const me = (await alone.app.inject({ method: 'GET', url: '/auth/me', headers: as(key) })).json() as { id: string };
          const demote = await alone.app.inject({ method: 'PATCH', url: `/auth/users/${me.id}`, headers: as(key), payload: { role: 'viewer' } });
          assert.equal(demote.statusCode, 409);
          assert.equal((await alone.app.inject({ method: 'GET', url: '/auth/me', headers: as(key) })).statusCode, 200);
        } finally {
          await alone.dispose();
        }
      });

      it('sets a session cookie that works for reads and needs the CSRF header for writes', async () => {
        const response = await manager.app.inject({ method: 'POST', url: '/auth/login', payload: { ...ADMIN, session: true } });
        const cookie = String(response.headers['set-cookie']);
        assert.match(cookie, /shipshape_session=[^;]+; Max-Age=86400; Path=\/; HttpOnly; SameSite=Strict/);
        const session = cookie.split(';')[0]!;
        assert.equal((await manager.app.inject({ method: 'GET', url: '/auth/me', headers: { cookie: session } })).statusCode, 200);
        const write = await manager.app.inject({ method: 'POST', url: '/auth/rotate-key', headers: { cookie: session } });
        assert.equal(write.statusCode, 403);
        const allowed = await manager.app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie: session, 'x-shipshape-csrf': '1' } });
        assert.equal(allowed.statusCode, 200);
        assert.equal((await manager.app.inject({ method: 'GET', url: '/auth/me', headers: { cookie: session } })).statusCode, 401);
      });
    });

    describe('hosts', () => {
      it('registers a host with a server key for it, with and without a trailing slash', async () => {
        const response = await manager.app.inject({
          method: 'POST',
          url: '/hosts/',
          headers: as(adminKey),
          payload: { hostname: 'host-01', ip: '192.0.2.10', ssh_port: 22, api_port: 8003, max_containers: 10 },
        });
        assert.equal(response.statusCode, 201);
        const body = response.json() as { id: string; host_id: string; server_key: string };
        assert.deepEqual(Object.keys(body).sort(), ['host_id', 'id', 'server_key']);
        assert.equal(body.id, body.host_id);
        assert.equal(decodeJwt(body.server_key).sub, body.id);
        for (const url of [`/hosts/${body.id}`, `/hosts/${body.id}/`]) {
          const one = await get(url);
          assert.equal(one.statusCode, 200, url);
          assert.equal((one.json() as { hostname: string }).hostname, 'host-01');
        }
        const listed = (await get('/hosts/')).json() as { id: string; status: string; healthiness: string; api_port: number }[];
        const mine = listed.find((h) => h.id === body.id);
        assert.deepEqual([mine?.status, mine?.healthiness, mine?.api_port], ['offline', 'offline', 8003]);
        assert.equal((await post('/hosts', { hostname: 'again', ip: '192.0.2.10', api_port: 8003, max_containers: 1 })).statusCode, 409);
      });

      it('takes heartbeats with the host’s own key only, and reports health as machine-lab did', async () => {
        const a = await registerHost(manager, adminKey);
        const b = await registerHost(manager, adminKey);
        const other = await heartbeat(manager, a.id, b.server_key);
        assert.equal(other.statusCode, 401);
        assert.deepEqual(other.json(), { detail: 'Server key revoked or invalid' });
        const own = await heartbeat(manager, a.id, a.server_key, { cpu: 80, mem: 10, containers: 2, disk: 40, load: 1.5, docker_ok: true, agent_version: '0.1.0', future_field: 1 });
        assert.equal(own.statusCode, 200);
        assert.deepEqual(own.json(), { ack: true });
        const status = (await get(`/hosts/${a.id}/status`)).json() as Record<string, unknown>;
        assert.deepEqual(
          { status: status.status, healthiness: status.healthiness, cpu: status.cpu_percent, containers: status.current_containers },
          { status: 'online', healthiness: 'warning', cpu: 80, containers: 2 },
        );
        await heartbeat(manager, a.id, a.server_key, { mem: 90 });
        assert.equal(((await get(`/hosts/${a.id}`)).json() as { healthiness: string }).healthiness, 'critical');
        await heartbeat(manager, a.id, a.server_key);
        assert.equal(((await get(`/hosts/${a.id}`)).json() as { healthiness: string }).healthiness, 'healthy');
      });

      it('rotates a server key: the old one stops at once', async () => {
        const host = await registerHost(manager, adminKey);
        const rotated = await post(`/hosts/${host.id}/rotate-key`);
        assert.equal(rotated.statusCode, 200);
        const fresh = (rotated.json() as { server_key: string }).server_key;
        assert.notEqual(fresh, host.server_key);
        assert.equal((await heartbeat(manager, host.id, host.server_key)).statusCode, 401);
        assert.equal((await heartbeat(manager, host.id, fresh)).statusCode, 200);
      });

      it('patches and deletes hosts; a deleted host’s heartbeats are refused', async () => {
        const host = await registerHost(manager, adminKey);
        const patched = await manager.app.inject({ method: 'PATCH', url: `/hosts/${host.id}/`, headers: as(adminKey), payload: { hostname: 'renamed', max_containers: 3 } });
        assert.equal(patched.statusCode, 200);
        assert.deepEqual([(patched.json() as { hostname: string }).hostname, (patched.json() as { max_containers: number }).max_containers], ['renamed', 3]);
        const removed = await manager.app.inject({ method: 'DELETE', url: `/hosts/${host.id}`, headers: as(adminKey) });
        assert.equal(removed.statusCode, 204);
        assert.equal(removed.body, '');
        assert.deepEqual((await get(`/hosts/${host.id}`)).json(), { detail: 'Host not found' });
        assert.equal((await heartbeat(manager, host.id, host.server_key)).statusCode, 401);
      });
    });

    describe('deployments', () => {
      it('launches a ZIP on the agent and tracks it to running, then restarts and deletes it through the agent', async () => {
        await offlineAll();
        const host = await agentHost();
        agent.mode = 'ok';
        agent.calls.length = 0;
        const response = await launch(manager, adminKey, composeZip(), 'user-42');
        assert.equal(response.statusCode, 202, response.body);
        const { id, host_id } = response.json() as { id: string; host_id: string };
        assert.equal(host_id, host.id);
        const running = await eventually(async () => {
          const d = (await get(`/containers/${id}`)).json() as { state: string };
          return d.state === 'running' ? d : undefined;
        }, 5_000, 'running');
        assert.deepEqual(
          [running.state, (running as { user_id?: string }).user_id, (running as { agent_response?: unknown }).agent_response],
          ['running', 'user-42', { name: id, status: 'started' }],
        );
        assert.ok(Array.isArray((running as { findings?: unknown }).findings));
        const call = agent.calls.find((c) => c.method === 'POST' && c.url === '/agent/containers');
        assert.equal(call?.serverKey, host.server_key, 'the manager presents the host’s own key');
        const sent = call?.body as { name: string; docker_zip_base64: string };
        assert.equal(sent.name, id);
        assert.deepEqual((await readZip(Buffer.from(sent.docker_zip_base64, 'base64'), { maxEntries: 10, maxExpandedBytes: 1e6 })).map((e) => e.path), ['compose.yaml']);
        assert.equal(((await get(`/hosts/${host.id}`)).json() as { deployments: number }).deployments, 1);

        const restarted = await post(`/containers/${id}/restart`);
        assert.equal(restarted.statusCode, 200);
        assert.deepEqual(restarted.json(), { detail: 'Container restarted successfully' });
        assert.ok(agent.calls.some((c) => c.url === `/agent/containers/${id}/restart`));

        const deleted = await manager.app.inject({ method: 'DELETE', url: `/containers/${id}/`, headers: as(adminKey) });
        assert.equal(deleted.statusCode, 200);
        assert.equal(agent.running.has(id), false);
        assert.equal((await get(`/containers/${id}`)).statusCode, 404);
        assert.equal(((await get(`/hosts/${host.id}`)).json() as { deployments: number }).deployments, 0);
      });

      it('deploys a compose file and its files, with the analyzer’s findings attached', async () => {
        await offlineAll();
        await agentHost();
        agent.mode = 'ok';
        const response = await post('/deployments', {
          name: 'web-stack',
          compose: 'services:\n  web:\n    build: .\n    ports:\n      - "8080:80"\n',
          files: { Dockerfile: 'FROM nginx:1.27-alpine\n', 'site/index.html': '<h1>hi</h1>' },
        });
        assert.equal(response.statusCode, 202, response.body);
        const created = response.json() as { id: string; name: string; state: string; findings: { rule: string; file: string }[] };
        assert.equal(created.name, 'web-stack');
        assert.equal(created.state, 'pending');
        assert.ok(created.findings.some((f) => f.rule === 'missing-healthcheck'), JSON.stringify(created.findings.map((f) => f.rule)));
        await eventually(async () => (((await get(`/deployments/${created.id}`)).json() as { state: string }).state === 'running' ? true : undefined));
        const zip = (agent.calls.at(-1)?.body as { docker_zip_base64: string }).docker_zip_base64;
        const files = await readZip(Buffer.from(zip, 'base64'), { maxEntries: 10, maxExpandedBytes: 1e6 });
        assert.deepEqual(files.map((f) => f.path).sort(), ['Dockerfile', 'compose.yaml', 'site/index.html']);
        const duplicate = await post('/deployments', { name: 'web-stack', compose: 'services:\n  a:\n    image: nginx:1.27\n' });
        assert.equal(duplicate.statusCode, 409);
        assert.equal((await manager.app.inject({ method: 'DELETE', url: `/deployments/${created.id}`, headers: as(adminKey) })).statusCode, 204);
      });

      it('refuses a package the analysis gate stops, before placing it', async () => {
        await offlineAll();
        const host = await agentHost();
        const before = ((await get('/deployments')).json() as unknown[]).length;
        const refused = await post('/deployments', { compose: 'services:\n  bad:\n    image: alpine:3.20\n    privileged: true\n' });
        assert.equal(refused.statusCode, 422);
        const error = (refused.json() as { error: { code: string; details: { findings: { rule: string; severity: string }[] } } }).error;
        assert.ok(error.details.findings.some((f) => f.rule === 'privileged' && f.severity === 'critical'));
        const compat = await launch(manager, adminKey, composeZip('services:\n  bad:\n    image: alpine:3.20\n    privileged: true\n'));
        assert.equal(compat.statusCode, 422);
        assert.match((compat.json() as { detail: string }).detail, /the deploy policy refuses 1 finding\(s\) \(gate high; host-reaching rules at any severity\): privileged/);
        assert.equal(((await get('/deployments')).json() as unknown[]).length, before);
        assert.equal(((await get(`/hosts/${host.id}`)).json() as { deployments: number }).deployments, 0);
      });

      it('records the agent’s refusal as failed and gives the slot back', async () => {
        await offlineAll();
        const host = await agentHost(1);
        agent.mode = 'fail';
        try {
          const response = await launch(manager, adminKey);
          assert.equal(response.statusCode, 202);
          const { id } = response.json() as { id: string };
          const failed = await eventually(async () => {
            const d = (await get(`/containers/${id}`)).json() as { state: string; reason: string };
            return d.state === 'failed' ? d : undefined;
          });
          assert.match(failed.reason, /HTTP 500: 'docker compose up' failed/);
          assert.equal(((await get(`/hosts/${host.id}`)).json() as { deployments: number }).deployments, 0);
          agent.mode = 'ok';
          assert.equal((await launch(manager, adminKey)).statusCode, 202, 'the slot is free again');
        } finally {
          agent.mode = 'ok';
        }
      });

      it('answers 503 when no online host has room', async () => {
        await offlineAll();
        const compat = await launch(manager, adminKey);
        assert.equal(compat.statusCode, 503);
        assert.deepEqual(compat.json(), { detail: 'No available host' });
        const own = await post('/deployments', { compose: 'services:\n  a:\n    image: nginx:1.27\n' });
        assert.equal(own.statusCode, 503);
        assert.equal((own.json() as { error: { code: string } }).error.code, 'no_capacity');
      });
    });

    it('streams host and deployment events to /events', async () => {
      await offlineAll();
      const events: { type: string; data: Record<string, unknown> }[] = [];
      const stream = await openEvents(`${manager.url}/events`, adminKey, (type, data) => events.push({ type, data }));
      try {
        const host = await agentHost();
        const response = await launch(manager, adminKey);
        const { id } = response.json() as { id: string };
        await eventually(() => (events.some((e) => e.type === 'deployment.state' && e.data.deployment_id === id && e.data.state === 'running') ? true : undefined));
        assert.ok(events.some((e) => e.type === 'host.online' && e.data.host_id === host.id));
        assert.ok(events.some((e) => e.type === 'host.heartbeat' && e.data.host_id === host.id));
        assert.deepEqual(
          events.filter((e) => e.type === 'deployment.state' && e.data.deployment_id === id).map((e) => e.data.state),
          ['pending', 'deploying', 'running'],
        );
      } finally {
        stream.close();
      }
    });

    it('keeps an audit log of who did what, from where', async () => {
      const host = await registerHost(manager, adminKey, { hostname: 'audited' });
      const entries = (await get('/audit?limit=50')).json() as { id: string; action: string; target: string; actor: string; ip: string; request_id: string; outcome: string }[];
      const entry = entries.find((e) => e.action === 'host.register' && e.target === host.id);
      assert.equal(entry?.actor, ADMIN.email);
      assert.equal(entry?.outcome, 'ok');
      assert.equal(entry?.ip, '127.0.0.1');
      assert.ok(entry?.request_id);
      const page = (await get(`/audit?limit=1&before=${encodeURIComponent(entries[0]!.id)}`)).json() as unknown[];
      assert.equal(page.length, 1);
    });

    it('exposes Prometheus metrics, health and the OpenAPI document', async () => {
      const metrics = await manager.app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(metrics.statusCode, 200);
      for (const name of [
        'shipshape_manager_hosts{status="online"}',
        'shipshape_manager_deployments{state="running"}',
        'shipshape_manager_heartbeats_total{outcome="accepted"}',
        'shipshape_manager_heartbeat_lag_seconds',
        'shipshape_manager_http_request_duration_seconds_bucket',
      ]) {
        assert.ok(metrics.body.includes(name), name);
      }
      assert.deepEqual((await manager.app.inject({ method: 'GET', url: '/health' })).json(), { status: 'ok', version: '0.0.0', database: kind });
      const docs = (await manager.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, unknown>; components: { securitySchemes: Record<string, unknown> } };
      assert.ok(docs.paths['/hosts/{id}/heartbeat']);
      assert.deepEqual(Object.keys(docs.components.securitySchemes).sort(), ['AdminKey', 'ServerKey', 'Session']);
      const unknown = await manager.app.inject({ method: 'GET', url: '/nope' });
      assert.equal(unknown.statusCode, 404);
      assert.deepEqual(unknown.json(), { error: { code: 'not_found', message: 'no route GET /nope' } });
    });
  });

  describe(`manager restart on ${kind}`, () => {
    it('settles a machine-lab agent\'s deployments in flight once AGENT_TIMEOUT has passed: running if it runs them, failed if not', async () => {
      const database = await freshDatabase(kind);
      let key: string | undefined;
      const agent = await startFakeAgent(() => key);
      try {
        const first = await startTestManager(kind, { databaseUrl: database.url, monitor: false, deploymentLeaseMs: 300 });
        const admin = await login(first);
        const host = await registerHost(first, admin, { ip: '127.0.0.1', api_port: agent.port, max_containers: 5 });
        key = host.server_key;
        await heartbeat(first, host.id, host.server_key);
        agent.mode = 'hang';
        const kept = (await launch(first, admin)).json() as { id: string };
        const lost = (await launch(first, admin)).json() as { id: string };
        await eventually(() => (agent.calls.filter((c) => c.method === 'POST').length === 2 ? true : undefined));
        await first.app.close();

        // The agent finished one of the two while no manager was listening.
        agent.running.add(kept.id);
        const second = await startTestManager(kind, { databaseUrl: database.url, reconcileEveryMs: 50, config: { monitorInterval: 0.05, agentTimeout: 1 } });
        try {
          const state = async (id: string) => ((await second.repo.getDeployment(id))?.state);
          await eventually(async () => ((await state(kept.id)) === 'running' && (await state(lost.id)) === 'failed' ? true : undefined), 10_000, 'reconciliation');
          assert.match((await second.repo.getDeployment(lost.id))?.reason ?? '', /its agent runs none of its containers/);
          assert.equal((await second.repo.getHost(host.id))?.activeDeployments, 1);
        } finally {
          await second.app.close();
        }
      } finally {
        await agent.close();
        await database.drop();
      }
    });
  });
}

/** Reads a server-sent event stream; `close` ends it. */
export function openEvents(url: string, adminKey: string, onEvent: (type: string, data: Record<string, unknown>) => void): Promise<{ close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { 'x-admin-key': adminKey, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`GET /events answered ${res.statusCode}`));
        return;
      }
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (type && data) onEvent(type, JSON.parse(data) as Record<string, unknown>);
        }
      });
      resolve({ close: () => req.destroy() });
    });
    req.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
    });
    req.end();
  });
}
