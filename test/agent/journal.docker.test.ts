import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { HeartbeatStack } from '../../src/contract/index.js';
import { createDockerClient } from '../../src/docker/index.js';
import { ensureTestImage, TEST_IMAGE } from '../helpers/test-image.js';
import { AUTH, KEY, uniqueName } from './helpers/agent.js';
import { FakeManager } from './helpers/manager.js';

/**
 * The agent's journal against real processes and the real engine (docs/agent.md, "The journal"):
 * `node bin/shipshape.js agent` is killed with SIGKILL in the middle of a deploy and started
 * again on the same WORK_DIR.
 */
const docker = createDockerClient();
const PROJECT = 'com.docker.compose.project';
const bin = fileURLToPath(new URL('../../../bin/shipshape.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'shipshape-journal-'));
const made = new Set<string>();
const children = new Set<ChildProcessWithoutNullStreams>();
const manager = new FakeManager();
let managerUrl: string;

before(async () => {
  await docker.ping({ timeoutMs: 5000 });
  await ensureTestImage(docker);
  managerUrl = await manager.start();
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const name of made) {
    for (const c of await docker.containers.list({ all: true, filters: { label: [`${PROJECT}=${name}`] } })) await docker.containers.remove(c.Id, { force: true, volumes: true });
    for (const n of await docker.networks.list({ filters: { label: [`${PROJECT}=${name}`] } })) await docker.networks.remove(n.Id).catch(() => undefined);
    for (const v of await docker.volumes.list({ filters: { label: [`${PROJECT}=${name}`] } })) await docker.volumes.remove(v.Name).catch(() => undefined);
  }
  await manager.stop();
  rmSync(scratch, { recursive: true, force: true });
});

interface AgentProcess {
  url: string;
  output: () => string;
  child: ChildProcessWithoutNullStreams;
  exited: Promise<number | null>;
}

/** `shipshape agent` on 127.0.0.1, any free port, heartbeats to the fake manager every half second. */
async function startAgentProcess(workDir: string, hostId: string): Promise<AgentProcess> {
  const env = {
    PATH: process.env.PATH ?? '',
    SERVER_KEY: KEY,
    WORK_DIR: workDir,
    API_PORT: '0',
    API_HOST: '127.0.0.1',
    ANALYSIS_GATE: 'critical',
    LOG_LEVEL: 'info',
    MANAGER_URL: managerUrl,
    HOST_ID: hostId,
    HEARTBEAT_INTERVAL: '0.5',
    ...(process.env.DOCKER_HOST ? { DOCKER_SOCKET: process.env.DOCKER_HOST } : {}),
  };
  const child = spawn(process.execPath, [bin, 'agent'], { env });
  children.add(child);
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await until('the agent listens', () => /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1], 30_000, () => output);
  return { url, output: () => output, child, exited };
}

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, context: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}\n${context()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function leftovers(name: string): Promise<{ containers: number; networks: number; volumes: number }> {
  const filters = { label: [`${PROJECT}=${name}`] };
  return {
    containers: (await docker.containers.list({ all: true, filters })).length,
    networks: (await docker.networks.list({ filters })).length,
    volumes: (await docker.volumes.list({ filters })).length,
  };
}

/** The stacks of the newest heartbeat from `hostId`. */
function lastStacks(hostId: string): HeartbeatStack[] | undefined {
  const beat = manager.beats.filter((b) => b.url === `/hosts/${hostId}/heartbeat`).at(-1);
  return (beat?.body as { stacks?: HeartbeatStack[] } | undefined)?.stacks;
}

function deployBody(name: string, compose: string): string {
  return JSON.stringify({ name, compose });
}

const headers = { ...AUTH, 'content-type': 'application/json' };

// `slow` never turns healthy, so `web`, which waits for it, keeps `up` busy for minutes.
const STUCK = `services:
  slow:
    image: ${TEST_IMAGE}
    command: ["sleep", "300"]
    stop_grace_period: 1s
    volumes: ["data:/data"]
    healthcheck:
      test: ["CMD", "false"]
      interval: 1s
      retries: 1000
  web:
    image: ${TEST_IMAGE}
    command: ["sleep", "300"]
    stop_grace_period: 1s
    depends_on:
      slow:
        condition: service_healthy
volumes:
  data: {}
`;

describe('an agent killed with SIGKILL in the middle of a deploy', () => {
  const workDir = join(scratch, 'killed');
  const hostId = uniqueName('host');
  const name = uniqueName('jrn-kill');
  made.add(name);

  test('had journaled the stack before its first engine call, and rolls it back when it starts again', async () => {
    const first = await startAgentProcess(workDir, hostId);
    const record = join(workDir, 'state', `${name}.json`);
    void fetch(`${first.url}/stacks`, { method: 'POST', headers, body: deployBody(name, STUCK) }).catch(() => undefined);

    // The engine's first object of the project: the record must be on disk already.
    await until('the deploy reached the engine', async () => (await docker.networks.list({ filters: { label: [`${PROJECT}=${name}`] } })).length > 0, 60_000, first.output);
    assert.ok(existsSync(record), 'the record exists as soon as the engine sees anything of the stack');
    assert.equal((JSON.parse(readFileSync(record, 'utf8')) as { state: string }).state, 'deploying');
    await until('the first container runs', async () => (await docker.containers.list({ filters: { label: [`${PROJECT}=${name}`] } })).length > 0, 60_000, first.output);

    first.child.kill('SIGKILL');
    await first.exited;
    const crashed = await leftovers(name);
    assert.ok(crashed.containers >= 1 && crashed.networks === 1 && crashed.volumes === 1, `the crash left the half-made stack behind: ${JSON.stringify(crashed)}`);
    assert.ok(existsSync(join(workDir, 'stacks', name)));

    const second = await startAgentProcess(workDir, hostId);
    try {
      // Recovery runs before the agent listens: by now nothing of the stack is left.
      assert.deepEqual(await leftovers(name), { containers: 0, networks: 0, volumes: 0 }, second.output());
      assert.equal(existsSync(join(workDir, 'stacks', name)), false, 'no orphan folder');
      assert.equal(existsSync(record), false, 'no record');
      assert.match(second.output(), new RegExp(`"stack":"${name}".*"msg":"deploy failed"`), 'the rollback is logged with its reason');

      const get = await fetch(`${second.url}/stacks/${name}`, { headers: AUTH });
      assert.equal(get.status, 404);
      const del = await fetch(`${second.url}/stacks/${name}`, { method: 'DELETE', headers: AUTH });
      assert.equal(del.status, 404);

      const reported = await until('a heartbeat reports the deploy failed', () => lastStacks(hostId)?.find((s) => s.name === name), 15_000, second.output);
      assert.equal(reported.status, 'failed');
      assert.match(reported.reason ?? '', /stopped before the deploy finished; rolled back/);

      // The name is free again.
      const again = await fetch(`${second.url}/stacks`, {
        method: 'POST',
        headers,
        body: deployBody(name, `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "300"]\n    stop_grace_period: 1s\n`),
      });
      assert.equal(again.status, 201, await again.text());
      const running = await until('a heartbeat reports it running', () => lastStacks(hostId)?.find((s) => s.name === name && s.status === 'running'), 15_000, second.output);
      assert.deepEqual(running.services, [{ name: 'app', state: 'running', health: null, running: 1, total: 1 }]);
      assert.equal((await fetch(`${second.url}/stacks/${name}`, { method: 'DELETE', headers: AUTH })).status, 200);
      assert.deepEqual(await leftovers(name), { containers: 0, networks: 0, volumes: 0 });
    } finally {
      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0, second.output());
    }
  });

  test('a deploy that fails after its caller hung up is logged with its reason, rolled back and reported', async () => {
    const failing = uniqueName('jrn-gone');
    made.add(failing);
    const agent = await startAgentProcess(join(scratch, 'gone'), hostId);
    try {
      const compose = `services:
  init:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "sleep 2; exit 3"]
  web:
    image: ${TEST_IMAGE}
    command: ["sleep", "300"]
    stop_grace_period: 1s
    depends_on:
      init:
        condition: service_completed_successfully
`;
      const caller = new AbortController();
      const answer = fetch(`${agent.url}/stacks`, { method: 'POST', headers, body: deployBody(failing, compose), signal: caller.signal }).catch((err: Error) => err);
      await until('the deploy reached the engine', async () => (await leftovers(failing)).containers > 0, 60_000, agent.output);
      caller.abort();
      assert.ok((await answer) instanceof Error, 'the caller hung up');
      const line = await until(
        'the failure is logged',
        () => agent.output().split('\n').find((l) => l.includes(`"stack":"${failing}"`) && l.includes('"msg":"deploy failed"')),
        60_000,
        agent.output,
      );
      const logged = JSON.parse(line) as { reason: string; caller_gone: boolean; code: string };
      assert.equal(logged.caller_gone, true);
      assert.equal(logged.code, 'deploy_failed');
      assert.match(logged.reason, /init/);
      await until('the rollback is done', async () => {
        const left = await leftovers(failing);
        return left.containers + left.networks + left.volumes === 0;
      }, 30_000, agent.output);
      const reported = await until('a heartbeat reports it failed', () => lastStacks(hostId)?.find((s) => s.name === failing && s.status === 'failed'), 15_000, agent.output);
      assert.match(reported.reason ?? '', /init/);
      assert.equal(existsSync(join(scratch, 'gone', 'stacks', failing)), false, 'no orphan folder');
      assert.equal(existsSync(join(scratch, 'gone', 'state', `${failing}.json`)), false, 'no record');
    } finally {
      agent.child.kill('SIGTERM');
      await agent.exited;
    }
  });
});
