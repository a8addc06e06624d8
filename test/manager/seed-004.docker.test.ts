import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parseAgentConfig, startAgent, type RunningAgent } from '../../src/agent/index.js';
import { createDockerClient } from '../../src/docker/index.js';
import { ensureTestImage, TEST_IMAGE } from '../helpers/test-image.js';
import { ADMIN, composeZip, eventually, startTestManager, type TestManager } from './helpers.js';
import { freePort } from '../helpers/ports.js';

const run = promisify(execFile);

/**
 * Seed 004's README, end to end: its curl commands as written (the manager's address and the
 * credentials filled in), against this manager and a real Shipshape agent on the real engine.
 */
describe('seed 004: the Machine Lab Manager flow with a real agent and Docker engine', () => {
  let manager: TestManager;
  let agent: RunningAgent | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'shipshape-seed-004-'));
  const env: Record<string, string> = {};
  const docker = createDockerClient();

  /** Runs a README snippet with bash; the variables it uses come from `env`. */
  const sh = async (script: string): Promise<string> => {
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], { env: { ...process.env, ...env }, cwd: dir, maxBuffer: 16 * 2 ** 20 });
    return stdout;
  };

  before(async () => {
    await ensureTestImage(docker);
    manager = await startTestManager('sqlite', { listen: true, config: { offlineAfter: 1.5 } });
    env.MANAGER = manager.url!;
  });
  after(async () => {
    await agent?.close().catch(() => undefined);
    await manager.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs in, registers the host, runs its agent, launches, restarts and deletes a stack, and sees the host go offline', async () => {
    // "Login to manager to get admin key"
    env.ADMIN_KEY = (
      await sh(`curl -s -X POST "$MANAGER/auth/login" \\
     -H "Content-Type: application/json" \\
     -d '{
       "email": "${ADMIN.email}",
       "password": "${ADMIN.password}"
     }' | jq -r '.admin_key'`)
    ).trim();
    assert.match(env.ADMIN_KEY, /^ey[\w-]+\.[\w-]+\.[\w-]+$/);

    // "Register this host (save the response)"
    const registered = JSON.parse(
      await sh(`curl -s -X POST "$MANAGER/hosts/" \\
     -H "Content-Type: application/json" \\
     -H "X-Admin-Key: $ADMIN_KEY" \\
     -d '{
       "hostname": "host-01",
       "ip": "127.0.0.1",
       "ssh_port": 22,
       "api_port": 0,
       "max_containers": 10
     }'`.replace('"api_port": 0', `"api_port": ${await freePort()}`)),
    ) as { id: string; host_id: string; server_key: string };
    assert.equal(registered.id, registered.host_id);
    env.HOST_ID = registered.id;
    env.SERVER_KEY = registered.server_key;

    // "Configure Environment", bare metal: the agent with that id and key.
    const host = await manager.repo.getHost(registered.id);
    const parsed = parseAgentConfig({
      DOCKER_SOCKET: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock',
      MANAGER_URL: env.MANAGER,
      HOST_ID: env.HOST_ID,
      SERVER_KEY: env.SERVER_KEY,
      HEARTBEAT_INTERVAL: '0.3',
      API_PORT: String(host!.apiPort),
      API_HOST: '127.0.0.1',
      WORK_DIR: join(dir, 'agent'),
      LOG_LEVEL: 'silent',
    });
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.problems.map((p) => p.message).join('; '));
    agent = await startAgent({ config: parsed.config, version: '0.0.0-test' });
    env.AGENT = agent.url;

    // "Verify Installation"
    assert.equal(JSON.parse(await sh('curl -s "$AGENT/health"')).status, 'ok');

    // "Verify registration by checking the manager": online once the first heartbeat is in.
    await eventually(async () => {
      const hosts = JSON.parse(await sh('curl -s -H "X-Admin-Key: $ADMIN_KEY" "$MANAGER/hosts/"')) as { id: string; status: string }[];
      return hosts.find((h) => h.id === env.HOST_ID && h.status === 'online');
    }, 10_000, 'the host online');
    const one = JSON.parse(await sh('curl -s -H "X-Admin-Key: $ADMIN_KEY" "$MANAGER/hosts/$HOST_ID"')) as { docker_ok: boolean; agent_version: string; healthiness: string };
    assert.equal(one.docker_ok, true);
    assert.equal(one.agent_version, '0.0.0-test');

    // "Test heartbeat manually"
    const ack = await sh(`curl -s -H "X-Server-Key: $SERVER_KEY" \\
  -H "Content-Type: application/json" \\
  "$MANAGER/hosts/$HOST_ID/heartbeat" \\
  -d '{"cpu": 15, "mem": 30, "containers": 2}'`);
    assert.deepEqual(JSON.parse(ack), { ack: true });

    // machine-lab's launch: a ZIP with the compose file at its top.
    writeFileSync(
      join(dir, 'package.zip'),
      composeZip(`services:\n  web:\n    image: ${TEST_IMAGE}\n    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]\n    restart: unless-stopped\n`),
    );
    const answer = await sh('curl -s -X POST "$MANAGER/containers/launch?user_id=student-7" -H "X-Admin-Key: $ADMIN_KEY" -F "file=@package.zip"');
    const launched = JSON.parse(answer) as { id: string; host_id: string };
    assert.equal(launched.host_id, env.HOST_ID, answer);
    env.CONTAINER_ID = launched.id;
    const running = await eventually(async () => {
      const d = JSON.parse(await sh('curl -s -H "X-Admin-Key: $ADMIN_KEY" "$MANAGER/containers/$CONTAINER_ID"')) as { state: string; reason: string | null };
      if (d.state === 'failed') throw new Error(`deployment failed: ${d.reason}`);
      return d.state === 'running' ? d : undefined;
    }, 60_000, 'the deployment running');
    assert.equal(running.state, 'running');
    const containersOf = async () =>
      (await docker.containers.list({ all: true, filters: { label: [`com.docker.compose.project=${launched.id}`] } })).map((c) => c.State);
    assert.deepEqual(await containersOf(), ['running'], 'a real container runs on the engine');

    const restarted = await sh('curl -s -X POST -H "X-Admin-Key: $ADMIN_KEY" "$MANAGER/containers/$CONTAINER_ID/restart"');
    assert.deepEqual(JSON.parse(restarted), { detail: 'Container restarted successfully' });
    assert.deepEqual(await containersOf(), ['running']);

    const deleted = await sh('curl -s -X DELETE -H "X-Admin-Key: $ADMIN_KEY" "$MANAGER/containers/$CONTAINER_ID"');
    assert.deepEqual(JSON.parse(deleted), { detail: 'Container stopped and removed successfully' });
    assert.deepEqual(await containersOf(), []);
    assert.equal((await sh('curl -s -o /dev/null -w "%{http_code}" -H "X-Admin-Key: $ADMIN_KEY" "$MANAGER/containers/$CONTAINER_ID"')).trim(), '404');

    // The agent stops; the manager notices within OFFLINE_AFTER and one check.
    await agent.close();
    agent = undefined;
    const stoppedAt = Date.now();
    await eventually(async () => {
      const status = JSON.parse(await sh('curl -s -H "X-Admin-Key: $ADMIN_KEY" "$MANAGER/hosts/$HOST_ID/status"')) as { status: string };
      return status.status === 'offline' ? true : undefined;
    }, 10_000, 'the host offline');
    assert.ok(Date.now() - stoppedAt < 1_500 + 1_000, 'offline within OFFLINE_AFTER and a check');
  });
});

