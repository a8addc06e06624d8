import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDockerClient } from '../../src/docker/index.js';
import { isSetAside, leftovers, projectContainersOf, removeProject, runCli, spawnCli } from '../helpers/cli-process.js';
import { startEngineProxy } from '../helpers/engine-proxy.js';
import { ensureTestImage, requireEngine, TEST_IMAGE } from '../helpers/test-image.js';
import { writeTree } from '../helpers/tmp.js';

// `up` after a failed or interrupted run: leftovers set aside are adopted or removed, and a
// rollback undoes exactly what its run did, also when a step of it failed half-way.

const docker = createDockerClient();
const RUN = randomUUID().slice(0, 6);
const projects: string[] = [];
const blockers: string[] = [];

function fixture(tag: string, compose: string) {
  const name = `ssconv${RUN}-${tag}`;
  projects.push(name);
  const dir = writeTree({ 'compose.yaml': compose });
  return { name, dir, file: join(dir, 'compose.yaml'), args: [dir, '-p', name] };
}

const web = (env: string, command = `sh -c 'exec httpd -f -p 80 -h /www'`) => `
  web:
    image: ${TEST_IMAGE}
    init: true
    command: ${command}
    environment: {V: ${env}}
    volumes: [/state]
    healthcheck: {test: "wget -q -O- http://127.0.0.1/health", interval: 250ms, retries: 40}`;
const worker = `
  worker:
    image: ${TEST_IMAGE}
    init: true
    command: sleep 3600
    depends_on: {web: {condition: service_healthy}}`;
const GOOD = `services:${web('good')}${worker}\n`;
// Its web exits at once, so the worker's wait fails and `up` fails after the recreate.
const BROKEN = `services:${web('broken', `sh -c 'exit 3'`)}${worker}\n`;
const THIRD = `services:${web('third')}${worker}\n`;

async function state(name: string) {
  return (await projectContainersOf(docker, name)).map((c) => ({ ...c, aside: isSetAside(c) }));
}

describe('up converges from what a failed run left', { concurrency: true }, () => {
  before(async () => {
    await requireEngine(docker);
    await ensureTestImage(docker);
  });

  after(async () => {
    for (const id of blockers) await docker.containers.remove(id, { force: true }).catch(() => {});
    for (const name of projects) await removeProject(docker, name);
  });

  it('good, then broken with --keep-on-failure, then third: up works and no copy is left aside', async (t) => {
    const f = fixture('repro', GOOD);
    assert.equal((await runCli(['up', '-d', ...f.args])).status, 0);
    const good = (await state(f.name)).find((c) => c.service === 'web')!;
    writeFileSync(f.file, BROKEN);
    const broken = await runCli(['up', '-d', '--keep-on-failure', ...f.args]);
    assert.equal(broken.status, 1, broken.stderr);
    assert.match(broken.stderr, /--keep-on-failure: what this run created was left in place; the next up or down tidies it/);
    const left = await state(f.name);
    assert.ok(left.some((c) => c.id === good.id && c.aside), `the good web is set aside: ${left.map((c) => c.name).join(', ')}`);

    writeFileSync(f.file, THIRD);
    const third = await runCli(['up', '-d', ...f.args]);
    assert.equal(third.status, 0, third.stderr);
    t.diagnostic(`the converging up took ${third.ms} ms`);
    const after = await state(f.name);
    assert.deepEqual(after.map((c) => [c.name, c.state, c.aside]), [
      [`${f.name}-web-1`, 'running', false],
      [`${f.name}-worker-1`, 'running', false],
    ]);
    assert.ok(!after.some((c) => c.id === good.id));
    // The anonymous volume went through both recreates.
    assert.deepEqual(after.find((c) => c.service === 'web')!.anonymousVolumes, good.anonymousVolumes);
    const again = await runCli(['up', '-d', ...f.args]);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual((await state(f.name)).map((c) => c.id), after.map((c) => c.id), 'a second up changes nothing');
  });

  it('--force-recreate works with a copy left aside, and takes the anonymous volume along', async (t) => {
    const f = fixture('force', GOOD);
    assert.equal((await runCli(['up', '-d', ...f.args])).status, 0);
    const good = (await state(f.name)).find((c) => c.service === 'web')!;
    writeFileSync(f.file, BROKEN);
    assert.equal((await runCli(['up', '-d', '--keep-on-failure', ...f.args])).status, 1);
    writeFileSync(f.file, GOOD);
    const forced = await runCli(['up', '-d', '--force-recreate', ...f.args]);
    assert.equal(forced.status, 0, forced.stderr);
    t.diagnostic(`the converging up --force-recreate took ${forced.ms} ms`);
    const after = await state(f.name);
    assert.deepEqual(after.map((c) => [c.name, c.state, c.aside]), [
      [`${f.name}-web-1`, 'running', false],
      [`${f.name}-worker-1`, 'running', false],
    ]);
    assert.deepEqual(after.find((c) => c.service === 'web')!.anonymousVolumes, good.anonymousVolumes);
    const down = await runCli(['down', '-v', '-t', '1', ...f.args]);
    assert.equal(down.status, 0, down.stderr);
    assert.deepEqual(await leftovers(docker, f.name, { networks: [`${f.name}_default`], volumes: good.anonymousVolumes }), { containers: [], networks: [], volumes: [] });
  });

  it('a rename that fails rolls back: the new containers go, the old ones come back running', async (t) => {
    // b ignores SIGTERM, so a's replacement surely exists by the time b's rename fails.
    const compose = `
services:
  a:
    image: ${TEST_IMAGE}
    init: true
    command: sleep 3600
  b:
    image: ${TEST_IMAGE}
    command: sh -c 'trap "" TERM; while true; do sleep 1; done'
    stop_grace_period: 5s
`;
    const f = fixture('rename', compose);
    assert.equal((await runCli(['up', '-d', ...f.args])).status, 0);
    const before = await state(f.name);
    const b = before.find((c) => c.service === 'b')!;
    // A container of no project holds the name b would be set aside under.
    const blocker = await docker.containers.create(`${b.id.slice(0, 12)}_${b.name}`, { Image: TEST_IMAGE, Cmd: ['true'] });
    blockers.push(blocker.id);

    const failed = await runCli(['up', '-d', '--force-recreate', ...f.args]);
    assert.equal(failed.status, 1, failed.stderr);
    t.diagnostic(`the failing up with its rollback took ${failed.ms} ms`);
    assert.match(failed.stderr, /rename container/);
    assert.match(failed.stderr, /rolled back: removed 1 container\(s\).*put back 2 replaced container\(s\)/);
    assert.doesNotMatch(failed.stderr, /could not undo/);
    const after = await state(f.name);
    assert.deepEqual(after.map((c) => [c.id, c.name, c.state]), before.map((c) => [c.id, c.name, 'running']));
    assert.equal((await docker.containers.inspect(blocker.id)).Name, `/${b.id.slice(0, 12)}_${b.name}`);

    await docker.containers.remove(blocker.id, { force: true });
    const retried = await runCli(['up', '-d', '--force-recreate', ...f.args]);
    assert.equal(retried.status, 0, retried.stderr);
    const recreated = await state(f.name);
    assert.deepEqual(recreated.map((c) => [c.name, c.state, c.aside]), [
      [`${f.name}-a-1`, 'running', false],
      [`${f.name}-b-1`, 'running', false],
    ]);
    assert.ok(recreated.every((c) => !before.some((o) => o.id === c.id)));
  });

  it('stop and down still work once the file has a dependency cycle, which up refuses with exit 2', async () => {
    const f = fixture('cycle', GOOD);
    assert.equal((await runCli(['up', '-d', ...f.args])).status, 0);
    // web now waits for worker, which waits for web.
    writeFileSync(f.file, GOOD.replace(`environment: {V: good}`, `environment: {V: good}\n    depends_on: [worker]`));
    const refused = await runCli(['up', '-d', ...f.args]);
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, /compose\.yaml:\d+:\d+: services depend on each other in a cycle: web → worker → web/);
    const stopped = await runCli(['stop', '-t', '1', '--project-directory', f.dir, '-p', f.name]);
    assert.equal(stopped.status, 0, stopped.stderr);
    assert.deepEqual((await state(f.name)).map((c) => c.state), ['exited', 'exited']);
    const down = await runCli(['down', '-v', '-t', '1', ...f.args]);
    assert.equal(down.status, 0, down.stderr);
    assert.deepEqual(await leftovers(docker, f.name, { networks: [`${f.name}_default`] }), { containers: [], networks: [], volumes: [] });
  });

  it('a container the engine created whose answer never arrived is rolled back too', async (t) => {
    const f = fixture('unheard', GOOD);
    const anonymous: string[] = [];
    // The create of web reaches the engine, its answer is kept from the CLI, then Ctrl-C.
    const proxy = await startEngineProxy((c, earlier) => (c.method === 'POST' && c.path.startsWith('/containers/create') && !earlier.some((e) => e.fate === 'swallow') ? 'swallow' : 'pass'));
    try {
      const cli = spawnCli(['up', '-d', ...f.args], { DOCKER_HOST: proxy.host });
      await proxy.until((calls) => calls.some((c) => c.fate === 'swallow' && c.status === 201));
      const created = await state(f.name);
      assert.ok(created.length >= 1);
      anonymous.push(...created.flatMap((c) => c.anonymousVolumes));
      const pressed = Date.now();
      cli.child.kill('SIGINT');
      const run = await cli.exited;
      assert.equal(run.status, 1, run.stderr);
      t.diagnostic(`cancelled and rolled back ${Date.now() - pressed} ms after Ctrl-C`);
      assert.match(run.stderr, /up was cancelled/);
      assert.match(run.stderr, /rolled back: removed \d container\(s\), 1 network\(s\)/);
    } finally {
      await proxy.close();
    }
    assert.ok(anonymous.length > 0);
    assert.deepEqual(await leftovers(docker, f.name, { networks: [`${f.name}_default`], volumes: anonymous }), { containers: [], networks: [], volumes: [] });
  });
});
