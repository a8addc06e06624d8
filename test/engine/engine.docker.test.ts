import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadProject } from '../../src/compose/index.js';
import { createDockerClient, DockerNotFoundError, type DockerClient } from '../../src/docker/index.js';
import {
  down,
  EngineError,
  LABEL,
  logs,
  ps,
  restart,
  UnsupportedConfigError,
  up,
  type ProgressEvent,
} from '../../src/engine/index.js';
import { ensureTestImage, requireEngine, TEST_IMAGE } from '../helpers/test-image.js';
import { writeTree } from '../helpers/tmp.js';

const docker: DockerClient = createDockerClient();
const RUN = randomUUID().slice(0, 6);
const projects: string[] = [];

/** A compose project in a fresh directory, with a project name no other run uses. */
function stack(name: string, compose: string, files: Record<string, string> = {}) {
  const dir = writeTree({ 'compose.yaml': compose, ...files });
  return reload(dir, `ss${RUN}-${name}`);
}

function reload(dir: string, projectName: string) {
  const loaded = loadProject({ workingDir: dir, projectName, env: {} });
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], 'the fixture loads');
  if (!projects.includes(projectName)) projects.push(projectName);
  return { project: loaded.project!, positionOf: loaded.positionOf, dir, file: join(dir, 'compose.yaml') };
}

/** Everything on the engine that carries the project's label. */
async function leftovers(project: string): Promise<string[]> {
  const filters = { label: [`${LABEL.project}=${project}`] };
  const [containers, networks, volumes] = await Promise.all([
    docker.containers.list({ all: true, filters }),
    docker.networks.list({ filters }),
    docker.volumes.list({ filters }),
  ]);
  return [
    ...containers.map((c) => `container ${c.Names[0]!.slice(1)}`),
    ...networks.map((n) => `network ${n.Name}`),
    ...volumes.map((v) => `volume ${v.Name}`),
  ].sort();
}

const HEALTHY = '{test: "wget -q -O- http://127.0.0.1/health", interval: 250ms, timeout: 2s, retries: 40}';

/** The five services of the issue: health, a one-shot migration, replicas, a published port. */
const FIVE_SERVICES = `
x-base: &base
  image: ${TEST_IMAGE}
  init: true
services:
  db:
    <<: *base
    command: httpd -f -p 80 -h /www
    healthcheck: ${HEALTHY}
    volumes: [data:/data]
  migrate:
    <<: *base
    command: sh -c "echo migrated > /data/schema; echo migrated"
    volumes: [data:/data]
    depends_on: {db: {condition: service_healthy}}
  api:
    <<: *base
    command: httpd -f -p 80 -h /www
    healthcheck: ${HEALTHY}
    depends_on:
      db: {condition: service_healthy}
      migrate: {condition: service_completed_successfully}
    networks: [default, back]
  web:
    <<: *base
    command: httpd -f -p 80 -h /www
    ports: ["127.0.0.1::80"]
    environment: {GREETING: hello}
    volumes: [/cache]
    depends_on: {api: {condition: service_healthy}}
  worker:
    <<: *base
    command: sh -c 'echo worker $$HOSTNAME up; while true; do sleep 1; done'
    depends_on: [api]
    deploy: {replicas: 2}
    networks: [back]
volumes: {data: {}}
networks: {back: {}}
`;

function recorder() {
  const events: ProgressEvent[] = [];
  const at = (name: string, action: ProgressEvent['action'], status: ProgressEvent['status'] = 'done') =>
    events.findIndex((e) => e.name === name && e.action === action && e.status === status);
  return { events, at, onProgress: (e: ProgressEvent) => events.push(e) };
}

describe('engine against the Docker engine', { concurrency: true }, () => {
  before(async () => {
    await requireEngine(docker);
    await ensureTestImage(docker);
  });

  after(async () => {
    for (const name of projects) {
      const filters = { label: [`${LABEL.project}=${name}`] };
      for (const c of await docker.containers.list({ all: true, filters })) await docker.containers.remove(c.Id, { force: true, volumes: true });
      for (const n of await docker.networks.list({ filters })) await docker.networks.remove(n.Id).catch(() => {});
      for (const v of await docker.volumes.list({ filters })) await docker.volumes.remove(v.Name).catch(() => {});
      for (const i of await docker.images.list({ filters: { reference: [`${name}-*`] } })) await docker.images.remove(i.Id, { force: true });
    }
  });

  it('runs a 5-service stack: up in dependency order, ps, a published port, logs, restart, compose v1 ps, down', async () => {
    const { project, positionOf, file } = stack('five', FIVE_SERVICES);
    const name = project.name;
    const progress = recorder();
    const result = await up(project, { docker, positionOf, onProgress: progress.onProgress });
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(
      result.containers.map((c) => `${c.name}:${c.action}`).sort(),
      ['api-1', 'db-1', 'migrate-1', 'web-1', 'worker-1', 'worker-2'].map((c) => `${name}-${c}:create`),
    );

    // Each condition was met before the dependent started.
    const { at } = progress;
    assert.ok(at(`${name}-db-1`, 'wait-healthy') >= 0 && at(`${name}-db-1`, 'wait-healthy') < at(`${name}-migrate-1`, 'start', 'working'));
    assert.ok(at(`${name}-migrate-1`, 'wait-completed') < at(`${name}-api-1`, 'start', 'working'));
    assert.ok(at(`${name}-api-1`, 'wait-healthy') < at(`${name}-web-1`, 'start', 'working'));
    assert.ok(at(`${name}-api-1`, 'start') < at(`${name}-worker-1`, 'start', 'working'));

    const running = await ps(docker, name);
    assert.deepEqual(running.map((c) => `${c.name} ${c.state} ${c.health}`), [
      `${name}-api-1 running healthy`,
      `${name}-db-1 running healthy`,
      `${name}-web-1 running `,
      `${name}-worker-1 running `,
      `${name}-worker-2 running `,
    ]);
    const all = await ps(docker, name, { all: true });
    const migrate = all.find((c) => c.service === 'migrate')!;
    assert.equal(migrate.exitCode, 0);
    assert.equal(migrate.state, 'exited');

    // Reached only through the port published on 127.0.0.1.
    const [port] = running.find((c) => c.service === 'web')!.publishers;
    assert.equal(port?.url, '127.0.0.1');
    assert.equal(port?.targetPort, 80);
    const response = await fetch(`http://127.0.0.1:${port!.publishedPort}/index.html`);
    assert.equal(await response.text(), 'hello from shipshape\n');

    // Labels and aliases as compose v2 writes them.
    const api = await docker.containers.inspect(`${name}-api-1`);
    assert.equal(api.Config.Labels[LABEL.project], name);
    assert.equal(api.Config.Labels[LABEL.service], 'api');
    assert.equal(api.Config.Labels[LABEL.containerNumber], '1');
    assert.equal(api.Config.Labels[LABEL.oneoff], 'False');
    assert.equal(api.Config.Labels[LABEL.configFiles], file);
    assert.match(api.Config.Labels[LABEL.configHash]!, /^[0-9a-f]{64}$/);
    assert.deepEqual(Object.keys(api.NetworkSettings.Networks).sort(), [`${name}_back`, `${name}_default`]);
    const aliases = (api.NetworkSettings.Networks[`${name}_back`] as { Aliases: string[] }).Aliases;
    assert.ok(aliases.includes('api') && aliases.includes(`${name}-api-1`), aliases.join(','));
    // The worker reaches the API by its service name over the shared network.
    const fromWorker = await docker.containers.exec(`${name}-worker-1`, ['wget', '-q', '-O-', 'http://api/health']);
    assert.deepEqual(fromWorker, { exitCode: 0, stdout: 'ok', stderr: '' });

    const lines = [];
    for await (const line of logs(docker, name, { services: ['migrate', 'worker'] })) lines.push(`${line.service}-${line.number}: ${line.line}`);
    assert.ok(lines.includes('migrate-1: migrated'), lines.join('\n'));
    assert.equal(lines.filter((l) => /^worker-\d: worker .* up$/.test(l)).length, 2, lines.join('\n'));

    // docker-compose v1 finds the containers by their labels.
    const v1 = spawnSync('docker-compose', ['-f', file, '-p', name, 'ps'], { encoding: 'utf8' });
    assert.equal(v1.status, 0, v1.stderr);
    for (const c of all) assert.match(v1.stdout, new RegExp(`^${c.name} `, 'm'), v1.stdout);

    const before = await docker.containers.inspect(`${name}-web-1`);
    assert.deepEqual(await restart(project, { docker, services: ['web'] }), [`${name}-web-1`]);
    const after = await docker.containers.inspect(`${name}-web-1`);
    assert.equal(after.Id, before.Id);
    assert.notEqual(after.State.StartedAt, before.State.StartedAt);

    const removed = await down(project, { docker, removeVolumes: true });
    assert.equal(removed.removedContainers.length, 6);
    assert.deepEqual(removed.removedNetworks.sort(), [`${name}_back`, `${name}_default`]);
    assert.deepEqual(removed.removedVolumes, [`${name}_data`]);
    assert.deepEqual(await leftovers(name), []);
  });

  it('recreates only the services whose configuration changed', async () => {
    const { project, dir, file } = stack('recreate', FIVE_SERVICES);
    await up(project, { docker });
    const ids = async () => Object.fromEntries((await ps(docker, project.name, { all: true })).map((c) => [c.name, c.id]));
    const first = await ids();

    const again = await up(project, { docker });
    const actions = Object.fromEntries(again.containers.map((c) => [c.name.slice(project.name.length + 1), c.action]));
    // The one-shot migration has exited, so it runs again, as with compose; the rest is kept.
    assert.deepEqual(actions, { 'api-1': 'keep', 'db-1': 'keep', 'migrate-1': 'start', 'web-1': 'keep', 'worker-1': 'keep', 'worker-2': 'keep' });
    assert.deepEqual(await ids(), first);

    await docker.containers.exec(`${project.name}-web-1`, ['sh', '-c', 'echo kept > /cache/data']);
    writeFileSync(file, FIVE_SERVICES.replace('GREETING: hello', 'GREETING: changed'));
    const changed = reload(dir, project.name).project;
    const third = await up(changed, { docker });
    assert.deepEqual(
      third.containers.filter((c) => c.action === 'recreate').map((c) => c.name),
      [`${project.name}-web-1`],
    );
    const now = await ids();
    for (const [container, id] of Object.entries(first)) {
      if (container.endsWith('-web-1')) assert.notEqual(now[container], id);
      else assert.equal(now[container], id, container);
    }
    assert.deepEqual((await docker.containers.inspect(`${project.name}-web-1`)).Config.Env?.filter((e) => e.startsWith('GREETING=')), ['GREETING=changed']);
    // The anonymous volume moved to the new container with its data, as with compose.
    assert.equal((await docker.containers.exec(`${project.name}-web-1`, ['cat', '/cache/data'])).stdout, 'kept');
    // The replaced container is gone, not left behind under another name.
    assert.equal((await ps(docker, project.name, { all: true })).length, 6);
    const cache = (await docker.containers.inspect(`${project.name}-web-1`)).Mounts.find((m) => m.Destination === '/cache')!.Name!;
    const removed = await down(changed, { docker, removeVolumes: true });
    // down -v takes the anonymous volume too, although the new container mounts it by name.
    assert.ok(removed.removedVolumes.includes(cache), removed.removedVolumes.join(', '));
    await assert.rejects(docker.volumes.inspect(cache), DockerNotFoundError);
  });

  it('fails a health wait with the service and its last health output, then removes what it created', async () => {
    const { project } = stack(
      'timeout',
      `
services:
  db:
    image: ${TEST_IMAGE}
    init: true
    command: sleep 60
    healthcheck: {test: "echo still starting up; exit 1", interval: 200ms, retries: 1000}
    volumes: [data:/data]
  app:
    image: ${TEST_IMAGE}
    command: sleep 60
    depends_on: {db: {condition: service_healthy}}
volumes: {data: {}}
`,
    );
    const started = Date.now();
    await assert.rejects(up(project, { docker, waitTimeoutMs: 1500 }), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.service, 'db');
      assert.match(err.message, /^service "db" did not become healthy within 1\.5 s; last output: still starting up \(needed by "app"\)/);
      assert.match(err.message, /rolled back: removed 2 container\(s\), 1 network\(s\), 1 volume\(s\) this run created/);
      return true;
    });
    assert.ok(Date.now() - started < 15_000);
    assert.deepEqual(await leftovers(project.name), []);
  });

  it('fails at once on an unhealthy or failed dependency, and keeps what it made when asked', async () => {
    const { project } = stack(
      'failing',
      `
services:
  check:
    image: ${TEST_IMAGE}
    command: sh -c "echo schema mismatch >&2; exit 3"
  app:
    image: ${TEST_IMAGE}
    command: sleep 60
    init: true
    depends_on: {check: {condition: service_completed_successfully}}
`,
    );
    await assert.rejects(up(project, { docker, keepOnFailure: true }), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.match(err.message, /^service "check" didn't complete successfully: container .*-check-1 exited with code 3; last output: schema mismatch/);
      assert.match(err.message, /--keep-on-failure/);
      return true;
    });
    assert.deepEqual(await leftovers(project.name), [
      `container ${project.name}-app-1`,
      `container ${project.name}-check-1`,
      `network ${project.name}_default`,
    ]);
    const app = await docker.containers.inspect(`${project.name}-app-1`);
    assert.equal(app.State.Status, 'created', 'the dependent was never started');
    await down(project, { docker });
    assert.deepEqual(await leftovers(project.name), []);
  });

  it('puts replaced containers back when a recreate fails', async () => {
    const compose = (test: string) => `
services:
  db:
    image: ${TEST_IMAGE}
    init: true
    command: httpd -f -p 80 -h /www
    healthcheck: {test: "${test}", interval: 200ms, retries: 2}
  app:
    image: ${TEST_IMAGE}
    init: true
    command: sleep 60
    depends_on: {db: {condition: service_healthy}}
`;
    const { project, dir, file } = stack('restore', compose('wget -q -O- http://127.0.0.1/health'));
    await up(project, { docker });
    const before = await ps(docker, project.name);
    writeFileSync(file, compose('exit 1'));
    const broken = reload(dir, project.name).project;
    await assert.rejects(up(broken, { docker }), (err: unknown) => {
      assert.match((err as Error).message, /^service "db" is unhealthy/);
      assert.match((err as Error).message, /put back 1 replaced container/);
      return true;
    });
    const after = await ps(docker, project.name);
    assert.deepEqual(after.map((c) => [c.name, c.id, c.state]), before.map((c) => [c.name, c.id, 'running']));
    await down(project, { docker });
  });

  it('refuses an unsupported key with its file:line before creating anything', async () => {
    const { project, positionOf, file } = stack(
      'unsupported',
      `services:\n  ok: {image: ${TEST_IMAGE}}\n  fuse:\n    image: ${TEST_IMAGE}\n    post_start: [{command: "true"}]\n`,
    );
    await assert.rejects(up(project, { docker, positionOf }), (err: unknown) => {
      assert.ok(err instanceof UnsupportedConfigError);
      assert.equal(err.message, `${file}:5:5: "post_start" is not supported by shipshape up (services.fuse.post_start): lifecycle hooks are not run by shipshape up yet`);
      return true;
    });
    assert.deepEqual(await leftovers(project.name), []);
  });

  it("never adopts another project's volume or network that has the name its own would get", async () => {
    // Stack "x" with volume "y_data" would be named <x>_y_data, which is stack "x_y"'s volume "data".
    const owner = stack('own_y', `services:\n  app: {image: ${TEST_IMAGE}, command: [sleep, "60"], init: true, volumes: ["data:/data"]}\nvolumes:\n  data: {}\n`);
    await up(owner.project, { docker });
    try {
      const intruder = stack('own', `services:\n  app: {image: ${TEST_IMAGE}, command: [sleep, "60"], init: true, volumes: ["y_data:/loot"]}\nvolumes:\n  y_data: {}\n`);
      await assert.rejects(up(intruder.project, { docker }), (err: unknown) => {
        assert.ok(err instanceof EngineError);
        assert.match(err.message, new RegExp(`volume ss${RUN}-own_y_data \\(project "ss${RUN}-own_y"\\) already exists and belongs to another compose project`));
        return true;
      });
      assert.deepEqual(await leftovers(intruder.project.name), []);
      // Declared external, the same volume is shared on purpose.
      const shared = stack('own', `services:\n  app: {image: ${TEST_IMAGE}, command: [sleep, "60"], init: true, volumes: ["y_data:/shared"]}\nvolumes:\n  y_data: {external: true, name: ss${RUN}-own_y_data}\n`);
      await up(shared.project, { docker });
      await down(shared.project, { docker });
    } finally {
      await down(owner.project, { docker, removeVolumes: true });
    }
  });

  it('builds images through the build API and mounts secrets, configs and a shared network namespace', async () => {
    const { project } = stack(
      'features',
      `
services:
  app:
    build: {context: ./app, args: {FLAVOUR: vanilla}}
    init: true
    command: httpd -f -p 8080 -h /www
    read_only: true
    tmpfs: [/tmp]
    cap_drop: [ALL]
    secrets: [token]
    configs: [{source: settings, target: /etc/app.conf}]
    extra_hosts: ["db.internal:10.1.2.3"]
    volumes: [{type: tmpfs, target: /scratch, tmpfs: {size: 1m}}]
  sidecar:
    image: ${TEST_IMAGE}
    init: true
    command: sleep 60
    network_mode: "service:app"
    depends_on: [app]
secrets: {token: {file: ./token.txt}}
configs: {settings: {file: ./app.conf}}
`,
      {
        'app/Dockerfile': `FROM ${TEST_IMAGE}\nARG FLAVOUR\nRUN echo "$FLAVOUR" > /www/flavour\n`,
        'app/.dockerignore': 'junk\n',
        'app/junk': 'not sent',
        'token.txt': 's3cret\n',
        'app.conf': 'mode=test\n',
      },
    );
    const progress = recorder();
    await up(project, { docker, onProgress: progress.onProgress });
    assert.ok(progress.at(`${project.name}-app`, 'build') >= 0, 'the image was built');
    const app = `${project.name}-app-1`;
    const exec = async (container: string, cmd: string) => (await docker.containers.exec(container, ['sh', '-c', cmd])).stdout;
    assert.equal(await exec(app, 'cat /run/secrets/token /etc/app.conf /www/flavour'), 's3cret\nmode=test\nvanilla');
    assert.equal(await exec(app, 'touch /nope 2>&1 || echo read-only'), 'touch: /nope: Read-only file system\nread-only');
    assert.equal(await exec(app, 'grep db.internal /etc/hosts'), '10.1.2.3\tdb.internal');
    // The sidecar shares the app's network namespace: the app's port is its localhost.
    assert.equal(await exec(`${project.name}-sidecar-1`, 'wget -q -O- http://127.0.0.1:8080/flavour'), 'vanilla');
    const inspected = await docker.containers.inspect(app);
    assert.deepEqual(inspected.HostConfig.CapDrop, ['ALL']);
    assert.equal(inspected.Config.Labels[LABEL.image], (await docker.images.inspect(`${project.name}-app`)).Id);
    await down(project, { docker });
    assert.deepEqual(await leftovers(project.name), []);
  });
});
