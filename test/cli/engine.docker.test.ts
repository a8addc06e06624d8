import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDockerClient } from '../../src/docker/index.js';
import { LABEL } from '../../src/engine/index.js';
import { ensureTestImage, requireEngine, TEST_IMAGE } from '../helpers/test-image.js';
import { writeTree } from '../helpers/tmp.js';

// The compiled CLI next to this compiled test (dist/src/cli in `npm test`).
const cli = new URL('../../src/cli/index.js', import.meta.url).href;
const script = `const { main } = await import(${JSON.stringify(cli)}); process.exitCode = await main(process.argv.slice(1));`;
const docker = createDockerClient();
const RUN = randomUUID().slice(0, 6);
const projects: string[] = [];

/** Runs the CLI without blocking, so the tests of this file really run side by side. */
function shipshape(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function project(name: string, compose: string) {
  const full = `sscli${RUN}-${name}`;
  projects.push(full);
  const dir = writeTree({ 'compose.yaml': compose });
  return { name: full, dir, file: join(dir, 'compose.yaml') };
}

async function containers(name: string) {
  return docker.containers.list({ all: true, filters: { label: [`${LABEL.project}=${name}`] } });
}

const STACK = `
services:
  api:
    image: ${TEST_IMAGE}
    init: true
    command: sh -c 'echo api ready; exec httpd -f -p 80 -h /www'
    healthcheck: {test: "wget -q -O- http://127.0.0.1/health", interval: 250ms, retries: 40}
  web:
    image: ${TEST_IMAGE}
    init: true
    command: sh -c 'echo web ready; exec httpd -f -p 80 -h /www'
    ports: ["127.0.0.1::80"]
    depends_on: {api: {condition: service_healthy}}
`;

describe('shipshape up / ps / logs / restart / down', { concurrency: true }, () => {
  before(async () => {
    await requireEngine(docker);
    await ensureTestImage(docker);
  });

  after(async () => {
    for (const name of projects) {
      for (const c of await containers(name)) await docker.containers.remove(c.Id, { force: true });
      const filters = { label: [`${LABEL.project}=${name}`] };
      for (const n of await docker.networks.list({ filters })) await docker.networks.remove(n.Id).catch(() => {});
    }
  });

  it('starts a stack in the background, lists it, shows its logs, restarts it and takes it down', async () => {
    const { name, dir } = project('basic', STACK);
    const upRun = await shipshape(['up', '-d', dir, '-p', name]);
    assert.equal(upRun.status, 0, upRun.stderr);
    assert.equal(upRun.stdout, '');
    // Not a terminal: one plain line per step, in order.
    const steps = upRun.stderr.split('\n');
    assert.ok(steps.includes(`Network ${name}_default  Created`), upRun.stderr);
    assert.ok(steps.indexOf(`Container ${name}-api-1  Healthy`) < steps.indexOf(`Container ${name}-web-1  Started`), upRun.stderr);

    const table = await shipshape(['ps', dir, '-p', name]);
    assert.equal(table.status, 0, table.stderr);
    const [header, ...rows] = table.stdout.trim().split('\n');
    assert.match(header!, /^NAME\s+IMAGE\s+COMMAND\s+SERVICE\s+CREATED\s+STATUS\s+PORTS$/);
    assert.deepEqual(rows.map((r) => r.split(/\s+/)[0]), [`${name}-api-1`, `${name}-web-1`]);
    assert.match(rows[1]!, /127\.0\.0\.1:\d+->80\/tcp$/);

    const json = await shipshape(['ps', '-p', name, '--format', 'json']);
    assert.equal(json.status, 0, json.stderr);
    const listed = JSON.parse(json.stdout) as { Name: string; Service: string; State: string; Health: string; Publishers: { PublishedPort: number }[] }[];
    assert.deepEqual(listed.map((c) => [c.Name, c.Service, c.State, c.Health]), [
      [`${name}-api-1`, 'api', 'running', 'healthy'],
      [`${name}-web-1`, 'web', 'running', ''],
    ]);
    const response = await fetch(`http://127.0.0.1:${listed[1]!.Publishers[0]!.PublishedPort}/health`);
    assert.equal(await response.text(), 'ok\n');

    const logRun = await shipshape(['logs', '-p', name]);
    assert.equal(logRun.status, 0, logRun.stderr);
    assert.deepEqual(logRun.stdout.split('\n').filter(Boolean).sort(), ['api-1  | api ready', 'web-1  | web ready']);
    const onlyWeb = await shipshape(['logs', '--no-log-prefix', '-p', name, 'web']);
    assert.equal(onlyWeb.stdout, 'web ready\n');

    const restartRun = await shipshape(['restart', '--project-directory', dir, '-p', name, 'web']);
    assert.equal(restartRun.status, 0, restartRun.stderr);
    assert.match(restartRun.stderr, new RegExp(`Container ${name}-web-1  Restarted`));

    const downRun = await shipshape(['down', dir, '-p', name, '-v']);
    assert.equal(downRun.status, 0, downRun.stderr);
    assert.match(downRun.stderr, new RegExp(`Network ${name}_default  Removed`));
    assert.deepEqual(await containers(name), []);
  });

  it('exits 2 with file:line for an unsupported key, and creates nothing', async () => {
    const { name, dir, file } = project('unsupported', `services:\n  web:\n    image: ${TEST_IMAGE}\n    post_start: [{command: "true"}]\n`);
    const r = await shipshape(['up', '-d', dir, '-p', name]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `${file}:4:5: "post_start" is not supported by shipshape up (services.web.post_start): lifecycle hooks are not run by shipshape up yet\n`);
    assert.deepEqual(await containers(name), []);
  });

  it('exits 1 with the service and the rollback when up fails, without a stack trace', async () => {
    const { name, dir } = project(
      'failing',
      `services:\n  job:\n    image: ${TEST_IMAGE}\n    command: sh -c "exit 4"\n  app:\n    image: ${TEST_IMAGE}\n    depends_on: {job: {condition: service_completed_successfully}}\n`,
    );
    const r = await shipshape(['up', '-d', dir, '-p', name]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`shipshape: service "job" didn't complete successfully: container ${name}-job-1 exited with code 4`));
    assert.match(r.stderr, /rolled back: removed 2 container\(s\), 1 network\(s\), 0 volume\(s\)/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.deepEqual(await containers(name), []);
  });

  it('says how to reach an engine when there is none', async () => {
    const dir = writeTree({ 'compose.yaml': `services:\n  a: {image: ${TEST_IMAGE}}\n` });
    const r = await shipshape(['up', '-d', dir], { DOCKER_HOST: `unix:///tmp/shipshape-none-${RUN}.sock` });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^shipshape: cannot reach the Docker engine at unix:\/\/\/tmp\/shipshape-none-.*\.sock \(no such socket; is the engine running\?\)/);
    const bad = await shipshape(['ps', '-p', 'x'], { DOCKER_HOST: 'ssh://me@host' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /only unix:\/\/ and tcp:\/\/ engines are supported/);
  });

  it('attaches to the logs without -d and stops the stack on Ctrl-C', async () => {
    const { name, dir } = project('attached', STACK);
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, 'up', dir, '-p', name], {
      env: { PATH: process.env.PATH ?? '' },
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no log lines in time:\n${stdout}\n${stderr}`)), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('web-1  | web ready') && stdout.includes('api-1  | api ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    assert.match(stdout, new RegExp(`^Attaching to ${name}-api-1, ${name}-web-1\n`));
    child.kill('SIGINT');
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /Gracefully stopping\.\.\./);
    const states = (await containers(name)).map((c) => [c.Names[0], c.State]).sort();
    assert.deepEqual(states, [
      [`/${name}-api-1`, 'exited'],
      [`/${name}-web-1`, 'exited'],
    ]);
  });
});
