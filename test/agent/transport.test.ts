import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Writable } from 'node:stream';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { promisify } from 'node:util';
import { EnrollmentError, ENROLLMENT_FILE, ListenRefused, parseAgentConfig, readEnrollment, startAgent, writeEnrollment, type Enrollment } from '../../src/agent/index.js';
import { parseManagerConfig, servesTls } from '../../src/manager/index.js';
import { CertificateAuthority, certificateSha256, generateKeyPair } from '../../src/pki/index.js';
import { formatEnrollmentToken } from '../../src/contract/index.js';
import { isLoopbackAddress, listenDecision } from '../../src/settings/index.js';
import { ENROLLMENTS_PER_MINUTE } from '../../src/manager/routes/enrollment.js';
import { login, startTestManager, type TestManager } from '../manager/helpers.js';
import { startEnrolledAgent } from './helpers/tls.js';

const run = promisify(execFile);
const CLI = join(process.cwd(), 'bin', 'shipshape.js');
const scratch: string[] = [];
const dir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(d);
  return d;
};
after(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

/** A shipshape command that must fail; its exit code and what it said. */
async function refused(args: string[], env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 });
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
  throw new Error(`shipshape ${args.join(' ')} did not fail`);
}

describe('the listen decision: no plain HTTP off loopback without --insecure', () => {
  test('loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '127.255.255.254', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) assert.equal(isLoopbackAddress(host), true, host);
    for (const host of ['0.0.0.0', '::', '', '10.0.0.1', '192.168.1.10', 'example.com', '127.0.0.256', '128.0.0.1', '::2', 'localhost.example.com']) {
      assert.equal(isLoopbackAddress(host), false, host);
    }
  });

  test('HTTPS anywhere, plain HTTP on loopback, or anywhere only when insecure is said', () => {
    const hint = 'get a certificate';
    assert.deepEqual(listenDecision({ host: '0.0.0.0', tls: true, insecure: false, hint }), { ok: true, scheme: 'https' });
    assert.deepEqual(listenDecision({ host: '127.0.0.1', tls: false, insecure: false, hint }), { ok: true, scheme: 'http' });
    assert.deepEqual(listenDecision({ host: '::1', tls: false, insecure: false, hint }), { ok: true, scheme: 'http' });
    assert.deepEqual(listenDecision({ host: '0.0.0.0', tls: false, insecure: true, hint }), { ok: true, scheme: 'http' });
    for (const host of ['0.0.0.0', '::', '10.1.2.3']) {
      const decision = listenDecision({ host, tls: false, insecure: false, hint });
      assert.equal(decision.ok, false);
      assert.match(decision.ok ? '' : decision.reason, /refusing to serve plain HTTP.*get a certificate.*--insecure/);
    }
  });

  test('the manager: 127.0.0.1 by default, HTTPS by itself on any other address, TLS and INSECURE_HTTP read', () => {
    const defaults = parseManagerConfig({});
    assert.ok(defaults.ok);
    assert.equal(defaults.config.listenHost, '127.0.0.1');
    assert.equal(defaults.config.insecure, false);
    assert.equal(servesTls(defaults.config), false);
    const wide = parseManagerConfig({ HOST: '0.0.0.0' });
    assert.ok(wide.ok && servesTls(wide.config));
    const off = parseManagerConfig({ HOST: '0.0.0.0', TLS: 'off', INSECURE_HTTP: 'true' });
    assert.ok(off.ok && !servesTls(off.config) && off.config.insecure);
    const on = parseManagerConfig({ TLS: 'on', TLS_NAMES: 'manager.example.com, 10.0.0.5' });
    assert.ok(on.ok && servesTls(on.config));
    assert.deepEqual(on.ok ? on.config.tlsNames : [], ['manager.example.com', '10.0.0.5']);
    const bad = parseManagerConfig({ TLS: 'maybe', INSECURE_HTTP: 'perhaps', TLS_CA_CERT: '/nonexistent.pem' });
    assert.ok(!bad.ok);
    assert.deepEqual(bad.ok ? [] : bad.problems.map((p) => p.variable).sort(), ['INSECURE_HTTP', 'TLS', 'TLS_CA_CERT', 'TLS_CA_KEY']);
  });

  test('`shipshape manager` refuses plain HTTP on 0.0.0.0 before it opens anything', async () => {
    const data = dir('shipshape-listen-manager-');
    const result = await refused(['manager', '--host', '0.0.0.0', '--port', '0', '--database', `sqlite:${join(data, 'm.db')}`], { TLS: 'off', HOME: data });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /refusing to serve plain HTTP on 0\.0\.0\.0.*TLS=on.*--insecure/);
    assert.deepEqual(readdirSync(data), [], 'no database was created');
  });

  test('`shipshape agent` that is not enrolled refuses plain HTTP on 0.0.0.0; startAgent does too, and serves loopback aliases', async () => {
    const work = dir('shipshape-listen-agent-');
    const result = await refused(['agent', '--port', '0'], { SERVER_KEY: 'a-server-key-of-good-length', WORK_DIR: work, API_HOST: '0.0.0.0', HOME: work });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /refusing to serve plain HTTP on 0\.0\.0\.0.*--enroll.*--insecure/);

    const env = { SERVER_KEY: 'a-server-key-of-good-length', WORK_DIR: work, API_PORT: '0', DOCKER_SOCKET: `unix://${join(work, 'no-docker.sock')}` };
    const wide = parseAgentConfig({ ...env, API_HOST: '0.0.0.0' });
    assert.ok(wide.ok);
    await assert.rejects(startAgent({ config: wide.config, version: 't', logStream: false }), ListenRefused);
    const alias = parseAgentConfig({ ...env, API_HOST: '127.0.0.2' });
    assert.ok(alias.ok);
    const agent = await startAgent({ config: alias.config, version: 't', logStream: false });
    try {
      assert.match(agent.url, /^http:\/\/127\.0\.0\.2:\d+$/);
      assert.equal((await fetch(`${agent.url}/stacks`, { headers: { 'x-server-key': env.SERVER_KEY } })).status, 200);
    } finally {
      await agent.close();
    }
    const insecure = parseAgentConfig({ ...env, API_HOST: '0.0.0.0', INSECURE_HTTP: 'yes' });
    assert.ok(insecure.ok && insecure.config.insecure);
  });
});

describe('the enrollment file in WORK_DIR', () => {
  const sample = async (): Promise<Enrollment> => {
    const ca = await CertificateAuthority.create('Test CA', generateKeyPair());
    const keys = generateKeyPair();
    return {
      managerUrl: 'https://manager.example.com:8000',
      hostId: 'host-1',
      serverKey: 'k'.repeat(40),
      caCertificate: ca.certificatePem,
      caSha256: ca.sha256,
      certificate: ca.issue({ commonName: 'shipshape-agent:host-1', publicKeyPem: keys.publicKeyPem, use: 'both', days: 1 }),
      privateKey: keys.privateKeyPem,
      heartbeatInterval: 2,
    };
  };

  test('is written owner-only and atomically, and read back as it was', async () => {
    const work = dir('shipshape-enrollment-file-');
    const enrollment = await sample();
    await writeEnrollment(work, enrollment);
    await writeEnrollment(work, { ...enrollment, serverKey: 'n'.repeat(40) });
    assert.equal(statSync(join(work, ENROLLMENT_FILE)).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(work), [ENROLLMENT_FILE], 'no temporary file is left');
    assert.equal(readEnrollment(work)?.serverKey, 'n'.repeat(40));
    assert.equal(readEnrollment(dir('shipshape-enrollment-none-')), undefined);
  });

  test('a file whose CA does not match its pin, or that is damaged, is refused with a clear message', async () => {
    const work = dir('shipshape-enrollment-bad-');
    const enrollment = await sample();
    const other = await CertificateAuthority.create('Other CA', generateKeyPair());
    const cases: [string, RegExp][] = [
      [JSON.stringify({ ...enrollment, caCertificate: other.certificatePem }), /does not match its pin/],
      [JSON.stringify({ ...enrollment, managerUrl: 'http://manager.example.com' }), /https/],
      [JSON.stringify({ ...enrollment, hostId: '' }), /lacks "hostId"/],
      ['{not json', /not valid JSON/],
    ];
    for (const [text, message] of cases) {
      writeFileSync(join(work, ENROLLMENT_FILE), text, { mode: 0o600 });
      assert.throws(() => readEnrollment(work), (err: Error) => err instanceof EnrollmentError && message.test(err.message));
    }
    assert.equal(certificateSha256(enrollment.caCertificate), enrollment.caSha256);
    assert.ok(existsSync(join(work, ENROLLMENT_FILE)));
  });
});

/**
 * The enrollment routes as an attacker meets them: someone holding a token (or only the public CA
 * pin), racing, or reading the manager's files and logs (docs/security.md, "Keys and transport").
 */
describe('enrollment under attack', () => {
  const managers: TestManager[] = [];
  after(async () => {
    for (const m of managers) await m.dispose();
  });
  const lines: string[] = [];
  const managerWithTls = async (databaseUrl?: string, rateLimit = false): Promise<{ manager: TestManager; admin: string }> => {
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const manager = await startTestManager('sqlite', {
      config: { tls: 'on' },
      logger: { level: 'debug', stream: capture },
      ...(databaseUrl ? { databaseUrl } : {}),
      rateLimit,
    });
    managers.push(manager);
    return { manager, admin: await login(manager) };
  };
  const tokenOf = async (manager: TestManager, admin: string): Promise<string> => {
    const res = await manager.app.inject({ method: 'POST', url: '/hosts/enrollment-tokens', headers: { 'x-admin-key': admin }, payload: {} });
    assert.equal(res.statusCode, 201, res.body);
    return (res.json() as { token: string }).token;
  };
  const enrollBody = (token: string, fields: Record<string, unknown> = {}) => ({ token, hostname: 'agent', api_port: 18_500, public_key: generateKeyPair().publicKeyPem, ...fields });

  test('a token holder gets a certificate for its host only: it names no DNS name or address the holder chose', async () => {
    const { manager, admin } = await managerWithTls();
    const res = await manager.app.inject({
      method: 'POST',
      url: '/hosts/enroll',
      payload: enrollBody(await tokenOf(manager, admin), { hostname: 'manager.example.com', ip: '10.9.9.9' }),
    });
    assert.equal(res.statusCode, 201, res.body);
    const certificate = new X509Certificate((res.json() as { certificate: string }).certificate);
    assert.equal(certificate.subjectAltName, undefined, 'no subjectAltName');
    const peer = { subject: { CN: certificate.subject.replace(/^CN=/, '') }, subjectaltname: certificate.subjectAltName } as unknown as PeerCertificate;
    for (const name of ['manager.example.com', '10.9.9.9', 'localhost']) assert.ok(checkServerIdentity(name, peer) instanceof Error, `not valid for ${name}`);
  });

  test('malformed enrollments are 4xx, spend no token and register nothing; an odd host name is only a name', async () => {
    const { manager, admin } = await managerWithTls();
    const token = await tokenOf(manager, admin);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const bodies: unknown[] = [
      enrollBody(token, { public_key: 'not a key' }),
      enrollBody(token, { public_key: weak.publicKey }),
      enrollBody(token, { public_key: privateKey }),
      enrollBody(token, { public_key: 'x'.repeat(5_000) }),
      enrollBody(token, { token: `${token}x` }),
      enrollBody(token, { ip: '10.0.0.1/8' }),
      enrollBody(token, { extra: true }),
      [enrollBody(token)],
      '{"token":',
    ];
    for (const payload of bodies) {
      const res = await manager.app.inject({ method: 'POST', url: '/hosts/enroll', headers: { 'content-type': 'application/json' }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${res.statusCode} ${res.body}`);
    }
    assert.equal((await manager.repo.listHosts()).length, 0, 'nothing registered');
    const res = await manager.app.inject({ method: 'POST', url: '/hosts/enroll', payload: enrollBody(token, { hostname: 'hôte\u0000*,DNS:evil' }) });
    assert.equal(res.statusCode, 201, 'the token was not spent by the refusals');
  });

  test('one token enrolled by many at once: exactly one host', async () => {
    const { manager, admin } = await managerWithTls();
    const token = await tokenOf(manager, admin);
    const before = (await manager.repo.listHosts()).length;
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => manager.app.inject({ method: 'POST', url: '/hosts/enroll', payload: enrollBody(token, { api_port: 18_600 + i }) })),
    );
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [201, 401, 401, 401, 401, 401]);
    assert.equal((await manager.repo.listHosts()).length, before + 1);
  });

  test('without a live token the manager signs nothing: a stranger who knows the public CA pin costs it no signature', async () => {
    const { manager, admin } = await managerWithTls();
    const authority = await manager.context.tls.authority();
    const issue = authority.issue.bind(authority);
    let signed = 0;
    authority.issue = (request) => {
      signed += 1;
      return issue(request);
    };
    const forged = formatEnrollmentToken(randomBytes(32).toString('base64url'), authority.sha256);
    const used = await tokenOf(manager, admin);
    assert.equal((await manager.app.inject({ method: 'POST', url: '/hosts/enroll', payload: enrollBody(used, { api_port: 18_700 }) })).statusCode, 201);
    signed = 0;
    for (const token of [forged, used]) {
      const res = await manager.app.inject({ method: 'POST', url: '/hosts/enroll', payload: enrollBody(token, { api_port: 18_701 }) });
      assert.equal(res.statusCode, 401, res.body);
    }
    assert.equal(signed, 0, 'no certificate was issued for a refused enrollment');
  });

  test('a stranger guessing tokens is slowed down per address, and fills no audit log', async () => {
    const { manager } = await managerWithTls(undefined, true);
    const pin = (await manager.context.tls.authority()).sha256;
    const statuses: number[] = [];
    for (let i = 0; i <= ENROLLMENTS_PER_MINUTE; i++) {
      const guess = formatEnrollmentToken(randomBytes(32).toString('base64url'), pin);
      statuses.push((await manager.app.inject({ method: 'POST', url: '/hosts/enroll', payload: enrollBody(guess) })).statusCode);
    }
    assert.deepEqual(statuses.slice(0, ENROLLMENTS_PER_MINUTE), Array(ENROLLMENTS_PER_MINUTE).fill(401));
    assert.equal(statuses[ENROLLMENTS_PER_MINUTE], 429);
    const denied = (await manager.repo.listAudit({ limit: 1_000 })).filter((e) => e.action === 'host.enroll');
    assert.equal(denied.length, ENROLLMENTS_PER_MINUTE, 'the refused guesses past the limit left no audit entry');
  });

  test("the manager's database, which holds its CA key and signing secret, is readable by its owner only; its logs hold no secret", async () => {
    const data = join(dir('shipshape-manager-files-'), 'data');
    const file = join(data, 'manager.db');
    const { manager, admin } = await managerWithTls(`sqlite:${file}`);
    const token = await tokenOf(manager, admin);
    const res = await manager.app.inject({ method: 'POST', url: '/hosts/enroll', payload: enrollBody(token) });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(statSync(data).mode & 0o077, 0, 'the data folder it made is owner-only');
    for (const name of readdirSync(data)) assert.equal(statSync(join(data, name)).mode & 0o077, 0, `${name} is owner-only`);
    const { server_key } = res.json() as { server_key: string };
    const log = lines.join('');
    const ca = await manager.context.tls.authority();
    const caKey = ca.toStored().key.split('\n')[1]!;
    assert.ok(!JSON.stringify({ ca }).includes(caKey), 'a CA serialized by mistake shows no private key');
    for (const secret of [token.split('.')[1]!, server_key, admin, caKey]) {
      assert.ok(!log.includes(secret), 'no secret in the log');
    }
  });
});

describe('another agent of the same CA poses as the manager', () => {
  test("its certificate chains to the pinned CA but is no manager's: the agent sends it nothing and takes nothing from it", async () => {
    const ca = await CertificateAuthority.create('Test CA', generateKeyPair());
    const own = generateKeyPair();
    const other = generateKeyPair();
    const work = dir('shipshape-agent-spoof-');
    const enrollment: Enrollment = {
      managerUrl: 'https://127.0.0.1:1',
      hostId: 'host-a',
      serverKey: 'k'.repeat(40),
      caCertificate: ca.certificatePem,
      caSha256: ca.sha256,
      certificate: ca.issue({ commonName: 'shipshape-agent:host-a', publicKeyPem: own.publicKeyPem, use: 'both', days: 1 }),
      privateKey: own.privateKeyPem,
      heartbeatInterval: 1,
    };
    // Host B's certificate, as a token holder who enrolled B has it: server use, from the same CA, for 127.0.0.1.
    const otherCert = ca.issue({ commonName: 'shipshape-agent:host-b', publicKeyPem: other.publicKeyPem, names: ['127.0.0.1'], use: 'both', days: 1 });
    let requests = 0;
    const rogue = createHttpsServer({ key: other.privateKeyPem, cert: otherCert }, (_req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ack: true, server_key: 'attacker-chosen-key-0123456789' }));
    });
    await new Promise<void>((resolve) => rogue.listen(0, '127.0.0.1', resolve));
    const agent = await startEnrolledAgent(work, { ...enrollment, managerUrl: `https://127.0.0.1:${(rogue.address() as AddressInfo).port}` }, 100);
    try {
      const deadline = Date.now() + 15_000;
      while (agent.app.agent.heartbeat!.status.consecutiveFailures < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(agent.app.agent.heartbeat!.status.consecutiveFailures >= 3, 'heartbeats to the rogue failed');
      assert.equal(requests, 0, 'no request (and so no key) reached it');
      assert.match(agent.app.agent.heartbeat!.status.lastError ?? '', /not the manager/);
      assert.equal(agent.app.agent.keys.current, enrollment.serverKey);
    } finally {
      await agent.close();
      await new Promise<void>((resolve) => rogue.close(() => resolve()));
    }
  });
});
