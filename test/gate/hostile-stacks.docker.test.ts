import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAgentConfig, startAgent, type RunningAgent } from '../../src/agent/index.js';
import { createDockerClient } from '../../src/docker/index.js';
import { makeTar } from '../agent/helpers/archives.js';
import { ensureTestImage, TEST_IMAGE } from '../helpers/test-image.js';
import { eventually, login, rawZip, registerHost, startTestManager, type TestManager } from '../manager/helpers.js';
import { fixtureStacks, type FixtureStack } from './fixture-stacks.js';
import { freePort } from '../helpers/ports.js';

// The hostile-stack suite (docs/security.md, "The deploy gate"): every stack of
// test/fixtures/hostile is refused by the agent (POST /stacks) and the manager (POST /deployments)
// with nothing created; every stack of test/fixtures/ordinary is accepted and runs. On the real engine.
const docker = createDockerClient();
const PROJECT = 'com.docker.compose.project';
const canary = mkdtempSync(join(tmpdir(), 'shipshape-canary-'));
const fill = { IMAGE: TEST_IMAGE, CANARY: canary };
const hostile = fixtureStacks('hostile', fill);
const ordinary = fixtureStacks('ordinary', fill);
const run = Math.random().toString(36).slice(2, 7);

let manager: TestManager;
let agent: RunningAgent;
let agentUrl: string;
let workDir: string;
let operatorKey: string;
/** The key the manager issued to the suite's host. */
let agentKey: string;
const made = new Set<string>();

async function byLabel(name: string) {
  const label = { label: [`${PROJECT}=${name}`] };
  const [containers, networks, volumes] = await Promise.all([
    docker.containers.list({ all: true, filters: label }),
    docker.networks.list({ filters: label }),
    docker.volumes.list({ filters: label }),
  ]);
  return { containers, networks, volumes };
}

async function assertNothingCreated(name: string) {
  const left = await byLabel(name);
  assert.deepEqual([left.containers.length, left.networks.length, left.volumes.length], [0, 0, 0], `${name}: nothing is created`);
  assert.equal(existsSync(join(workDir, 'stacks', name)), false, `${name}: its folder is gone`);
}

const agentCall = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(`${agentUrl}${path}`, {
    method,
    headers: { 'x-server-key': agentKey, ...(body === undefined || body instanceof Uint8Array ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : body instanceof Uint8Array ? body : JSON.stringify(body),
  });

const managerCall = (method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  manager.app.inject({ method: method as 'GET', url, headers: { 'x-admin-key': operatorKey, ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) });

function stackName(via: string, stack: FixtureStack): string {
  const name = `g${run}-${via}-${stack.id}`.slice(0, 60).replace(/-+$/, '');
  made.add(name);
  return name;
}

/** Deploys through the agent: inline files, or an uploaded tar when the package holds links. */
async function deployToAgent(name: string, stack: FixtureStack): Promise<{ status: number; body: Record<string, unknown> }> {
  if (Object.keys(stack.links).length > 0) {
    const tar = await makeTar([
      ...Object.entries(stack.files).map(([path, text]) => ({ name: path, data: text })),
      ...Object.entries(stack.links).map(([path, target]) => ({ name: path, data: target, type: 'symlink' as const })),
    ]);
    const form = new FormData();
    form.append('file', new Blob([tar]), 'package.tar');
    const upload = await fetch(`${agentUrl}/files`, { method: 'POST', headers: { 'x-server-key': agentKey }, body: form });
    const body = (await upload.json()) as Record<string, unknown>;
    if (upload.status !== 201) return { status: upload.status, body };
    const deployed = await agentCall('POST', '/stacks', { name, package_id: body.id });
    return { status: deployed.status, body: (await deployed.json()) as Record<string, unknown> };
  }
  const files = Object.entries(stack.files).map(([path, content]) => ({ path, content }));
  const response = await agentCall('POST', '/stacks', { name, files });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Deploys through the manager: POST /deployments, or a ZIP launch when the package holds links. */
async function deployToManager(name: string, stack: FixtureStack) {
  if (Object.keys(stack.links).length > 0) {
    const zip = rawZip([
      ...Object.entries(stack.files).map(([path, text]) => ({ name: path, data: Buffer.from(text) })),
      ...Object.entries(stack.links).map(([path, target]) => ({ name: path, data: Buffer.from(target), mode: 0o120777 })),
    ]);
    const boundary = `----hostile${run}`;
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.zip"\r\nContent-Type: application/zip\r\n\r\n`),
      zip,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return managerCall('POST', `/containers/launch?user_id=${name}`, body, { 'content-type': `multipart/form-data; boundary=${boundary}` });
  }
  const { 'compose.yaml': compose, ...files } = stack.files;
  return managerCall('POST', '/deployments', { name, compose, files });
}

function findingsOf(body: Record<string, unknown>): { rule: string; file: string; line: number }[] {
  const error = (body.error ?? body) as { details?: { findings?: unknown[] } };
  return (error.details?.findings ?? []) as { rule: string; file: string; line: number }[];
}

before(async () => {
  await docker.ping({ timeoutMs: 5000 });
  await ensureTestImage(docker);
  manager = await startTestManager('sqlite', { listen: true });
  const adminKey = await login(manager);
  const created = await manager.app.inject({
    method: 'POST',
    url: '/auth/users',
    headers: { 'x-admin-key': adminKey },
    payload: { email: `operator-${run}@example.com`, password: 'password-1234', role: 'operator' },
  });
  assert.equal(created.statusCode, 201, created.body);
  operatorKey = await login(manager, { email: `operator-${run}@example.com`, password: 'password-1234' });
  const port = await freePort();
  const host = await registerHost(manager, adminKey, { hostname: 'hostile-suite', ip: '127.0.0.1', api_port: port, max_containers: 200 });
  workDir = mkdtempSync(join(tmpdir(), 'shipshape-hostile-agent-'));
  const parsed = parseAgentConfig({
    DOCKER_SOCKET: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock',
    MANAGER_URL: manager.url!,
    HOST_ID: host.id,
    SERVER_KEY: host.server_key,
    HEARTBEAT_INTERVAL: '0.5',
    API_PORT: String(port),
    API_HOST: '127.0.0.1',
    WORK_DIR: workDir,
    LOG_LEVEL: 'silent',
  });
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.problems.map((p) => p.message).join('; '));
  agentKey = host.server_key;
  agent = await startAgent({ config: parsed.config, version: '0.0.0-test' });
  agentUrl = agent.url;
  await eventually(async () => ((await manager.repo.getHost(host.id))?.status === 'online' ? true : undefined), 15_000, 'the agent online');
});

after(async () => {
  for (const name of made) {
    const left = await byLabel(name).catch(() => undefined);
    for (const c of left?.containers ?? []) await docker.containers.remove(c.Id, { force: true, volumes: true }).catch(() => undefined);
    for (const n of left?.networks ?? []) await docker.networks.remove(n.Id).catch(() => undefined);
    for (const v of left?.volumes ?? []) await docker.volumes.remove(v.Name).catch(() => undefined);
  }
  await agent?.close().catch(() => undefined);
  await manager?.dispose();
  rmSync(workDir, { recursive: true, force: true });
  rmSync(canary, { recursive: true, force: true });
});

describe('hostile stacks: refused by the agent and the manager, nothing created', () => {
  it('has at least 40 of them, each saying what it tries and what refuses it', () => {
    assert.ok(hostile.length >= 40, `${hostile.length} hostile stacks`);
    for (const stack of hostile) assert.ok(stack.expect.length > 0 && stack.what.length > 10, stack.id);
  });

  for (const stack of hostile) {
    it(`${stack.id}: ${stack.what}`, async () => {
      const viaAgent = stackName('a', stack);
      const answer = await deployToAgent(viaAgent, stack);
      assert.equal(answer.status, 422, `agent: ${JSON.stringify(answer.body).slice(0, 400)}`);
      if (stack.expect[0] === 'bad_package') {
        assert.equal((answer.body.error as { code: string }).code, 'bad_package');
      } else {
        const rules = new Set(findingsOf(answer.body).map((f) => f.rule));
        for (const rule of stack.expect) assert.ok(rules.has(rule), `agent: ${rule} among ${[...rules].join(', ')}`);
        assert.ok(findingsOf(answer.body).every((f) => f.file !== '' && f.line > 0), 'every finding is located');
      }
      // A package never makes the agent read a host file into its answer.
      assert.doesNotMatch(JSON.stringify(answer.body), /root:[^"]*:0:0:|root:[*!$]/);
      await assertNothingCreated(viaAgent);

      const viaManager = stackName('m', stack);
      const before = (await managerCall('GET', '/deployments')).json() as unknown[];
      const refused = await deployToManager(viaManager, stack);
      assert.equal(refused.statusCode, 422, `manager: ${refused.body.slice(0, 400)}`);
      if (stack.expect[0] !== 'bad_package') {
        const rules = new Set(findingsOf(refused.json() as Record<string, unknown>).map((f) => f.rule));
        for (const rule of stack.expect) assert.ok(rules.has(rule), `manager: ${rule} among ${[...rules].join(', ')}`);
      }
      assert.doesNotMatch(refused.body, /root:[^"]*:0:0:|root:[*!$]/);
      assert.equal(((await managerCall('GET', '/deployments')).json() as unknown[]).length, before.length, 'no deployment recorded');
      await assertNothingCreated(viaManager);
    });
  }

  it('left no file outside the agent\'s work dir and no stack behind', async () => {
    assert.deepEqual(readdirSync(canary), [], 'the canary folder stays empty');
    assert.deepEqual(readdirSync(join(workDir, 'stacks')), []);
    assert.deepEqual(readdirSync(join(workDir, 'state')), []);
    assert.deepEqual((await (await agentCall('GET', '/stacks')).json()) as unknown[], []);
  });
});

describe('ordinary stacks: accepted by the agent and the manager, and running', () => {
  it('has at least 15 of them', () => assert.ok(ordinary.length >= 15, `${ordinary.length} ordinary stacks`));

  /** Every container of the project runs (a one-shot service has exited 0). */
  const running = async (name: string, stack: FixtureStack) => {
    const { containers } = await byLabel(name);
    assert.ok(containers.length > 0, `${name}: containers exist`);
    for (const c of containers) {
      const service = c.Labels['com.docker.compose.service'] ?? '';
      if (stack.oneshot.includes(service)) assert.match(c.Status, /^Exited \(0\)/, `${name}/${service} completed`);
      else assert.equal(c.State, 'running', `${name}/${service} runs`);
    }
  };

  for (const stack of ordinary) {
    it(`${stack.id}: ${stack.what}`, async () => {
      const viaAgent = stackName('a', stack);
      const answer = await deployToAgent(viaAgent, stack);
      assert.equal(answer.status, 201, `agent: ${JSON.stringify(answer.body).slice(0, 600)}`);
      await running(viaAgent, stack);
      assert.equal((await agentCall('DELETE', `/stacks/${viaAgent}`)).status, 200);

      const viaManager = stackName('m', stack);
      const accepted = await deployToManager(viaManager, stack);
      assert.equal(accepted.statusCode, 202, `manager: ${accepted.body.slice(0, 600)}`);
      const id = (accepted.json() as { id: string }).id;
      const deployment = await eventually(async () => {
        const d = (await managerCall('GET', `/deployments/${id}`)).json() as { state: string; reason: string | null };
        return d.state === 'running' || d.state === 'failed' ? d : undefined;
      }, 60_000, `${viaManager} settles`);
      assert.equal(deployment.state, 'running', `manager: ${deployment.reason}`);
      await running(viaManager, stack);
      assert.equal((await managerCall('DELETE', `/deployments/${id}`)).statusCode, 204);
    });
  }
});

