import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildAgent } from '../../src/agent/app.js';
import { parseAgentConfig } from '../../src/agent/config.js';
import type { AgentApp } from '../../src/agent/context.js';
import type { StackDetail, StackSummary } from '../../src/contract/index.js';
import { createDockerClient } from '../../src/docker/index.js';
import { ensureTestImage, TEST_IMAGE } from '../helpers/test-image.js';
import { AUTH, KEY, uniqueName } from './helpers/agent.js';

/**
 * Stacks the agent has no record of (docs/agent.md, "The journal"): known only by their compose
 * labels or by their folder under WORK_DIR, they are adopted, so they can be seen and removed and
 * their name used again.
 */
const docker = createDockerClient();
const PROJECT = 'com.docker.compose.project';
const workDir = mkdtempSync(join(tmpdir(), 'shipshape-adopt-'));
const made = new Set<string>();
const apps = new Set<AgentApp>();

/** An agent on the shared WORK_DIR; closing it leaves WORK_DIR as it is (a restart, not a reinstall). */
async function agentOnWorkDir(): Promise<AgentApp> {
  const parsed = parseAgentConfig({ SERVER_KEY: KEY, WORK_DIR: workDir, LOG_LEVEL: 'silent', ANALYSIS_GATE: 'critical', ...(process.env.DOCKER_HOST ? { DOCKER_SOCKET: process.env.DOCKER_HOST } : {}) });
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  const app = buildAgent({ config: parsed.config, version: '0.0.0-test', logStream: false, refusalLimit: 0 });
  apps.add(app);
  await app.ready();
  return app;
}

async function close(app: AgentApp): Promise<void> {
  apps.delete(app);
  await app.close();
}

before(async () => {
  await docker.ping({ timeoutMs: 5000 });
  await ensureTestImage(docker);
});

after(async () => {
  for (const app of apps) await app.close();
  for (const name of made) {
    for (const c of await docker.containers.list({ all: true, filters: { label: [`${PROJECT}=${name}`] } })) await docker.containers.remove(c.Id, { force: true, volumes: true });
    for (const n of await docker.networks.list({ filters: { label: [`${PROJECT}=${name}`] } })) await docker.networks.remove(n.Id).catch(() => undefined);
    for (const v of await docker.volumes.list({ filters: { label: [`${PROJECT}=${name}`] } })) await docker.volumes.remove(v.Name).catch(() => undefined);
  }
  rmSync(workDir, { recursive: true, force: true });
});

const compose = (command = '["sleep", "300"]') => `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ${command}\n    stop_grace_period: 1s\n`;

async function deploy(app: AgentApp, name: string): Promise<void> {
  made.add(name);
  const res = await app.inject({ method: 'POST', url: '/stacks', headers: AUTH, payload: { name, compose: compose() } });
  assert.equal(res.statusCode, 201, res.body);
}

async function leftovers(name: string): Promise<number> {
  const filters = { label: [`${PROJECT}=${name}`] };
  return (await docker.containers.list({ all: true, filters })).length + (await docker.networks.list({ filters })).length;
}

/** What a lost record looks like: the record and the folder are gone, the containers run on. */
function loseRecord(name: string): void {
  rmSync(join(workDir, 'state', `${name}.json`));
  rmSync(join(workDir, 'stacks', name), { recursive: true });
}

describe('stacks without a record', () => {
  test('known only by their labels: adopted when the agent starts, then seen, removed, and deployed again', async () => {
    const name = uniqueName('adopt-lbl');
    const first = await agentOnWorkDir();
    await deploy(first, name);
    await close(first);
    loseRecord(name);

    const second = await agentOnWorkDir();
    try {
      const listed = (await second.inject({ method: 'GET', url: '/stacks', headers: AUTH })).json() as StackSummary[];
      const mine = listed.find((s) => s.name === name);
      assert.ok(mine, 'adopted at start, before any request named it');
      assert.deepEqual([mine.source, mine.status, mine.containers], ['adopted', 'running', { running: 1, total: 1 }]);
      const detail = (await second.inject({ method: 'GET', url: `/stacks/${name}`, headers: AUTH })).json() as StackDetail;
      assert.deepEqual(detail.services.map((s) => s.name), ['app']);

      const restart = await second.inject({ method: 'POST', url: `/stacks/${name}/restart`, headers: AUTH });
      assert.equal(restart.statusCode, 409, 'its files never went through this agent\'s gate');
      const busy = await second.inject({ method: 'POST', url: '/stacks', headers: AUTH, payload: { name, compose: compose() } });
      assert.equal(busy.statusCode, 409);

      const removed = await second.inject({ method: 'DELETE', url: `/stacks/${name}`, headers: AUTH });
      assert.equal(removed.statusCode, 200, removed.body);
      assert.equal(await leftovers(name), 0);
      assert.equal(existsSync(join(workDir, 'state', `${name}.json`)), false);
      await deploy(second, name);
      assert.equal((await second.inject({ method: 'DELETE', url: `/stacks/${name}`, headers: AUTH })).statusCode, 200);
    } finally {
      await close(second);
    }
  });

  test('lost while the agent runs: the first request that names it adopts it', async () => {
    const name = uniqueName('adopt-run');
    const app = await agentOnWorkDir();
    try {
      await deploy(app, name);
      loseRecord(name);
      const compat = await app.inject({ method: 'DELETE', url: `/agent/containers/${name}`, headers: AUTH });
      assert.equal(compat.statusCode, 200, compat.body);
      assert.equal(await leftovers(name), 0, 'a delete through the manager takes the containers down too');
    } finally {
      await close(app);
    }
  });

  test('known only by their folder: adopted, stopped, and removed with the folder', async () => {
    const name = uniqueName('adopt-dir');
    const dir = join(workDir, 'stacks', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'compose.yaml'), compose());
    const app = await agentOnWorkDir();
    try {
      const detail = await app.inject({ method: 'GET', url: `/stacks/${name}`, headers: AUTH });
      assert.equal(detail.statusCode, 200, detail.body);
      const body = detail.json() as StackDetail;
      assert.deepEqual([body.source, body.status, body.reason], ['adopted', 'stopped', 'app missing']);
      assert.equal((await app.inject({ method: 'DELETE', url: `/stacks/${name}`, headers: AUTH })).statusCode, 200);
      assert.equal(existsSync(dir), false);
      assert.equal((await app.inject({ method: 'GET', url: `/stacks/${name}`, headers: AUTH })).statusCode, 404);
    } finally {
      await close(app);
    }
  });

  test("another project's containers are never adopted", async () => {
    const app = await agentOnWorkDir();
    try {
      const stranger = uniqueName('adopt-foreign');
      made.add(stranger);
      const container = await docker.containers.create(`${stranger}-x-1`, {
        Image: TEST_IMAGE,
        Cmd: ['sleep', '300'],
        Labels: { [PROJECT]: stranger, 'com.docker.compose.service': 'x', 'com.docker.compose.project.working_dir': '/somewhere/else' },
      });
      try {
        assert.equal((await app.inject({ method: 'GET', url: `/stacks/${stranger}`, headers: AUTH })).statusCode, 404);
        assert.equal((await app.inject({ method: 'DELETE', url: `/stacks/${stranger}`, headers: AUTH })).statusCode, 404);
        assert.equal((await docker.containers.list({ all: true, filters: { label: [`${PROJECT}=${stranger}`] } })).length, 1, 'left alone');
      } finally {
        await docker.containers.remove(container.id, { force: true });
      }
    } finally {
      await close(app);
    }
  });
});
