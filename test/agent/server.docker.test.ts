import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { parseAgentConfig } from '../../src/agent/config.js';
import { startAgent, type RunningAgent } from '../../src/agent/server.js';
import { createDockerClient } from '../../src/docker/index.js';
import { ensureTestImage, TEST_IMAGE } from '../helpers/test-image.js';
import { makeTar } from './helpers/archives.js';
import { AUTH, KEY, uniqueName } from './helpers/agent.js';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../../bin/shipshape.js', import.meta.url));
const docker = createDockerClient();
const scratch = mkdtempSync(join(tmpdir(), 'shipshape-agent-server-'));

before(async () => {
  await docker.ping({ timeoutMs: 5000 });
  await ensureTestImage(docker);
});
after(() => rmSync(scratch, { recursive: true, force: true }));

function config(env: Record<string, string>) {
  const parsed = parseAgentConfig({ SERVER_KEY: KEY, WORK_DIR: mkdtempSync(join(scratch, 'wd-')), LOG_LEVEL: 'silent', ...env });
  if (!parsed.ok) throw new Error(parsed.problems[0]!.message);
  return parsed.config;
}

describe('over a real port (127.0.0.1)', () => {
  let agent: RunningAgent;
  before(async () => {
    agent = await startAgent({ config: config({ API_HOST: '127.0.0.1', API_PORT: '0' }), version: '0.0.0-test', shutdownGraceMs: 1_000 });
  });
  after(async () => agent?.close());

  test('answers /health without a key and everything else only with it', async () => {
    assert.match(agent.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${agent.url}/health`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
    assert.ok(health.headers.get('x-request-id'));
    assert.equal((await fetch(`${agent.url}/containers`)).status, 401);
    const containers = await fetch(`${agent.url}/containers`, { headers: AUTH });
    assert.equal(containers.status, 200);
    assert.ok(Array.isArray((await containers.json()) as unknown));
    const bearer = await fetch(`${agent.url}/system/info`, { headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(bearer.status, 200);
  });

  test('follows a container log live; a caller that hangs up holds nothing up', async () => {
    const name = uniqueName('agt-follow');
    const created = await fetch(`${agent.url}/containers`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ image: TEST_IMAGE, name, command: ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.1; done'], labels: { 'dev.shipshape.test': name } }),
    });
    assert.equal(created.status, 201);
    const { id } = (await created.json()) as { id: string };
    try {
      const controller = new AbortController();
      const res = await fetch(`${agent.url}/containers/${id}/logs?follow=true`, { headers: AUTH, signal: controller.signal });
      assert.equal(res.status, 200);
      let text = '';
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk);
        if (/tick 5\n/.test(text)) break;
      }
      controller.abort();
      assert.match(text, /^tick 1\ntick 2\n/);
      // The agent still answers (nothing is stuck on the abandoned stream).
      assert.equal((await fetch(`${agent.url}/health`)).status, 200);
    } finally {
      await docker.containers.remove(id, { force: true });
    }
  });
});

describe("seed 004's check", () => {
  test('curl http://localhost:8003/health', async () => {
    const deadline = Date.now() + 30_000;
    let agent: RunningAgent | undefined;
    // Another test file may hold port 8003 for a moment; wait for it rather than fail.
    while (!agent) {
      try {
        agent = await startAgent({ config: config({ API_HOST: '127.0.0.1', API_PORT: '8003' }), version: '0.0.0-test' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    try {
      const { stdout } = await run('curl', ['-s', '--fail', 'http://localhost:8003/health']);
      const body = JSON.parse(stdout) as { status: string; docker_ok: boolean };
      assert.equal(body.status, 'ok');
      assert.equal(body.docker_ok, true);
    } finally {
      await agent.close();
    }
  });
});

describe('shipshape agent (the CLI)', () => {
  const cli = (args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) =>
    run(process.execPath, [bin, ...args], { cwd: options.cwd ?? scratch, env: { PATH: process.env.PATH ?? '', ...options.env } }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  test('bad configuration exits 2 naming the variable, without a stack trace', async () => {
    const missing = await cli(['agent']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^shipshape agent: SERVER_KEY is required/m);
    const bad = await cli(['agent'], { env: { SERVER_KEY: KEY, MAX_CONTAINERS: 'ten', API_PORT: '99999' } });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^shipshape agent: API_PORT must be an integer between 0 and 65535, not 99999$/m);
    assert.match(bad.stderr, /^shipshape agent: MAX_CONTAINERS must be an integer between 1 and 1000000, not "ten"$/m);
    assert.doesNotMatch(bad.stderr, /\n\s+at /);
    const envFile = join(scratch, 'agent.env');
    writeFileSync(envFile, `SERVER_KEY=${KEY}\nHEARTBEAT_INTERVAL=soon\n`);
    const fromFile = await cli(['agent', '--env-file', envFile]);
    assert.equal(fromFile.code, 2);
    assert.match(fromFile.stderr, /^shipshape agent: HEARTBEAT_INTERVAL must be a number between 0.1 and 86400, not "soon"$/m);
  });

  test('starts from .env, deploys a stack from a package, reports it, removes it, and stops on SIGTERM', async () => {
    const cwd = mkdtempSync(join(scratch, 'cli-'));
    const workDir = join(cwd, 'work');
    writeFileSync(join(cwd, '.env'), `SERVER_KEY=${KEY}\nWORK_DIR=${workDir}\nLOG_LEVEL=info\n# the environment wins over this:\nAPI_PORT=1\n`);
    const child = spawn(process.execPath, [bin, 'agent', '--host', '127.0.0.1'], { cwd, env: { PATH: process.env.PATH ?? '', API_PORT: '0' } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      let url: string | undefined;
      while (!url && Date.now() < deadline) {
        url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(url, `the agent said where it listens:\n${output}`);
      const name = uniqueName('agt-cli');
      const pkg = await makeTar([{ name: 'compose.yaml', data: `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "300"]\n    stop_grace_period: 1s\n` }]);
      const upload = await fetch(`${url}/files`, { method: 'POST', headers: { ...AUTH, 'content-type': 'application/gzip' }, body: pkg });
      assert.equal(upload.status, 201);
      const { id } = (await upload.json()) as { id: string };
      const deployed = await fetch(`${url}/stacks`, { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: JSON.stringify({ name, package_id: id }) });
      assert.equal(deployed.status, 201, await deployed.clone().text());
      const listed = (await (await fetch(`${url}/stacks`, { headers: AUTH })).json()) as { name: string; status: string }[];
      assert.deepEqual(listed.find((s) => s.name === name)?.status, 'running');
      const removed = await fetch(`${url}/stacks/${name}`, { method: 'DELETE', headers: AUTH });
      assert.equal(removed.status, 200);
      assert.equal(output.includes(KEY), false, 'the key is never logged');
      assert.ok(output.split('\n').filter((l) => l.includes('"reqId"')).length > 0, 'request lines carry ids');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, output);
  });
});
