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

// The second Ctrl-C forces: real CLI processes, real signals, the real engine.

const docker = createDockerClient();
const RUN = randomUUID().slice(0, 6);
const projects: string[] = [];

function fixture(tag: string, compose: string) {
  const name = `ssint${RUN}-${tag}`;
  projects.push(name);
  const dir = writeTree({ 'compose.yaml': compose });
  return { name, dir, file: join(dir, 'compose.yaml'), args: [dir, '-p', name] };
}

// Ignores SIGTERM: a graceful stop would wait the whole grace period.
const STUBBORN = `
services:
  stubborn:
    image: ${TEST_IMAGE}
    command: sh -c 'trap "" TERM INT; echo ready; while true; do sleep 1; done'
    stop_grace_period: 120s
`;

const waiting = (healthy: boolean) => `
services:
  db:
    image: ${TEST_IMAGE}
    init: true
    command: sleep 3600
    healthcheck: {test: "${healthy ? 'true' : 'false'}", interval: ${healthy ? '250ms' : '60s'}, retries: 3}
  app:
    image: ${TEST_IMAGE}
    init: true
    command: sleep 3600
    depends_on: {db: {condition: service_healthy}}
`;

describe('Ctrl-C during up and down', () => {
  before(async () => {
    await requireEngine(docker);
    await ensureTestImage(docker);
  });

  after(async () => {
    for (const name of projects) await removeProject(docker, name);
  });

  it('while an attached up stops the stack gracefully, kills the containers and exits 130 at once', async (t) => {
    const f = fixture('attached', STUBBORN);
    const cli = spawnCli(['up', ...f.args]);
    await cli.printed('stubborn-1  | ready');
    cli.child.kill('SIGINT');
    await cli.printed('press Ctrl+C again to force');
    // Let the graceful stop begin on the engine.
    await cli.printed(/Stopping/);
    const pressed = Date.now();
    cli.child.kill('SIGINT');
    const run = await cli.exited;
    const took = Date.now() - pressed;
    assert.equal(run.status, 130, run.stderr);
    assert.ok(took < 60_000, `the forced stop took ${took} ms, the grace period is 120 s`);
    t.diagnostic(`exited ${took} ms after the second Ctrl-C`);
    const [c] = await projectContainersOf(docker, f.name);
    assert.equal(c?.state, 'exited', 'the container was killed, not left running');

    const again = await runCli(['up', '-d', ...f.args]);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual((await projectContainersOf(docker, f.name)).map((x) => [x.name, x.state]), [[`${f.name}-stubborn-1`, 'running']]);
    await docker.containers.kill(c.id).catch(() => {});
  });

  it('Ctrl-C during down cancels it at once (130); down again finishes and leaves nothing', async () => {
    const f = fixture('down', STUBBORN);
    const up = await runCli(['up', '-d', ...f.args]);
    assert.equal(up.status, 0, up.stderr);
    const cli = spawnCli(['down', '-v', ...f.args]);
    await cli.printed(/Stopping/);
    cli.child.kill('SIGINT');
    const run = await cli.exited;
    assert.equal(run.status, 130, run.stderr);
    assert.match(run.stderr, /down was cancelled; run it again to remove the rest/);
    assert.doesNotMatch(run.stderr, /internal error|at .*\.js:/);
    const again = await runCli(['down', '-v', '-t', '0', ...f.args]);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(await leftovers(docker, f.name, { networks: [`${f.name}_default`] }), { containers: [], networks: [], volumes: [] });
  });

  it('while a cancelled up rolls back, exits 130 at once; the next up converges and down leaves nothing', async (t) => {
    const f = fixture('rollback', waiting(false));
    // The rollback's removals are held, so the second Ctrl-C surely lands during the rollback.
    const proxy = await startEngineProxy((c) => (c.method === 'DELETE' && c.path.startsWith('/containers/') ? 'hold' : 'pass'));
    try {
      const cli = spawnCli(['up', '-d', ...f.args], { DOCKER_HOST: proxy.host });
      await cli.printed(/Container \S+-db-1 {2}Waiting/);
      cli.child.kill('SIGINT');
      await proxy.until((calls) => calls.some((c) => c.method === 'DELETE' && c.fate === 'hold'));
      const pressed = Date.now();
      cli.child.kill('SIGINT');
      const run = await cli.exited;
      assert.equal(run.status, 130, run.stderr);
      t.diagnostic(`exited ${Date.now() - pressed} ms after the second Ctrl-C`);
    } finally {
      await proxy.close();
    }
    assert.equal((await projectContainersOf(docker, f.name)).length, 2, 'the rollback did not get to remove the containers');

    writeFileSync(f.file, waiting(true));
    const again = await runCli(['up', '-d', ...f.args]);
    assert.equal(again.status, 0, again.stderr);
    const now = await projectContainersOf(docker, f.name);
    assert.deepEqual(now.map((c) => [c.name, c.state, isSetAside(c)]), [
      [`${f.name}-app-1`, 'running', false],
      [`${f.name}-db-1`, 'running', false],
    ]);
    const down = await runCli(['down', '-v', '-t', '1', ...f.args]);
    assert.equal(down.status, 0, down.stderr);
    assert.deepEqual(await leftovers(docker, f.name, { networks: [`${f.name}_default`] }), { containers: [], networks: [], volumes: [] });
  });
});
