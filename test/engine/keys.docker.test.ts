import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { loadProject } from '../../src/compose/index.js';
import { createDockerClient, type DockerClient } from '../../src/docker/index.js';
import { EngineError, LABEL, REFUSED_SERVICE_KEYS, UnsupportedConfigError, up } from '../../src/engine/index.js';
import { ensureTestImage, requireEngine, TEST_IMAGE } from '../helpers/test-image.js';
import { writeTree } from '../helpers/tmp.js';

/*
 * The keys shipshape up refuses, and the ones the engine here cannot honour (no GPU, a device
 * that does not exist, storage options on overlay without xfs quotas): each gives a clear error
 * naming the key or the service, and leaves nothing behind.
 */

const docker: DockerClient = createDockerClient();
const exec = promisify(execFile);
const RUN = randomUUID().slice(0, 6);
const projects: string[] = [];
const dirs: string[] = [];

function stack(id: string, compose: string, files: Record<string, string> = {}) {
  const dir = writeTree({ 'compose.yaml': compose, ...files });
  dirs.push(dir);
  const name = `ss${RUN}-${id}`;
  projects.push(name);
  const loaded = loadProject({ workingDir: dir, projectName: name, env: {} });
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], `${id} loads`);
  return { project: loaded.project!, positionOf: loaded.positionOf, dir, file: join(dir, 'compose.yaml'), name };
}

async function leftovers(project: string): Promise<number> {
  const filters = { label: [`${LABEL.project}=${project}`] };
  const [containers, networks, volumes] = await Promise.all([
    docker.containers.list({ all: true, filters }),
    docker.networks.list({ filters }),
    docker.volumes.list({ filters }),
  ]);
  return containers.length + networks.length + volumes.length;
}

/** One service per refused key, with a value the loader accepts. */
const REFUSED_VALUES: Record<string, string> = {
  annotations: '{com.example.a: b}',
  attach: 'false',
  credential_spec: '{config: my-credential-spec}',
  label_file: './labels.env',
  models: '[m]',
  post_start: '[{command: "true"}]',
  pre_stop: '[{command: "true"}]',
  provider: '{type: model, options: {model: ai/x}}',
  pull_refresh_after: '1h',
  use_api_socket: 'true',
};

describe('service keys the engine cannot honour here', { concurrency: true }, () => {
  before(async () => {
    await requireEngine(docker);
    await ensureTestImage(docker);
  });

  after(async () => {
    for (const project of projects) {
      const filters = { label: [`${LABEL.project}=${project}`] };
      for (const c of await docker.containers.list({ all: true, filters })) await docker.containers.remove(c.Id, { force: true, volumes: true });
      for (const n of await docker.networks.list({ filters })) await docker.networks.remove(n.Id).catch(() => {});
      for (const v of await docker.volumes.list({ filters })) await docker.volumes.remove(v.Name).catch(() => {});
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses every refused key with its file:line and reason, all at once, before anything is created', async () => {
    assert.deepEqual(Object.keys(REFUSED_VALUES).sort(), Object.keys(REFUSED_SERVICE_KEYS).sort(), 'every refused key is exercised');
    const keys = Object.keys(REFUSED_VALUES);
    const services = keys.map((key) => `  ${key.replace(/_/g, '-')}: {image: ${TEST_IMAGE}, ${key}: ${REFUSED_VALUES[key]}}`).join('\n');
    const { project, positionOf, file, name } = stack('refused', `services:\n  fine: {image: ${TEST_IMAGE}}\n${services}\nmodels:\n  m: {model: ai/x}\n`, {
      'labels.env': 'com.example.from-file=1\n',
    });
    await assert.rejects(up(project, { docker, positionOf }), (err: unknown) => {
      assert.ok(err instanceof UnsupportedConfigError, String(err));
      const lines = err.message.split('\n');
      assert.equal(lines.length, keys.length);
      keys.forEach((key, i) => {
        const line = i + 3;
        assert.ok(
          lines.some((l) => l.startsWith(`${file}:${line}:`) && l.includes(`"${key}" is not supported by shipshape up`) && l.endsWith(`: ${REFUSED_SERVICE_KEYS[key]}`)),
          `${key} at line ${line}:\n${err.message}`,
        );
      });
      return true;
    });
    assert.equal(await leftovers(name), 0);
  });

  it('gpus: loads, then up says the engine has no GPU driver and rolls back', async () => {
    const { project, positionOf, name } = stack('gpus', `services:\n  ok: {image: ${TEST_IMAGE}, command: sleep 60}\n  ml: {image: ${TEST_IMAGE}, command: sleep 60, gpus: all}\n`);
    await assert.rejects(up(project, { docker, positionOf }), (err: unknown) => {
      assert.ok(err instanceof EngineError && !(err instanceof UnsupportedConfigError), String(err));
      assert.match(err.message, /service "ml"/);
      assert.match(err.message, /asks for GPUs or other devices .* this Docker engine has no driver for them/);
      assert.match(err.message, /rolled back/);
      return true;
    });
    assert.equal(await leftovers(name), 0);
  });

  it('a device that does not exist: up names the service and the device, and rolls back', async () => {
    const device = `/dev/shipshape-missing-${RUN}`;
    const { project, name } = stack('device', `services:\n  io: {image: ${TEST_IMAGE}, command: sleep 60, devices: ["${device}"]}\n`);
    await assert.rejects(up(project, { docker }), (err: unknown) => {
      assert.ok(err instanceof EngineError, String(err));
      assert.match(err.message, /service "io"/);
      assert.ok(err.message.includes(device), err.message);
      assert.match(err.message, /rolled back/);
      return true;
    });
    assert.equal(await leftovers(name), 0);
  });

  it('storage_opt: applied as docker-compose v1 applies it, or refused by the engine for both', async () => {
    const compose = `services:\n  disk: {image: ${TEST_IMAGE}, command: sleep 60, init: true, storage_opt: {size: 1G}}\n`;
    const { project, dir, name } = stack('storage', compose);
    const v1 = `${name}-v1`;
    projects.push(v1);
    const theirs = await exec('docker-compose', ['-p', v1, 'up', '-d'], { cwd: dir }).then(
      () => undefined,
      (err: Error & { stderr?: string }) => err.stderr ?? err.message,
    );
    const ours = await up(project, { docker }).then(
      () => undefined,
      (err: Error) => err.message,
    );
    if (theirs === undefined) {
      assert.equal(ours, undefined, 'docker-compose v1 ran it');
      const [a, b] = await Promise.all([docker.containers.inspect(`${name}-disk-1`), docker.containers.inspect(`${v1}_disk_1`)]);
      assert.deepEqual(a.HostConfig.StorageOpt, b.HostConfig.StorageOpt);
    } else {
      // The engine's own reason (overlay without xfs quotas here), in both tools' messages.
      const reason = /--storage-opt[^\n]*/.exec(theirs)?.[0];
      assert.ok(reason, theirs);
      assert.ok(ours?.includes(reason), `${ours}`);
      assert.match(ours!, /service "disk"[\s\S]*rolled back/);
      assert.equal(await leftovers(name), 0);
    }
  });

  it('keys docker-compose v1 does not know (cgroup, uts, platform, deploy.restart_policy, develop) reach the engine as compose v2 sends them', async () => {
    const info = await docker.version();
    const compose = `services:
  app:
    image: ${TEST_IMAGE}
    command: sleep 60
    init: true
    cgroup: private
    uts: host
    platform: ${info.Os}/${info.Arch}
    develop: {watch: [{path: ., action: rebuild}]}
    deploy:
      restart_policy: {condition: any}
`;
    const { project, name } = stack('newer', compose);
    const result = await up(project, { docker });
    assert.deepEqual(result.warnings, []);
    const app = await docker.containers.inspect(`${name}-app-1`);
    assert.equal(app.State.Running, true);
    const host = app.HostConfig as typeof app.HostConfig & { CgroupnsMode?: string; UTSMode?: string };
    assert.equal(host.CgroupnsMode, 'private');
    assert.equal(host.UTSMode, 'host');
    assert.deepEqual(host.RestartPolicy, { Name: 'always', MaximumRetryCount: 0 });
  });

  it('platform: an image for another platform is refused by the engine, naming the service, and rolled back', async () => {
    const { project, name } = stack('platform', `services:\n  app: {image: ${TEST_IMAGE}, command: sleep 60, platform: windows/arm64}\n`);
    await assert.rejects(up(project, { docker }), (err: unknown) => {
      assert.ok(err instanceof EngineError, String(err));
      assert.match(err.message, /service "app"/);
      assert.match(err.message, /rolled back/);
      return true;
    });
    assert.equal(await leftovers(name), 0);
  });
});
