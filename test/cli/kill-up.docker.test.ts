import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { createDockerClient } from '../../src/docker/index.js';
import { isSetAside, leftovers, projectContainersOf, removeProject, runCli, spawnCli, type ProjectContainer } from '../helpers/cli-process.js';
import { startEngineProxy, type Decide, type ProxiedCall } from '../helpers/engine-proxy.js';
import { ensureTestImage, requireEngine, TEST_IMAGE } from '../helpers/test-image.js';
import { writeTree } from '../helpers/tmp.js';

// kill -9 of the real CLI at distinct points of `up`, then `up` again must converge: exactly the
// wanted containers (by label and number), nothing set aside, and nothing left after `down -v`.
// The CLI talks to the engine through a pass-through proxy that holds the call marking the point,
// so each kill lands exactly there however loaded the machine is (test/helpers/engine-proxy.ts).

const docker = createDockerClient();
const RUN = randomUUID().slice(0, 6);
const projects: string[] = [];

const HTTPD = `command: sh -c 'exec httpd -f -p 80 -h /www'`;
function stack(version: number): string {
  return `
services:
  db:
    image: ${TEST_IMAGE}
    init: true
    ${HTTPD}
    healthcheck: {test: "wget -q -O- http://127.0.0.1/health", interval: 250ms, retries: 60}
    volumes: [data:/data, /cache]
    networks: [back]
  api:
    image: ${TEST_IMAGE}
    init: true
    ${HTTPD}
    environment: {VERSION: "${version}"}
    volumes: [/scratch]
    networks: [default, back]
    depends_on: {db: {condition: service_healthy}}
  web:
    image: ${TEST_IMAGE}
    init: true
    ${HTTPD}
    deploy: {replicas: 2}
    depends_on: [api]
volumes: {data: {}}
networks: {back: {}}
`;
}

const WANTED = ['api-1', 'db-1', 'web-1', 'web-2'];

interface Fixture {
  name: string;
  dir: string;
  args: string[];
}

function fixture(tag: string): Fixture {
  const name = `sskill${RUN}-${tag}`;
  projects.push(name);
  const dir = writeTree({ 'compose.yaml': stack(1) });
  return { name, dir, args: [dir, '-p', name] };
}

const isCreate = (c: ProxiedCall) => c.method === 'POST' && c.path.startsWith('/containers/create');
const isRename = (c: ProxiedCall) => c.method === 'POST' && /^\/containers\/[^/]+\/rename/.test(c.path);
const isStart = (c: ProxiedCall) => c.method === 'POST' && /^\/containers\/[^/]+\/start/.test(c.path);
const isNetworkCreate = (c: ProxiedCall) => c.method === 'POST' && c.path.startsWith('/networks/create');

/**
 * Runs `up -d` through the proxy, waits until `reached` holds for its calls, kills it with SIGKILL,
 * and returns what the engine holds right after.
 */
async function killUpAt(f: Fixture, decide: Decide, reached: (calls: readonly ProxiedCall[]) => boolean): Promise<ProjectContainer[]> {
  const proxy = await startEngineProxy(decide);
  try {
    const cli = spawnCli(['up', '-d', ...f.args], { DOCKER_HOST: proxy.host });
    await Promise.race([
      proxy.until(reached),
      cli.exited.then((r) => {
        throw new Error(`up ended (${r.status}) before the kill point:\n${r.stderr}`);
      }),
    ]);
    cli.child.kill('SIGKILL');
    const run = await cli.exited;
    assert.equal(run.signal, 'SIGKILL');
  } finally {
    await proxy.close();
  }
  return projectContainersOf(docker, f.name);
}

/** `up -d` again, directly: it must converge. Returns how long it took. */
async function converge(t: TestContext, f: Fixture, seen: ProjectContainer[]): Promise<number> {
  const run = await runCli(['up', '-d', ...f.args]);
  assert.equal(run.status, 0, run.stderr);
  const hashes = await runCli(['config', '--hash', '*', ...f.args]);
  assert.equal(hashes.status, 0, hashes.stderr);
  const wantedHash = new Map(hashes.stdout.trim().split('\n').map((l) => l.split(/\s+/) as [string, string]));
  const now = await projectContainersOf(docker, f.name);
  assert.deepEqual(now.map((c) => `${c.service}-${c.number}`).sort(), WANTED, `containers after the converging up: ${now.map((c) => c.name).join(', ')}`);
  for (const c of now) {
    assert.equal(c.name, `${f.name}-${c.service}-${c.number}`);
    assert.equal(isSetAside(c), false);
    assert.equal(c.state, 'running', `${c.name} is ${c.state}`);
    assert.equal(c.configHash, wantedHash.get(c.service), `${c.name} runs an old configuration`);
  }
  t.diagnostic(`converging up took ${run.ms} ms`);
  await downLeavesNothing(f, [...seen, ...now]);
  return run.ms;
}

async function downLeavesNothing(f: Fixture, seen: ProjectContainer[]): Promise<void> {
  const down = await runCli(['down', '-v', '-t', '1', ...f.args]);
  assert.equal(down.status, 0, down.stderr);
  const anonymous = [...new Set(seen.flatMap((c) => c.anonymousVolumes))];
  assert.ok(anonymous.length > 0, 'the stack mounts anonymous volumes');
  assert.deepEqual(await leftovers(docker, f.name, { networks: [`${f.name}_default`, `${f.name}_back`], volumes: [`${f.name}_data`, ...anonymous] }), {
    containers: [],
    networks: [],
    volumes: [],
  });
}

describe('kill -9 of the CLI during up, then up again', () => {
  before(async () => {
    await requireEngine(docker);
    await ensureTestImage(docker);
  });

  after(async () => {
    for (const name of projects) await removeProject(docker, name);
  });

  it('converges after a kill right after the networks were created, before any container', async (t) => {
    const f = fixture('networks');
    const seen = await killUpAt(
      f,
      (c) => (isCreate(c) ? 'hold' : 'pass'),
      (calls) => calls.filter(isNetworkCreate).every((c) => c.status !== undefined) && calls.some(isCreate),
    );
    assert.deepEqual(seen, []);
    const networks = (await leftovers(docker, f.name)).networks.sort();
    assert.deepEqual(networks, [`${f.name}_back`, `${f.name}_default`]);
    await converge(t, f, seen);
  });

  it('converges after a kill in the middle of creating the containers', async (t) => {
    const f = fixture('creating');
    const seen = await killUpAt(
      f,
      // Starts are held too: the one container that exists must stay as created.
      (c, earlier) => ((isCreate(c) && earlier.some(isCreate)) || isStart(c) ? 'hold' : 'pass'),
      (calls) => calls.filter(isCreate).length >= 2 && calls.find(isCreate)!.status !== undefined,
    );
    assert.equal(seen.length, 1, `one container was created: ${seen.map((c) => c.name).join(', ')}`);
    assert.equal(seen[0]!.state, 'created');
    await converge(t, f, seen);
  });

  it('converges after a kill between setting a container aside and creating its replacement', async (t) => {
    const f = fixture('aside');
    const first = await runCli(['up', '-d', ...f.args]);
    assert.equal(first.status, 0, first.stderr);
    const original = await projectContainersOf(docker, f.name);
    writeFileSync(join(f.dir, 'compose.yaml'), stack(2));
    const seen = await killUpAt(
      f,
      (c, earlier) => (isCreate(c) && earlier.some(isRename) ? 'hold' : 'pass'),
      (calls) => calls.some(isCreate) && calls.find(isRename)?.status === 204,
    );
    const api = original.find((c) => c.service === 'api')!;
    const aside = seen.find((c) => c.id === api.id)!;
    assert.equal(aside.name, `${api.id.slice(0, 12)}_${api.name}`, 'the old api container is set aside');
    assert.equal(aside.state, 'exited');
    assert.equal(seen.filter((c) => c.service === 'api').length, 1, 'and has no replacement yet');
    await converge(t, f, [...original, ...seen]);
  });

  it('converges after a kill between creating the replacement and starting it', async (t) => {
    const f = fixture('replaced');
    const first = await runCli(['up', '-d', ...f.args]);
    assert.equal(first.status, 0, first.stderr);
    const original = await projectContainersOf(docker, f.name);
    writeFileSync(join(f.dir, 'compose.yaml'), stack(2));
    const seen = await killUpAt(
      f,
      (c, earlier) => (isStart(c) && earlier.some(isRename) ? 'hold' : 'pass'),
      (calls) => calls.some(isStart) && calls.some((c) => isCreate(c) && c.status === 201),
    );
    const apis = seen.filter((c) => c.service === 'api');
    assert.equal(apis.length, 2, `the old api container set aside and its replacement: ${apis.map((c) => c.name).join(', ')}`);
    assert.equal(apis.filter(isSetAside).length, 1);
    await converge(t, f, [...original, ...seen]);
  });
});
