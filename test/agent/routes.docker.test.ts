import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import {
  ContainerDetail,
  ContainerStats,
  ContainerSummary,
  HealthResponse,
  ImageSummary,
  SystemInfo,
  SystemResources,
} from '../../src/contract/index.js';
import { createDockerClient } from '../../src/docker/index.js';
import { ensureTestImage, TEST_IMAGE } from '../helpers/test-image.js';
import { AUTH, KEY, testAgent, uniqueName, type TestAgent } from './helpers/agent.js';

// Engine tests fail, never skip, without an engine: `npm test` starts one (scripts/test-env.mjs).
const docker = createDockerClient();
const TEST_LABEL = 'dev.shipshape.test';
const RUN = uniqueName('agent-routes');

let agent: TestAgent;
const routes: { method: string; url: string }[] = [];

before(async () => {
  await docker.ping({ timeoutMs: 5000 });
  await ensureTestImage(docker);
  agent = await testAgent({}, {}, (app) => {
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
    });
  });
});

after(async () => {
  for (const c of await docker.containers.list({ all: true, filters: { label: [`${TEST_LABEL}=${RUN}`] } })) {
    await docker.containers.remove(c.Id, { force: true });
  }
  await agent?.close();
});

function check(schema: TSchema, value: unknown, what: string): void {
  const errors = [...Value.Errors(schema, value)].slice(0, 3);
  assert.equal(errors.length, 0, `${what} does not match its contract: ${JSON.stringify(errors)}`);
}

describe('health and system', () => {
  test('GET /health needs no key and reports the engine', async () => {
    const res = await agent.app.inject({ method: 'GET', url: '/health' });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    check(HealthResponse, body, 'health');
    assert.equal(body.status, 'ok');
    assert.equal(body.docker_ok, true);
    assert.equal(body.agent_version, '0.0.0-test');
  });

  test('GET /system/info describes host, engine, limits and heartbeat', async () => {
    const res = await agent.app.inject({ method: 'GET', url: '/system/info', headers: AUTH });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    check(SystemInfo, body, 'system info');
    assert.equal(body.docker.ok, true);
    assert.match(body.docker.api_version, /^1\.\d+$/);
    assert.deepEqual(body.limits, { max_containers: null, max_cpu_percent: null, max_memory_percent: null });
    assert.equal(body.heartbeat.enabled, false);
    assert.equal(body.analysis_gate, 'high');
  });

  test('GET /system/resources reports CPU, memory, disk of the Docker root, load and container counts', async () => {
    const res = await agent.app.inject({ method: 'GET', url: '/system/resources', headers: AUTH });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    check(SystemResources, body, 'resources');
    assert.ok(body.cpu_percent >= 0 && body.cpu_percent <= 100);
    assert.ok(body.memory.total_bytes > 0 && body.memory.percent > 0);
    assert.equal(body.disk.path, (await docker.info()).DockerRootDir);
    assert.ok(body.disk.total_bytes > 0);
    assert.equal(body.containers.total >= body.containers.running, true);
    assert.equal(body.docker_ok, true);
  });

  test('GET /metrics is Prometheus text with host gauges, container states, HTTP latency and heartbeat counters', async () => {
    await agent.app.inject({ method: 'GET', url: '/health' });
    const res = await agent.app.inject({ method: 'GET', url: '/metrics', headers: AUTH });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    for (const line of [
      /^shipshape_agent_cpu_percent \d/m,
      /^shipshape_agent_memory_percent \d/m,
      /^shipshape_agent_disk_percent \d/m,
      /^shipshape_agent_load_average\{period="1m"\} /m,
      /^shipshape_agent_containers\{state="running"\} \d+$/m,
      /^shipshape_agent_docker_up 1$/m,
      /^shipshape_agent_heartbeats_total\{result="failure"\} 0$/m,
      /^shipshape_agent_http_request_duration_seconds_count\{method="GET",route="\/health",status_code="200"\} [1-9]/m,
      /^shipshape_agent_process_resident_memory_bytes \d+/m,
    ]) {
      assert.match(res.body, line);
    }
  });

  test('OpenAPI at /docs lists every route, behind the key', async () => {
    assert.equal((await agent.app.inject({ method: 'GET', url: '/docs/json' })).statusCode, 401);
    const res = await agent.app.inject({ method: 'GET', url: '/docs/json', headers: AUTH });
    assert.equal(res.statusCode, 200);
    const doc = res.json() as { paths: Record<string, unknown>; components: { securitySchemes: Record<string, unknown> } };
    for (const path of ['/health', '/containers/{id}/logs', '/stacks/{name}/restart', '/images/pull', '/files', '/agent/containers']) {
      assert.ok(path in doc.paths, `${path} is documented`);
    }
    assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['bearer', 'serverKey']);
    const ui = await agent.app.inject({ method: 'GET', url: '/docs/', headers: AUTH });
    assert.ok(ui.statusCode === 200 || ui.statusCode === 302, `swagger UI answers (${ui.statusCode})`);
  });
});

describe('authentication', () => {
  test('every route but GET /health refuses a missing, wrong or malformed key with 401', async () => {
    assert.ok(routes.length >= 25, `found ${routes.length} routes`);
    const refusals: Record<string, string>[] = [
      {},
      { 'x-server-key': '' },
      { 'x-server-key': 'wrong-key-of-a-good-length' },
      { 'x-server-key': `${KEY} ` },
      { 'x-server-key': KEY.toUpperCase() },
      { 'x-server-key': KEY.slice(0, -1) },
      { authorization: `Bearer ${KEY}x` },
      { authorization: `Basic ${Buffer.from(`user:${KEY}`).toString('base64')}` },
      { authorization: KEY },
    ];
    for (const route of routes) {
      if (route.method === 'GET' && route.url === '/health') continue;
      const url = route.url.replace(':id', 'nothing-here').replace(':name', 'nothing-here').replace('*', 'index.html');
      for (const headers of refusals) {
        const res = await agent.app.inject({ method: route.method as 'GET', url, headers: { ...headers, 'content-type': 'application/json' }, payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}' });
        assert.equal(res.statusCode, 401, `${route.method} ${url} with ${JSON.stringify(headers)} → ${res.statusCode}`);
        if (url.startsWith('/agent/')) assert.deepEqual(res.json(), { detail: 'Invalid server key' });
        else assert.equal(res.json().error.code, 'unauthorized');
        assert.match(String(res.headers['www-authenticate']), /^Bearer/);
      }
    }
  });

  test('the key is accepted as X-Server-Key and as a Bearer token', async () => {
    for (const headers of [{ 'x-server-key': KEY }, { authorization: `Bearer ${KEY}` }]) {
      const res = await agent.app.inject({ method: 'GET', url: '/stacks', headers });
      assert.equal(res.statusCode, 200);
    }
  });

  test('unknown routes are refused before they are looked up', async () => {
    assert.equal((await agent.app.inject({ method: 'GET', url: '/admin' })).statusCode, 401);
    const known = await agent.app.inject({ method: 'GET', url: '/admin', headers: AUTH });
    assert.equal(known.statusCode, 404);
    assert.equal(known.json().error.code, 'not_found');
  });

  test('request ids are on every log line and in the answer; keys never reach the log', async () => {
    const res = await agent.app.inject({ method: 'GET', url: '/stacks', headers: { ...AUTH, 'x-request-id': 'req-from-manager-1' } });
    assert.equal(res.headers['x-request-id'], 'req-from-manager-1');
    const odd = await agent.app.inject({ method: 'GET', url: '/stacks', headers: { ...AUTH, 'x-request-id': 'bad id\nwith newline' } });
    assert.notEqual(odd.headers['x-request-id'], 'bad id\nwith newline');
    await agent.app.inject({ method: 'GET', url: '/stacks', headers: { authorization: `Bearer ${KEY}` } });
    const lines = agent.logs.filter((l) => l.reqId === 'req-from-manager-1');
    assert.deepEqual(
      lines.map((l) => l.msg),
      ['request completed'],
      'an answered request is one line, with the id',
    );
    assert.ok(
      agent.logs.filter((l) => typeof l.msg === 'string' && /request/.test(l.msg as string)).every((l) => typeof l.reqId === 'string'),
      'every request line carries its id',
    );
    const all = JSON.stringify(agent.logs);
    assert.equal(all.includes(KEY), false, 'the server key is not in the log');
  });
});

describe('containers', () => {
  const name = uniqueName('agent-ctr');
  let id = '';
  let port = 0;

  test('POST /containers creates and starts one from a local image', async () => {
    const res = await agent.app.inject({
      method: 'POST',
      url: '/containers',
      headers: AUTH,
      payload: {
        image: TEST_IMAGE,
        name,
        command: ['sh', '-c', 'echo hello from the container; echo oops >&2; exec httpd -f -p 80 -h /www'],
        ports: [{ container_port: 80, host_ip: '127.0.0.1' }],
        labels: { [TEST_LABEL]: RUN },
        env: { GREETING: 'hi' },
        memory_bytes: 64 * 2 ** 20,
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.equal(body.name, name);
    assert.equal(body.status, 'running');
    id = body.id;
  });

  test('GET /containers lists it with its published port, which answers', async () => {
    const res = await agent.app.inject({ method: 'GET', url: `/containers?all=true`, headers: AUTH });
    assert.equal(res.statusCode, 200);
    const mine = (res.json() as ContainerSummary[]).find((c) => c.id === id);
    assert.ok(mine, 'listed');
    check(ContainerSummary, mine, 'summary');
    assert.equal(mine.state, 'running');
    const published = mine.ports.find((p) => p.container_port === 80 && p.host_port);
    assert.ok(published, JSON.stringify(mine.ports));
    assert.equal(published.host_ip, '127.0.0.1');
    port = published.host_port!;
    let text = '';
    for (let i = 0; i < 50 && text !== 'ok\n'; i++) {
      text = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.text(), () => '');
      if (text !== 'ok\n') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(text, 'ok\n');
  });

  test('GET /containers/:id inspects it, by id and by name', async () => {
    for (const ref of [id, name]) {
      const res = await agent.app.inject({ method: 'GET', url: `/containers/${ref}`, headers: AUTH });
      assert.equal(res.statusCode, 200);
      const body = res.json();
      check(ContainerDetail, body, 'detail');
      assert.equal(body.id, id);
      assert.equal(body.state.running, true);
      assert.deepEqual(body.ports, [{ container_port: 80, host_port: port, host_ip: '127.0.0.1', protocol: 'tcp' }]);
      assert.equal(body.labels[TEST_LABEL], RUN);
      assert.equal('env' in body, false, 'environment (which may hold secrets) is not part of the answer');
    }
  });

  test('GET /containers/:id/logs as text and as JSON lines', async () => {
    const text = await agent.app.inject({ method: 'GET', url: `/containers/${id}/logs`, headers: AUTH });
    assert.equal(text.statusCode, 200);
    assert.match(String(text.headers['content-type']), /^text\/plain/);
    assert.match(text.body, /hello from the container\n/);
    assert.match(text.body, /oops\n/);
    const json = await agent.app.inject({ method: 'GET', url: `/containers/${id}/logs?tail=10`, headers: { ...AUTH, accept: 'application/x-ndjson' } });
    const lines = json.body.trim().split('\n').map((l) => JSON.parse(l) as { stream: string; line: string });
    assert.deepEqual(lines.find((l) => l.line === 'oops'), { stream: 'stderr', line: 'oops' });
    assert.deepEqual(lines.find((l) => l.line.startsWith('hello')), { stream: 'stdout', line: 'hello from the container' });
  });

  test('GET /containers/:id/stats gives docker stats figures', async () => {
    const res = await agent.app.inject({ method: 'GET', url: `/containers/${id}/stats`, headers: AUTH });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    check(ContainerStats, body, 'stats');
    assert.equal(body.memory.limit_bytes, 64 * 2 ** 20);
    assert.ok(body.memory.usage_bytes > 0);
    assert.ok(body.pids >= 1);
  });

  test('stop, start and restart', async () => {
    const stop = await agent.app.inject({ method: 'POST', url: `/containers/${id}/stop?timeout=1`, headers: AUTH });
    assert.deepEqual(stop.json(), { id, status: 'stopped' });
    assert.equal((await docker.containers.inspect(id)).State.Running, false);
    const start = await agent.app.inject({ method: 'POST', url: `/containers/${id}/start`, headers: AUTH });
    assert.deepEqual(start.json(), { id, status: 'started' });
    const restart = await agent.app.inject({ method: 'POST', url: `/containers/${id}/restart?timeout=1`, headers: AUTH });
    assert.deepEqual(restart.json(), { id, status: 'restarted' });
    assert.equal((await docker.containers.inspect(id)).State.Running, true);
  });

  test('DELETE refuses a running container unless forced, then it is gone', async () => {
    const refused = await agent.app.inject({ method: 'DELETE', url: `/containers/${id}`, headers: AUTH });
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().error.code, 'conflict');
    const removed = await agent.app.inject({ method: 'DELETE', url: `/containers/${id}?force=true`, headers: AUTH });
    assert.deepEqual(removed.json(), { id, status: 'removed' });
    const gone = await agent.app.inject({ method: 'GET', url: `/containers/${id}`, headers: AUTH });
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().error.code, 'not_found');
  });

  test('bad requests: unknown image, bad name, fields that would reach the host', async () => {
    const missing = await agent.app.inject({ method: 'POST', url: '/containers', headers: AUTH, payload: { image: 'shipshape-test/does-not-exist:1' } });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().error.message, /pull it first/);
    const badName = await agent.app.inject({ method: 'POST', url: '/containers', headers: AUTH, payload: { image: TEST_IMAGE, name: '../etc' } });
    assert.equal(badName.statusCode, 400);
    assert.equal(badName.json().error.code, 'invalid_request');
    const privileged = await agent.app.inject({ method: 'POST', url: '/containers', headers: AUTH, payload: { image: TEST_IMAGE, privileged: true } });
    assert.equal(privileged.statusCode, 400, 'fields outside the contract are refused, not ignored');
    const binds = await agent.app.inject({ method: 'POST', url: '/containers', headers: AUTH, payload: { image: TEST_IMAGE, HostConfig: { Binds: ['/:/host'] } } });
    assert.equal(binds.statusCode, 400);
    const badRef = await agent.app.inject({ method: 'GET', url: '/containers/..%2F..%2Fetc', headers: AUTH });
    assert.equal(badRef.statusCode, 400);
  });
});

describe('images', () => {
  test('GET /images lists the local images', async () => {
    const res = await agent.app.inject({ method: 'GET', url: '/images', headers: AUTH });
    assert.equal(res.statusCode, 200);
    const images = res.json() as ImageSummary[];
    const test = images.find((i) => i.tags.includes(TEST_IMAGE));
    assert.ok(test, 'the test image is listed');
    check(ImageSummary, test, 'image');
  });

  test('POST /images/pull reports a failed pull, plainly and as a stream', async () => {
    // Nothing listens on port 1: the pull fails fast without any network.
    const plain = await agent.app.inject({ method: 'POST', url: '/images/pull', headers: AUTH, payload: { image: '127.0.0.1:1/nothing:1' } });
    assert.ok(plain.statusCode >= 400, `refused (${plain.statusCode})`);
    assert.ok(plain.json().error.message.length > 0);
    const streamed = await agent.app.inject({
      method: 'POST',
      url: '/images/pull',
      headers: { ...AUTH, accept: 'application/x-ndjson' },
      payload: { image: '127.0.0.1:1/nothing:1' },
    });
    assert.equal(streamed.statusCode, 200);
    const last = JSON.parse(streamed.body.trim().split('\n').at(-1)!) as { type: string; status: number };
    assert.equal(last.type, 'error');
    assert.ok(last.status >= 400);
    const invalid = await agent.app.inject({ method: 'POST', url: '/images/pull', headers: AUTH, payload: { image: 'bad image name' } });
    assert.equal(invalid.statusCode, 400);
  });
});
