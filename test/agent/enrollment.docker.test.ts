import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { enroll, EnrollmentError, ENROLLMENT_FILE, readEnrollment } from '../../src/agent/index.js';
import { formatEnrollmentToken } from '../../src/contract/index.js';
import { HttpAgentClient } from '../../src/manager/index.js';
import { certificateSha256 } from '../../src/pki/index.js';
import { eventually, login, startTestManager, type TestManager } from '../manager/helpers.js';
import { httpsCall, scratchDir, startEnrolledAgent, type EnrolledAgent } from './helpers/tls.js';

/** Short, so that "within one heartbeat interval" is quick to see; assertions leave room for a loaded machine. */
const HEARTBEAT_MS = 400;

/**
 * Enrollment and the life of a host key, end to end: a real manager on HTTPS (its own CA), real
 * agents enrolled with tokens, serving HTTPS on 127.0.0.1 with the real Docker engine, and the
 * manager's own agent client calling them over mutual TLS.
 */
describe('enrollment, key rotation and revocation between a real manager and real agents', () => {
  let manager: TestManager;
  let admin: string;
  let timeShift = 0;
  const dirs: string[] = [];
  const agents: EnrolledAgent[] = [];

  const newToken = async (ttl?: number): Promise<{ token: string; expires_at: string; ca_sha256: string }> => {
    const res = await manager.app.inject({ method: 'POST', url: '/hosts/enrollment-tokens', headers: { 'x-admin-key': admin }, payload: ttl ? { ttl_seconds: ttl } : {} });
    assert.equal(res.statusCode, 201, res.body);
    return res.json();
  };
  const workDir = (name: string) => {
    const dir = scratchDir(`shipshape-enroll-${name}-`);
    dirs.push(dir);
    return dir;
  };
  const hostCount = async () => (await manager.repo.listHosts()).length;
  let managerCredentials: { cert: string; key: string };
  let caPem: string;
  let caSha256: string;
  const managerClient = () => managerCredentials;
  const ca = () => caPem;

  before(async () => {
    manager = await startTestManager('sqlite', { listen: true, monitor: false, config: { tls: 'on', offlineAfter: 3 }, now: () => Date.now() + timeShift });
    assert.match(manager.url!, /^https:\/\//);
    admin = await login(manager);
    managerCredentials = await manager.context.tls.clientCredentials();
    const authority = await manager.context.tls.authority();
    caPem = authority.certificatePem;
    caSha256 = authority.sha256;
  });
  after(async () => {
    for (const agent of agents) await agent.close().catch(() => undefined);
    await manager.dispose();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('an admin gets a one-time token that expires and carries the CA pin; only its hash is stored', async () => {
    assert.equal((await manager.app.inject({ method: 'POST', url: '/hosts/enrollment-tokens', payload: {} })).statusCode, 401);
    const before = Date.now();
    const { token, expires_at, ca_sha256 } = await newToken();
    assert.equal(ca_sha256, certificateSha256(ca()));
    assert.match(token, new RegExp(`^shp1\\.[A-Za-z0-9_-]{43}\\.${ca_sha256}$`));
    const ttl = Date.parse(expires_at) - before;
    assert.ok(ttl > 3_500_000 && ttl <= 3_700_000, `default lifetime one hour, was ${ttl} ms`);
    const secret = token.split('.')[1]!;
    const stored = JSON.stringify(await (manager.repo as unknown as { db: { all: (sql: string) => Promise<unknown[]> } }).db.all('SELECT * FROM enrollment_tokens'));
    assert.ok(!stored.includes(secret), 'the secret is not stored');
    const audit = JSON.stringify(await manager.repo.listAudit({ limit: 50 }));
    assert.ok(!audit.includes(secret), 'nor audited');
  });

  let first: { dir: string; agent: EnrolledAgent; hostId: string };

  test('happy path: the agent registers itself, keeps id, key, certificate and pin in WORK_DIR (0600), and serves HTTPS from WORK_DIR alone', async () => {
    const { token } = await newToken();
    const dir = workDir('first');
    const hostsBefore = await hostCount();
    const enrolled = await enroll({ token, managerUrl: manager.url!, workDir: dir, hostname: 'agent-one', apiPort: 18_003, address: '127.0.0.1' });
    assert.equal(await hostCount(), hostsBefore + 1);
    const file = join(dir, ENROLLMENT_FILE);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const stored = readEnrollment(dir)!;
    assert.deepEqual(stored, enrolled);
    assert.equal(stored.caSha256, caSha256);
    const host = await manager.repo.getHost(stored.hostId);
    assert.equal(host?.hostname, 'agent-one');
    assert.equal(host?.agentCertSha256, certificateSha256(stored.certificate));
    assert.equal(host?.keyHash, (await import('../../src/manager/index.js')).hashKey(stored.serverKey!));

    const agent = await startEnrolledAgent(dir, stored, HEARTBEAT_MS);
    agents.push(agent);
    first = { dir, agent, hostId: stored.hostId };
    await eventually(async () => ((await manager.repo.getHost(stored.hostId))?.status === 'online' ? true : undefined), 15_000, 'the first heartbeat');

    // The manager's own client, over mutual TLS, with the host's key.
    const target = { ip: '127.0.0.1', apiPort: Number(new URL(agent.url).port), serverKey: stored.serverKey!, certSha256: certificateSha256(stored.certificate) };
    const client = new HttpAgentClient({ ca: ca(), ...managerClient() });
    assert.ok(Array.isArray(await client.containers(target, AbortSignal.timeout(15_000))), 'the manager lists the containers over mutual TLS');

    // Another certificate than the one enrolled is refused by the manager, even from the same CA.
    const pinnedWrong = await client.restart({ ...target, certSha256: 'ab'.repeat(32) }, 'x', AbortSignal.timeout(15_000));
    assert.equal(pinnedWrong.ok, false);
    assert.match(pinnedWrong.ok ? '' : pinnedWrong.reason, /certificate other than the one it enrolled with/);
    // Plain HTTP does not reach it at all.
    await assert.rejects(fetch(agent.url.replace('https:', 'http:') + '/health'));
  });

  test('the agent answers the manager only: the key without the manager client certificate, or with an agent\'s, is refused', async () => {
    const stored = readEnrollment(first.dir)!;
    const key = { 'x-server-key': stored.serverKey! };
    assert.equal((await httpsCall(`${first.agent.url}/docs/json`, { ca: ca(), headers: key, client: managerClient() })).status, 200);
    assert.equal((await httpsCall(`${first.agent.url}/docs/json`, { ca: ca(), headers: key })).status, 401);
    const asAgent = { cert: stored.certificate, key: stored.privateKey };
    assert.equal((await httpsCall(`${first.agent.url}/docs/json`, { ca: ca(), headers: key, client: asAgent })).status, 401);
    assert.equal((await httpsCall(`${first.agent.url}/health`, { ca: ca() })).status, 200, 'GET /health stays public');
  });

  test('a used token is refused and changes nothing', async () => {
    const { token } = await newToken();
    await enroll({ token, managerUrl: manager.url!, workDir: workDir('once'), hostname: 'agent-once', apiPort: 18_010, address: '127.0.0.10' });
    const hosts = await hostCount();
    const again = workDir('again');
    await assert.rejects(enroll({ token, managerUrl: manager.url!, workDir: again, hostname: 'agent-again', apiPort: 18_011, address: '127.0.0.11' }), (err: Error) => {
      assert.ok(err instanceof EnrollmentError);
      assert.match(err.message, /HTTP 401.*unknown, used or expired/);
      return true;
    });
    assert.equal(await hostCount(), hosts);
    assert.equal(readEnrollment(again), undefined, 'nothing written');
  });

  test('an expired token is refused and changes nothing', async () => {
    const { token } = await newToken(60);
    timeShift = 61_000;
    try {
      const hosts = await hostCount();
      const dir = workDir('expired');
      await assert.rejects(enroll({ token, managerUrl: manager.url!, workDir: dir, hostname: 'agent-late', apiPort: 18_020, address: '127.0.0.20' }), /HTTP 401/);
      assert.equal(await hostCount(), hosts);
      assert.equal(readEnrollment(dir), undefined);
    } finally {
      timeShift = 0;
    }
    // The refusal did not spend it either: within its lifetime it would still have worked.
    await enroll({ token, managerUrl: manager.url!, workDir: workDir('in-time'), hostname: 'agent-in-time', apiPort: 18_021, address: '127.0.0.21' });
  });

  test('forged and malformed tokens are refused; a token whose pin is not this manager\'s CA never leaves the agent', async () => {
    const hosts = await hostCount();
    const forged = formatEnrollmentToken(randomBytes(32).toString('base64url'), caSha256);
    await assert.rejects(enroll({ token: forged, managerUrl: manager.url!, workDir: workDir('forged'), hostname: 'forger', apiPort: 18_030 }), /HTTP 401/);
    const audits = (await manager.repo.listAudit({ limit: 100, action: 'host.enroll' })).length;
    const { token } = await newToken();
    const wrongPin = `${token.slice(0, token.lastIndexOf('.'))}.${'0'.repeat(64)}`;
    await assert.rejects(enroll({ token: wrongPin, managerUrl: manager.url!, workDir: workDir('pin'), hostname: 'pinned', apiPort: 18_031 }), /does not match the pin.*nothing was sent/);
    assert.equal((await manager.repo.listAudit({ limit: 100, action: 'host.enroll' })).length, audits, 'the manager never saw that enrollment');
    for (const bad of ['', 'shp1.abc.def', `${token}x`, token.replace('shp1', 'shp2')]) {
      await assert.rejects(enroll({ token: bad, managerUrl: manager.url!, workDir: workDir('bad'), hostname: 'bad', apiPort: 18_032 }), /malformed/);
    }
    await assert.rejects(enroll({ token, managerUrl: manager.url!.replace('https:', 'http:'), workDir: workDir('http'), hostname: 'h', apiPort: 18_033 }), /https:\/\//);
    // The route itself refuses them with 401 too, and a key that is no RSA key with 400.
    const direct = await manager.app.inject({ method: 'POST', url: '/hosts/enroll', payload: { token: forged, hostname: 'x', public_key: 'nope' } });
    assert.equal(direct.statusCode, 400);
    assert.equal(await hostCount(), hosts);
    // And the token that was refused for its pin is still good.
    await enroll({ token, managerUrl: manager.url!, workDir: workDir('good'), hostname: 'good', apiPort: 18_034, address: '127.0.0.34' });
  });

  test('a rotated key stops opening the agent within a heartbeat interval; the agent keeps the new key in WORK_DIR', async (t) => {
    const { agent, dir, hostId } = first;
    const oldKey = readEnrollment(dir)!.serverKey!;
    const rotation = await manager.app.inject({ method: 'POST', url: `/hosts/${hostId}/rotate-key`, headers: { 'x-admin-key': admin } });
    assert.equal(rotation.statusCode, 200);
    const newKey = (rotation.json() as { server_key: string }).server_key;
    const rotatedAt = Date.now();
    const call = (key: string) => httpsCall(`${agent.url}/docs/json`, { ca: ca(), headers: { 'x-server-key': key }, client: managerClient() });
    await eventually(async () => ((await call(oldKey)).status === 401 ? true : undefined), 15_000, 'the old key to fail');
    const took = Date.now() - rotatedAt;
    // One interval, plus the time a heartbeat takes on a loaded machine.
    assert.ok(took < HEARTBEAT_MS + 5_000, `the old key failed after ${took} ms`);
    t.diagnostic(`rotated key refused by the agent ${took} ms after the rotation (heartbeat interval ${HEARTBEAT_MS} ms)`);
    assert.equal((await call(newKey)).status, 200);
    const stored = await eventually(() => (readEnrollment(dir)!.serverKey === newKey ? readEnrollment(dir)! : undefined), 5_000, 'the new key in WORK_DIR');
    assert.equal(stored.serverKey, newKey);
    assert.equal(statSync(join(dir, ENROLLMENT_FILE)).mode & 0o777, 0o600);
    assert.ok(!readFileSync(join(dir, ENROLLMENT_FILE), 'utf8').includes(oldKey));
    const handovers = await manager.repo.listAudit({ limit: 10, action: 'host.key-handover' });
    assert.ok(handovers.some((entry) => entry.target === hostId), 'the handover is audited');
    assert.ok(!JSON.stringify(handovers).includes(newKey), 'without the key');
    rotated = { oldKey, newKey };
  });

  let rotated: { oldKey: string; newKey: string };
  let second: { dir: string; agent: EnrolledAgent; hostId: string; key: string };

  test('a deleted host\'s key stops opening its agent within a heartbeat interval, and stays dead after a restart', async (t) => {
    const { token } = await newToken();
    const dir = workDir('doomed');
    const enrolled = await enroll({ token, managerUrl: manager.url!, workDir: dir, hostname: 'agent-doomed', apiPort: 18_040, address: '127.0.0.40' });
    const agent = await startEnrolledAgent(dir, enrolled, HEARTBEAT_MS);
    agents.push(agent);
    const key = enrolled.serverKey!;
    const call = (a: EnrolledAgent) => httpsCall(`${a.url}/docs/json`, { ca: ca(), headers: { 'x-server-key': key }, client: managerClient() });
    assert.equal((await call(agent)).status, 200);
    assert.equal((await manager.app.inject({ method: 'DELETE', url: `/hosts/${enrolled.hostId}`, headers: { 'x-admin-key': admin } })).statusCode, 204);
    const deletedAt = Date.now();
    await eventually(async () => ((await call(agent)).status === 401 ? true : undefined), 15_000, 'the deleted host\'s key to fail');
    const took = Date.now() - deletedAt;
    assert.ok(took < HEARTBEAT_MS + 5_000, `the key failed after ${took} ms`);
    t.diagnostic(`deleted host's key refused by its agent ${took} ms after the delete (heartbeat interval ${HEARTBEAT_MS} ms)`);
    // The key dies in memory first; the file follows a moment later.
    await eventually(() => (readEnrollment(dir)!.serverKey === null ? true : undefined), 5_000, 'the revocation to be kept in WORK_DIR');
    await agent.close();
    const restarted = await startEnrolledAgent(dir, readEnrollment(dir)!, HEARTBEAT_MS);
    agents.push(restarted);
    assert.equal((await call(restarted)).status, 401);
    second = { dir, agent: restarted, hostId: enrolled.hostId, key };
  });

  test('a forged manager can neither revoke nor replace the key: the agent trusts only the pinned CA', async () => {
    const { CertificateAuthority, generateKeyPair, MANAGER_SERVER_CN } = await import('../../src/pki/index.js');
    const { createServer } = await import('node:https');
    const rogueCa = await CertificateAuthority.create('Rogue CA', generateKeyPair());
    const keys = generateKeyPair();
    const cert = rogueCa.issue({ commonName: MANAGER_SERVER_CN, publicKeyPem: keys.publicKeyPem, names: ['127.0.0.1'], use: 'server', days: 1 });
    let beats = 0;
    const rogue = createServer({ key: keys.privateKeyPem, cert }, (req, res) => {
      beats++;
      res.writeHead(410, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: 'gone', revoked: true, server_key: 'attacker-chosen-key-0123456789' }));
    });
    await new Promise<void>((resolve) => rogue.listen(0, '127.0.0.1', resolve));
    const rogueUrl = `https://127.0.0.1:${(rogue.address() as import('node:net').AddressInfo).port}`;
    const { token } = await newToken();
    const dir = workDir('spoofed');
    const enrolled = await enroll({ token, managerUrl: manager.url!, workDir: dir, hostname: 'agent-spoofed', apiPort: 18_050, address: '127.0.0.50' });
    const agent = await startEnrolledAgent(dir, { ...enrolled, managerUrl: rogueUrl }, 100);
    agents.push(agent);
    try {
      await eventually(() => (agent.app.agent.heartbeat!.status.consecutiveFailures >= 3 ? true : undefined), 15_000, 'heartbeats to the rogue manager');
      assert.equal(beats, 0, 'the TLS handshake failed before any request');
      assert.match(agent.app.agent.heartbeat!.status.lastError ?? '', /certificate|CERT|self.signed|verify/i);
      const call = (key: string) => httpsCall(`${agent.url}/docs/json`, { ca: ca(), headers: { 'x-server-key': key }, client: managerClient() });
      assert.equal((await call(enrolled.serverKey!)).status, 200, 'the key still works');
      assert.equal((await call('attacker-chosen-key-0123456789')).status, 401);
      assert.equal(readEnrollment(dir)!.serverKey, enrolled.serverKey);
    } finally {
      await new Promise<void>((resolve) => rogue.close(() => resolve()));
    }
  });

  test('the CLI: `shipshape agent --enroll TOKEN --manager URL` in one process, then `shipshape agent` from WORK_DIR alone; a rotation reaches that process', async () => {
    const { execFile, spawn } = await import('node:child_process');
    const { createServer } = await import('node:net');
    const cli = join(process.cwd(), 'bin', 'shipshape.js');
    const dir = workDir('cli');
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as import('node:net').AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const env = { PATH: process.env.PATH ?? '', HOME: dir, WORK_DIR: dir, API_HOST: '127.0.0.1', API_PORT: String(port), LOG_LEVEL: 'warn' };
    const { token } = await newToken();
    const enrolled = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [cli, 'agent', '--enroll', token, '--manager', manager.url!, '--address', '127.0.0.1'], { env, timeout: 60_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve(stdout),
      ),
    );
    const stored = readEnrollment(dir)!;
    assert.match(enrolled, new RegExp(`Enrolled as host ${stored.hostId} .*sha256 ${caSha256}`));
    const child = spawn(process.execPath, [cli, 'agent'], { env: { ...env, HEARTBEAT_INTERVAL: '0.5' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      await eventually(async () => ((await manager.repo.getHost(stored.hostId))?.status === 'online' ? true : undefined), 30_000, `the agent process's heartbeat (${stderr})`);
      const url = `https://127.0.0.1:${port}`;
      const call = (key: string) => httpsCall(`${url}/stacks`, { ca: ca(), headers: { 'x-server-key': key }, client: managerClient() });
      assert.equal((await call(stored.serverKey!)).status, 200);
      const rotation = await manager.app.inject({ method: 'POST', url: `/hosts/${stored.hostId}/rotate-key`, headers: { 'x-admin-key': admin } });
      const newKey = (rotation.json() as { server_key: string }).server_key;
      await eventually(async () => ((await call(stored.serverKey!)).status === 401 ? true : undefined), 15_000, 'the old key to fail at the agent process');
      assert.equal((await call(newKey)).status, 200);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });

  test('auth matrix at the agent: every route refuses no, wrong, malformed, another host\'s, admin, rotated, deleted and revoked keys', async () => {
    const { agent } = first;
    const doomed = readEnrollment(second.dir)!;
    const { token } = await newToken();
    const other = await enroll({ token, managerUrl: manager.url!, workDir: workDir('other'), hostname: 'agent-other', apiPort: 18_060, address: '127.0.0.60' });
    const credentials: Record<string, Record<string, string>> = {
      'no key': {},
      'wrong key': { 'x-server-key': 'wrong-key-of-a-good-length' },
      'malformed key': { authorization: 'Bearer a b' },
      "another host's key": { 'x-server-key': other.serverKey! },
      'admin key as server key': { 'x-server-key': admin },
      'rotated key': { 'x-server-key': rotated.oldKey },
      'rotated key as bearer': { authorization: `Bearer ${rotated.oldKey}` },
      "deleted host's key": { 'x-server-key': second.key },
    };
    assert.equal(doomed.serverKey, null);
    const failures: string[] = [];
    const routes = agent.routes.filter((r) => !(r.method === 'GET' && r.url === '/health'));
    assert.ok(routes.length >= 25, `${routes.length} routes`);
    for (const route of routes) {
      const url = route.url.replace(':id', 'nothing-here').replace(':name', 'nothing-here').replace('*', 'index.html');
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}';
      for (const [label, headers] of Object.entries(credentials)) {
        const res = await httpsCall(`${agent.url}${url}`, { method: route.method, headers, body, ca: ca(), client: managerClient() });
        if (res.status !== 401) failures.push(`${route.method} ${url} with ${label}: ${res.status}`);
      }
      // The deleted host's own agent, restarted from WORK_DIR: its key is revoked there.
      const revoked = await httpsCall(`${second.agent.url}${url}`, { method: route.method, headers: { 'x-server-key': second.key }, body, ca: ca(), client: managerClient() });
      if (revoked.status !== 401) failures.push(`${route.method} ${url} with the revoked key: ${revoked.status}`);
    }
    assert.deepEqual(failures, []);
    // And the current key still opens it.
    assert.equal((await httpsCall(`${agent.url}/stacks`, { headers: { 'x-server-key': rotated.newKey }, ca: ca(), client: managerClient() })).status, 200);
  });

  test('the heartbeat route: another host\'s certificate is no credential, and without a certificate a deleted host is not told anything', async () => {
    const stored = readEnrollment(first.dir)!;
    const body = JSON.stringify({ cpu: 1, mem: 1, containers: 0 });
    const asFirst = { cert: stored.certificate, key: stored.privateKey };
    // The first agent's certificate and a stale key, sent for another host's id: judged by the key alone.
    const other = await httpsCall(`${manager.url}/hosts/${second.hostId}/heartbeat`, { method: 'POST', body, headers: { 'x-server-key': rotated.oldKey }, ca: ca(), client: asFirst });
    assert.ok([401, 404].includes(other.status), `${other.status} ${other.body}`);
    assert.ok(!other.body.includes('server_key'));
    const own = await httpsCall(`${manager.url}/hosts/${first.hostId}/heartbeat`, { method: 'POST', body, headers: { 'x-server-key': rotated.oldKey }, ca: ca() });
    assert.equal(own.status, 401, 'a stale key without the certificate earns nothing');
    assert.ok(!own.body.includes(rotated.newKey));
  });
});
