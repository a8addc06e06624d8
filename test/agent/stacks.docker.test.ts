import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { StackDetail, StackSummary } from '../../src/contract/index.js';
import { createDockerClient, DockerNotFoundError } from '../../src/docker/index.js';
import { ensureTestImage, TEST_IMAGE } from '../helpers/test-image.js';
import { makeTar, makeZip } from './helpers/archives.js';
import { AUTH, testAgent, uniqueName, type TestAgent } from './helpers/agent.js';

// Engine tests fail, never skip, without an engine: `npm test` starts one (scripts/test-env.mjs).
const docker = createDockerClient();
const PROJECT = 'com.docker.compose.project';
const stacksMade = new Set<string>();

let agent: TestAgent;

before(async () => {
  await docker.ping({ timeoutMs: 5000 });
  await ensureTestImage(docker);
  // The operator lowered the gate to critical, so that WEB (a default database password: high) deploys.
  agent = await testAgent({ ANALYSIS_GATE: 'critical' });
});

after(async () => {
  // Whatever a failed test left behind.
  for (const name of stacksMade) {
    for (const c of await docker.containers.list({ all: true, filters: { label: [`${PROJECT}=${name}`] } })) await docker.containers.remove(c.Id, { force: true, volumes: true });
    for (const n of await docker.networks.list({ filters: { label: [`${PROJECT}=${name}`] } })) await docker.networks.remove(n.Id).catch(() => undefined);
    for (const v of await docker.volumes.list({ filters: { label: [`${PROJECT}=${name}`] } })) await docker.volumes.remove(v.Name).catch(() => undefined);
  }
  await agent?.close();
});

function stackName(prefix: string): string {
  const name = uniqueName(prefix);
  stacksMade.add(name);
  return name;
}

const WEB = `services:
  web:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "echo serving; exec httpd -f -p 80 -h /www"]
    ports: ["127.0.0.1::80"]
    volumes: ["./site:/www:ro"]
    stop_grace_period: 1s
    environment:
      POSTGRES_PASSWORD: postgres
      LEAK: "\${SERVER_KEY:-not set}"
    healthcheck:
      test: ["CMD", "wget", "-q", "-O-", "http://127.0.0.1/health"]
      interval: 1s
      retries: 20
`;

async function deploy(app: TestAgent['app'], payload: Record<string, unknown>, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/stacks', headers: { ...AUTH, ...headers }, payload });
}

async function get(url: string) {
  return agent.app.inject({ method: 'GET', url, headers: AUTH });
}

async function projectContainers(name: string) {
  return docker.containers.list({ all: true, filters: { label: [`${PROJECT}=${name}`] } });
}

async function fetchText(url: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const text = await fetch(url).then((r) => (r.ok ? r.text() : ''), () => '');
    if (text) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  return '';
}

function multipart(file: Buffer, filename: string): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----shipshape${randomUUID()}`;
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('stacks from compose and files', () => {
  const name = stackName('agt-web');

  test('POST /stacks deploys, after the analysis, and keeps what it found below the gate', async () => {
    const res = await deploy(agent.app, { name, compose: WEB, files: [{ path: 'site/health', content: 'ok\n' }, { path: 'site/index.html', content: 'aGVsbG8gZnJvbSBhIHN0YWNrCg==', encoding: 'base64' }] });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json() as StackDetail;
    assert.equal(body.name, name);
    assert.equal(body.status, 'running');
    assert.equal(body.source, 'compose');
    assert.deepEqual(body.services.map((s) => s.name), ['web']);
    assert.equal(body.services[0]!.containers[0]!.name, `${name}-web-1`);
    assert.ok(body.findings.some((f) => f.rule === 'default-credential' && f.severity === 'high'), 'a high finding does not stop a critical gate');

    const [container] = await projectContainers(name);
    assert.ok(container);
    assert.equal(container.Labels['com.docker.compose.project.working_dir'], join(agent.workDir, 'stacks', name));
    const inspected = await docker.containers.inspect(container.Id);
    assert.ok(inspected.Config.Env.includes('LEAK=not set'), "the agent's own environment does not reach the stack's interpolation");
    const port = container.Ports.find((p) => p.PrivatePort === 80 && p.PublicPort)?.PublicPort;
    assert.equal(await fetchText(`http://127.0.0.1:${port}/index.html`), 'hello from a stack\n');
  });

  test('GET /stacks and GET /stacks/:name report it', async () => {
    const list = (await get('/stacks')).json() as StackSummary[];
    const mine = list.find((s) => s.name === name);
    assert.ok(mine);
    assert.deepEqual(mine.containers, { running: 1, total: 1 });
    const detail = await get(`/stacks/${name}`);
    assert.equal(detail.statusCode, 200);
    assert.equal((detail.json() as StackDetail).services[0]!.containers[0]!.state, 'running');
    assert.equal((await get('/stacks/no-such-stack')).statusCode, 404);
    assert.equal((await get('/stacks/..%2Fstate')).statusCode, 400, 'names are validated');
  });

  test('a second deploy under the same name is refused', async () => {
    const res = await deploy(agent.app, { name, compose: WEB });
    assert.equal(res.statusCode, 409);
    assert.match(res.json().error.message, /already exists/);
  });

  test('GET /stacks/:name/logs prefixes each line with its container', async () => {
    const res = await get(`/stacks/${name}/logs?tail=50`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, `${name}-web-1 | serving\n`);
    const json = await agent.app.inject({ method: 'GET', url: `/stacks/${name}/logs`, headers: { ...AUTH, accept: 'application/x-ndjson' } });
    assert.match(String(json.headers['content-type']), /application\/x-ndjson/);
    assert.deepEqual(JSON.parse(json.body), { stream: 'stdout', line: 'serving', service: 'web', container: `${name}-web-1`, number: 1 });
    assert.equal((await get('/stacks/no-such-stack/logs')).statusCode, 404);
  });

  test('POST /stacks/:name/restart restarts its containers', async () => {
    const [before] = await projectContainers(name);
    const startedBefore = (await docker.containers.inspect(before!.Id)).State.StartedAt;
    const res = await agent.app.inject({ method: 'POST', url: `/stacks/${name}/restart`, headers: AUTH });
    assert.deepEqual(res.json(), { name, status: 'restarted' });
    const startedAfter = (await docker.containers.inspect(before!.Id)).State.StartedAt;
    assert.notEqual(startedAfter, startedBefore);
  });

  test('DELETE /stacks/:name removes containers, network, files and record', async () => {
    const res = await agent.app.inject({ method: 'DELETE', url: `/stacks/${name}`, headers: AUTH });
    assert.deepEqual(res.json(), { name, status: 'removed' });
    assert.deepEqual(await projectContainers(name), []);
    assert.deepEqual((await docker.networks.list({ filters: { name: [`${name}_default`] } })).filter((n) => n.Name === `${name}_default`), []);
    assert.equal(existsSync(join(agent.workDir, 'stacks', name)), false);
    assert.equal(existsSync(join(agent.workDir, 'state', `${name}.json`)), false);
    assert.equal((await get(`/stacks/${name}`)).statusCode, 404);
    assert.equal((await agent.app.inject({ method: 'DELETE', url: `/stacks/${name}`, headers: AUTH })).statusCode, 404);
  });

  test('with Accept: application/x-ndjson the deploy streams its progress', async () => {
    const streamed = stackName('agt-ndjson');
    const res = await deploy(agent.app, { name: streamed, compose: `services:\n  one:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "300"]\n    stop_grace_period: 1s\n` }, { accept: 'application/x-ndjson' });
    assert.equal(res.statusCode, 200);
    const events = res.body.trim().split('\n').map((l) => JSON.parse(l) as { type: string; message?: string; status?: number });
    assert.ok(events.some((e) => e.type === 'progress' && /analyzing/.test(e.message!)));
    assert.ok(events.some((e) => e.type === 'progress' && /container .* start done/.test(e.message!)), JSON.stringify(events));
    assert.deepEqual({ type: events.at(-1)!.type, status: events.at(-1)!.status }, { type: 'result', status: 201 });
    await agent.app.inject({ method: 'DELETE', url: `/stacks/${streamed}`, headers: AUTH });
  });

  test('file paths that leave the stack folder are refused', async () => {
    for (const path of ['../escape.txt', '/etc/cron.d/x', 'a/../../x', 'a\\..\\x']) {
      const res = await deploy(agent.app, { name: stackName('agt-path'), compose: WEB, files: [{ path, content: 'x' }] });
      assert.equal(res.statusCode, 400, path);
    }
    assert.equal(existsSync(join(agent.workDir, 'escape.txt')), false);
    assert.equal(existsSync(join(agent.workDir, 'stacks', 'escape.txt')), false);
  });
});

describe('the analysis gate', () => {
  const privileged = `services:\n  root:\n    image: ${TEST_IMAGE}\n    privileged: true\n`;

  test('refuses a critical finding with 422 and the findings; nothing is created', async () => {
    const name = stackName('agt-gate');
    const res = await deploy(agent.app, { name, compose: privileged });
    assert.equal(res.statusCode, 422);
    const error = res.json().error;
    assert.equal(error.code, 'analysis_gate');
    assert.match(error.message, /1 finding the deploy policy refuses \(gate critical; host-reaching rules at any severity\): privileged in root/);
    assert.equal(error.details.gate, 'critical');
    assert.deepEqual(
      error.details.findings.map((f: { rule: string; line: number }) => [f.rule, f.line]),
      [['privileged', 4]],
    );
    assert.deepEqual(await projectContainers(name), []);
    assert.equal(existsSync(join(agent.workDir, 'stacks', name)), false);
  });

  test("the package's own .shipshape.yml and inline suppressions do not open the gate", async () => {
    const viaConfig = await deploy(agent.app, {
      name: stackName('agt-gate-cfg'),
      compose: privileged,
      files: [{ path: '.shipshape.yml', content: 'rules:\n  privileged: off\n' }],
    });
    assert.equal(viaConfig.statusCode, 422);
    const suppressed = `services:\n  root:\n    image: ${TEST_IMAGE}\n    # shipshape-ignore privileged we really need it\n    privileged: true\n`;
    const viaComment = await deploy(agent.app, { name: stackName('agt-gate-ign'), compose: suppressed });
    assert.equal(viaComment.statusCode, 422);
    assert.equal(viaComment.json().error.details.findings[0].rule, 'privileged');
  });

  test('a compose file that does not load is refused as a finding', async () => {
    const res = await deploy(agent.app, { name: stackName('agt-gate-yaml'), compose: 'services:\n  a:\n    image: x\n    image: y\n' });
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().error.details.findings[0].rule, 'yaml-duplicate-key');
  });

  test('ANALYSIS_GATE and ANALYSIS_CONFIG are the operator’s to set', async () => {
    // The default gate is high.
    const strict = await testAgent();
    try {
      const res = await deploy(strict.app, { name: stackName('agt-gate-high'), compose: WEB, files: [{ path: 'site/health', content: 'ok\n' }] });
      assert.equal(res.statusCode, 422);
      assert.ok(res.json().error.details.findings.some((f: { rule: string }) => f.rule === 'default-credential'));
    } finally {
      await strict.close();
    }
    const configFile = join(agent.workDir, 'operator-gate.yml');
    writeFileSync(configFile, 'rules:\n  default-credential: critical\n');
    const regraded = await testAgent({ ANALYSIS_GATE: 'critical', ANALYSIS_CONFIG: configFile });
    try {
      const res = await deploy(regraded.app, { name: stackName('agt-gate-op'), compose: WEB, files: [{ path: 'site/health', content: 'ok\n' }] });
      assert.equal(res.statusCode, 422);
      assert.equal(res.json().error.details.findings[0].severity, 'critical');
    } finally {
      await regraded.close();
    }
  });
});

describe('the operator allowances', () => {
  test('ALLOWED_HOST_PATHS and GATE_ALLOW_RULES open what they name, and every use is logged', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'shipshape-allowed-'));
    const open = await testAgent({ ALLOWED_HOST_PATHS: shared, GATE_ALLOW_RULES: 'dangerous-capability' });
    try {
      const compose = `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: [sleep, '600']\n    stop_grace_period: 1s\n    cap_add: [NET_RAW]\n    volumes: ["${shared}:/shared:ro"]\n`;
      const name = stackName('agt-allow');
      const res = await deploy(open.app, { name, compose });
      assert.equal(res.statusCode, 201, res.body);
      const uses = open.logs.filter((l) => l.msg && String(l.msg).startsWith('gate allowance used'));
      assert.deepEqual(uses.map((l) => [l.rule, l.allowed_by, l.line]).sort(), [['dangerous-capability', 'rule', 6], ['host-path-escape', 'host-path', 7]]);
      assert.equal((await open.app.inject({ method: 'DELETE', url: `/stacks/${name}`, headers: AUTH })).statusCode, 200);
      // A path beside the allowed one, and a link out of it, stay refused.
      const beside = await deploy(open.app, { name: stackName('agt-allow-no'), compose: compose.replace(`${shared}:`, `${shared}-x:`) });
      assert.equal(beside.statusCode, 422);
      assert.equal(beside.json().error.details.findings[0].rule, 'host-path-escape');
    } finally {
      await open.close();
      rmSync(shared, { recursive: true, force: true });
    }
  });
});

describe('packages', () => {
  const compose = `services:\n  web:\n    image: ${TEST_IMAGE}\n    command: ["httpd", "-f", "-p", "80", "-h", "/www"]\n    volumes: ["./site:/www:ro"]\n    stop_grace_period: 1s\n`;

  test('POST /files (multipart zip) then POST /stacks {package_id}; the package is used up', async () => {
    const zip = makeZip([{ name: 'compose.yaml', data: compose }, { name: 'site/', type: 'directory' }, { name: 'site/index.html', data: 'zip\n' }]);
    const { payload, headers } = multipart(zip, 'stack.zip');
    const upload = await agent.app.inject({ method: 'POST', url: '/files', headers: { ...AUTH, ...headers }, payload });
    assert.equal(upload.statusCode, 201, upload.body);
    const pkg = upload.json();
    assert.equal(pkg.format, 'zip');
    assert.equal(pkg.files, 2);
    assert.match(pkg.id, /^[a-f0-9]{32}$/);
    assert.ok(Date.parse(pkg.expires_at) > Date.now());
    assert.deepEqual(readdirSync(join(agent.workDir, 'tmp')).filter((n) => n.startsWith('upload-')), [], 'the archive itself is not kept');

    const name = stackName('agt-pkg');
    const res = await deploy(agent.app, { name, package_id: pkg.id });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().source, 'package');
    assert.equal(readFileSync(join(agent.workDir, 'stacks', name, 'site', 'index.html'), 'utf8'), 'zip\n');
    assert.deepEqual(readdirSync(join(agent.workDir, 'uploads')), [], 'the package moved into the stack');
    const again = await deploy(agent.app, { name: stackName('agt-pkg2'), package_id: pkg.id });
    assert.equal(again.statusCode, 404);
    assert.equal((await agent.app.inject({ method: 'DELETE', url: `/stacks/${name}`, headers: AUTH })).statusCode, 200);
  });

  test('a tar.gz sent as the body, with its files in one top folder', async () => {
    const tgz = await makeTar([{ name: 'myapp/compose.yaml', data: compose }, { name: 'myapp/site/index.html', data: 'tgz\n' }]);
    const upload = await agent.app.inject({ method: 'POST', url: '/files', headers: { ...AUTH, 'content-type': 'application/gzip' }, payload: tgz });
    assert.equal(upload.statusCode, 201, upload.body);
    assert.equal(upload.json().format, 'tar.gz');
    const name = stackName('agt-tgz');
    const res = await deploy(agent.app, { name, package_id: upload.json().id });
    assert.equal(res.statusCode, 201, res.body);
    const [container] = await projectContainers(name);
    assert.equal(container!.Labels['com.docker.compose.project.working_dir'], join(agent.workDir, 'stacks', name, 'myapp'));
    await agent.app.inject({ method: 'DELETE', url: `/stacks/${name}`, headers: AUTH });
  });

  test('malicious packages are refused and leave nothing behind', async () => {
    // A lower file limit keeps the "too many files" package small; the other limits are the defaults.
    const strict = await testAgent({ PACKAGE_MAX_FILES: '100' });
    try {
      const cases: [string, Buffer, number][] = [
        ['zip slip', makeZip([{ name: 'compose.yaml', data: compose }, { name: '../../../tmp/pwned', data: 'x' }]), 422],
        ['symlink escape', await makeTar([{ name: 'etc', type: 'symlink', data: '../../../../etc' }, { name: 'compose.yaml', data: compose }]), 422],
        ['absolute path', await makeTar([{ name: '/tmp/pwned-abs', data: 'x' }]), 422],
        ['file count', makeZip(Array.from({ length: 500 }, (_, i) => ({ name: `f/${i}`, data: '' }))), 413],
        ['bomb ratio', makeZip([{ name: 'zeros', data: Buffer.alloc(32 * 2 ** 20) }], { deflate: true }), 413],
      ];
      for (const [what, archive, status] of cases) {
        const res = await strict.app.inject({ method: 'POST', url: '/files', headers: { ...AUTH, 'content-type': 'application/octet-stream' }, payload: archive });
        assert.equal(res.statusCode, status, `${what}: ${res.body}`);
        assert.match(res.json().error.message, /^package refused: /, what);
      }
      assert.deepEqual(readdirSync(join(strict.workDir, 'uploads')), []);
      assert.deepEqual(readdirSync(join(strict.workDir, 'tmp')).filter((n) => n.startsWith('upload-')), []);
      assert.equal(existsSync('/tmp/pwned'), false);
      assert.equal(existsSync('/tmp/pwned-abs'), false);
    } finally {
      await strict.close();
    }
  });

  test('an archive larger than PACKAGE_MAX_MB is cut off while it arrives', async () => {
    const small = await testAgent({ PACKAGE_MAX_MB: '0.01' });
    try {
      const res = await small.app.inject({ method: 'POST', url: '/files', headers: { ...AUTH, 'content-type': 'application/zip' }, payload: makeZip([{ name: 'a', data: Buffer.alloc(64 * 1024, 1) }]) });
      assert.equal(res.statusCode, 413);
      assert.deepEqual(readdirSync(join(small.workDir, 'uploads')), []);
    } finally {
      await small.close();
    }
  });

  test('unused packages expire', async () => {
    const upload = await agent.app.inject({ method: 'POST', url: '/files', headers: { ...AUTH, 'content-type': 'application/zip' }, payload: makeZip([{ name: 'compose.yaml', data: compose }]) });
    assert.equal(upload.statusCode, 201);
    await agent.app.agent.packages.sweep(Date.now() + 31 * 60_000);
    assert.deepEqual(readdirSync(join(agent.workDir, 'uploads')), []);
  });
});

describe('limits', () => {
  const pair = `services:\n  a:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "300"]\n  b:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "300"]\n`;
  const busy = (cpu: number, mem: number) => ({
    cpuPercent: () => cpu,
    memory: () => ({ total_bytes: 100, used_bytes: mem, available_bytes: 100 - mem, percent: mem }),
    load: () => ({ one: 0, five: 0, fifteen: 0 }),
    disk: async () => undefined,
  });

  test('MAX_CONTAINERS refuses a stack that would pass it, with the reason', async () => {
    const limited = await testAgent({ MAX_CONTAINERS: '1' });
    try {
      const name = stackName('agt-max');
      const res = await deploy(limited.app, { name, compose: pair });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().error.code, 'limit_reached');
      assert.match(res.json().error.message, /^MAX_CONTAINERS is 1: \d+ running, 2 more would make \d+/);
      assert.deepEqual(await projectContainers(name), []);
      assert.equal(existsSync(join(limited.workDir, 'stacks', name)), false);
    } finally {
      await limited.close();
    }
  });

  test('MAX_CPU_PERCENT and MAX_MEMORY_PERCENT refuse new containers and stacks', async () => {
    const hot = await testAgent({ MAX_CPU_PERCENT: '80', MAX_MEMORY_PERCENT: '90' }, { probe: busy(93, 10) });
    const full = await testAgent({ MAX_CPU_PERCENT: '80', MAX_MEMORY_PERCENT: '90' }, { probe: busy(5, 95) });
    try {
      const viaStack = await deploy(hot.app, { name: stackName('agt-cpu'), compose: pair });
      assert.equal(viaStack.statusCode, 409);
      assert.equal(viaStack.json().error.message, 'host CPU is at 93%, at or above MAX_CPU_PERCENT (80%)');
      const viaContainer = await hot.app.inject({ method: 'POST', url: '/containers', headers: AUTH, payload: { image: TEST_IMAGE } });
      assert.equal(viaContainer.statusCode, 409);
      const viaMemory = await full.app.inject({ method: 'POST', url: '/containers', headers: AUTH, payload: { image: TEST_IMAGE } });
      assert.equal(viaMemory.statusCode, 409);
      assert.equal(viaMemory.json().error.message, 'host memory is at 95%, at or above MAX_MEMORY_PERCENT (90%)');
      const viaCompat = await full.app.inject({
        method: 'POST',
        url: '/agent/containers',
        headers: AUTH,
        payload: { name: stackName('agt-mem'), docker_zip_base64: makeZip([{ name: 'compose.yaml', data: pair }]).toString('base64'), vpn_conf_base64: '' },
      });
      assert.equal(viaCompat.statusCode, 409);
      assert.deepEqual(viaCompat.json(), { detail: 'host memory is at 95%, at or above MAX_MEMORY_PERCENT (90%)' });
      const info = (await hot.app.inject({ method: 'GET', url: '/system/info', headers: AUTH })).json();
      assert.deepEqual(info.limits, { max_containers: null, max_cpu_percent: 80, max_memory_percent: 90 });
    } finally {
      await hot.close();
      await full.close();
    }
  });
});

describe('machine-lab wire compatibility', () => {
  const name = randomUUID();
  stacksMade.add(name);
  const dockerfile = `FROM ${TEST_IMAGE}\nCOPY site /www\nCMD ["httpd", "-f", "-p", "80", "-h", "/www"]\n`;
  const compose = `services:\n  lab:\n    build: .\n    ports: ["127.0.0.1::80"]\n    volumes: ["./vpn.ovpn:/etc/vpn.ovpn:ro"]\n    stop_grace_period: 1s\n`;
  const zip = makeZip([
    { name: 'docker-compose.yaml', data: compose },
    { name: 'Dockerfile', data: dockerfile },
    { name: 'site/index.html', data: 'lab\n' },
  ]);
  const vpn = 'client\nremote vpn.example.com 1194\n';

  test('POST /agent/containers unpacks, adds vpn.ovpn and starts: 201 {name, status: "started"}', async () => {
    const res = await agent.app.inject({
      method: 'POST',
      url: '/agent/containers',
      headers: AUTH,
      payload: { name, docker_zip_base64: zip.toString('base64'), vpn_conf_base64: Buffer.from(vpn).toString('base64') },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(res.json(), { name, status: 'started' });
    const profile = join(agent.workDir, 'stacks', name, 'vpn.ovpn');
    assert.equal(readFileSync(profile, 'utf8'), vpn);
    assert.equal(statSync(profile).mode & 0o777, 0o600);
    const [container] = await projectContainers(name);
    const port = container!.Ports.find((p) => p.PublicPort)!.PublicPort;
    assert.equal(await fetchText(`http://127.0.0.1:${port}/index.html`), 'lab\n');
  });

  test('GET /agent/containers lists running containers as machine-lab did', async () => {
    const res = await agent.app.inject({ method: 'GET', url: '/agent/containers', headers: AUTH });
    assert.equal(res.statusCode, 200);
    // The manager finds its environment with `name in c["name"]`.
    const mine = (res.json() as { id: string; name: string; image: string; status: string }[]).find((c) => c.name.includes(name));
    assert.ok(mine);
    assert.deepEqual(Object.keys(mine).sort(), ['id', 'image', 'name', 'status']);
    assert.equal(mine.status, 'running');
  });

  test('GET /agent/health', async () => {
    const res = await agent.app.inject({ method: 'GET', url: '/agent/health', headers: AUTH });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(Object.keys(res.json()).sort(), ['cpu_percent', 'mem_percent', 'running_containers', 'uptime_seconds']);
    assert.ok(res.json().running_containers >= 1);
  });

  test('POST /agent/containers/:name/restart rebuilds and restarts', async () => {
    const res = await agent.app.inject({ method: 'POST', url: `/agent/containers/${name}/restart`, headers: AUTH });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { name, status: 'restarted' });
  });

  test('DELETE /agent/containers/:name removes it with its built image; then 404 {"detail": "Environment not found"}', async () => {
    const [container] = await projectContainers(name);
    const image = container!.Image;
    const res = await agent.app.inject({ method: 'DELETE', url: `/agent/containers/${name}`, headers: AUTH });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { name, status: 'removed' });
    assert.deepEqual(await projectContainers(name), []);
    await assert.rejects(docker.images.inspect(image), DockerNotFoundError);
    const again = await agent.app.inject({ method: 'DELETE', url: `/agent/containers/${name}`, headers: AUTH });
    assert.equal(again.statusCode, 404);
    assert.deepEqual(again.json(), { detail: 'Environment not found' });
    const restart = await agent.app.inject({ method: 'POST', url: '/agent/containers/../../etc/restart', headers: AUTH });
    assert.equal(restart.statusCode, 404);
  });

  test('errors keep the {"detail": …} shape: validation, unsafe zip, the gate', async () => {
    const invalid = await agent.app.inject({ method: 'POST', url: '/agent/containers', headers: AUTH, payload: { name: 'x' } });
    assert.equal(invalid.statusCode, 422);
    const detail = invalid.json().detail as { loc: string[]; msg: string; type: string }[];
    assert.ok(Array.isArray(detail) && detail.length > 0);
    assert.equal(detail[0]!.loc[0], 'body');

    const slip = await agent.app.inject({
      method: 'POST',
      url: '/agent/containers',
      headers: AUTH,
      payload: { name: randomUUID(), docker_zip_base64: makeZip([{ name: '../../x', data: 'x' }]).toString('base64'), vpn_conf_base64: '' },
    });
    assert.equal(slip.statusCode, 422);
    assert.match(slip.json().detail, /^package refused/);

    const gated = await agent.app.inject({
      method: 'POST',
      url: '/agent/containers',
      headers: AUTH,
      payload: {
        name: randomUUID(),
        docker_zip_base64: makeZip([{ name: 'compose.yaml', data: `services:\n  x:\n    image: ${TEST_IMAGE}\n    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]\n` }]).toString('base64'),
        vpn_conf_base64: '',
      },
    });
    assert.equal(gated.statusCode, 422);
    assert.match(gated.json().detail, /deploy refused/);
    assert.equal(gated.json().findings[0].rule, 'docker-socket-mount');
    assert.deepEqual(readdirSync(join(agent.workDir, 'uploads')), []);
  });
});
