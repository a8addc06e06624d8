import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { createDockerClient, tarStream, type ContainerCreateBody } from '../../src/docker/index.js';
import { APP_USER, finalStage, imageRootfs } from './image-rootfs.js';

const repoRoot = process.cwd();
const docker = createDockerClient();
const suffix = randomBytes(4).toString('hex');
const IMAGE = { repo: 'shipshape-test/selfdeploy', tag: suffix };
const names = { network: `shipshape-img-${suffix}`, manager: `shipshape-img-manager-${suffix}`, agent: `shipshape-img-agent-${suffix}` };
const volumes = { data: `shipshape-img-data-${suffix}`, secrets: `shipshape-img-secrets-${suffix}`, agent: `shipshape-img-agent-${suffix}` };
const ADMIN = { email: 'admin@example.com', password: 'image test password' };
const stage = finalStage(join(repoRoot, 'deploy', 'Dockerfile'));
const composeAgent = (parse(readFileSync(join(repoRoot, 'deploy', 'compose.yaml'), 'utf8')) as { services: Record<string, { healthcheck: { test: string[] } }> }).services.agent!;

/** The Dockerfile's HEALTHCHECK timings in nanoseconds; the interval shortened so the test waits seconds, not minutes. */
function healthcheck(test: string[]): ContainerCreateBody['Healthcheck'] {
  const ns = (value: string | undefined, fallback: number) => (value ? Number(/^(\d+)s$/.exec(value)?.[1] ?? fallback) : fallback) * 1e9;
  return { Test: test, Interval: 2e9, Timeout: ns(stage.healthcheck.options.timeout, 5), StartPeriod: ns(stage.healthcheck.options['start-period'], 20), Retries: 30 };
}

/** The container as compose.yaml's x-hardened runs it: read-only, no capabilities, no new privileges, the image's user. */
function hardened(name: string, body: ContainerCreateBody): ContainerCreateBody {
  return {
    ...body,
    Image: `${IMAGE.repo}:${IMAGE.tag}`,
    HostConfig: {
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      Tmpfs: { '/tmp': 'rw,nosuid,nodev,size=64m' },
      NetworkMode: names.network,
      ...body.HostConfig,
    },
    NetworkingConfig: { EndpointsConfig: { [names.network]: { Aliases: [name] } } },
  };
}

async function untilHealthy(id: string, what: string): Promise<void> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    const state = (await docker.containers.inspect(id)).State;
    if (state.Health?.Status === 'healthy') return;
    if (!state.Running || Date.now() > deadline) {
      const logs: string[] = [];
      for await (const line of docker.containers.logs(id, { tail: 40 })) logs.push(line.line);
      const probes = (state.Health?.Log ?? []).slice(-3).map((p) => `${p.ExitCode}: ${p.Output}`);
      throw new Error(`${what} did not turn healthy (running ${state.Running}, exit ${state.ExitCode}, health ${state.Health?.Status}): ${probes.join(' | ')}\n${logs.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** JSON over HTTPS from the published port; the manager's CA is its own, so it is not checked here. */
function call(port: number, method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = https.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        rejectUnauthorized: false,
        timeout: 15_000,
        headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}), ...(key ? { 'x-admin-key': key } : {}) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
    request.end(payload);
  });
}

/**
 * deploy/Dockerfile's final stage, run for real (docs/deploy.md, "How the image is tested"): its
 * root filesystem assembled from this machine and `docker import`ed with the Dockerfile's user,
 * environment, entrypoint and command; the manager (SQLite, the native driver) and an agent that
 * enrolls itself run from it read-only as the unprivileged user, turn healthy through the
 * Dockerfile's and compose.yaml's health checks, talk mutual TLS, and stop cleanly on SIGTERM.
 */
describe('the Shipshape image', () => {
  const ids: Record<string, string> = {};
  let port = 0;

  before(async () => {
    await docker.images.import(tarStream(imageRootfs(repoRoot)), {
      ...IMAGE,
      changes: [
        `USER ${stage.user}`,
        'WORKDIR /app',
        ...Object.entries(stage.env).map(([k, v]) => `ENV ${k}=${v}`),
        `ENTRYPOINT ${JSON.stringify(stage.entrypoint)}`,
        `CMD ${JSON.stringify(stage.cmd)}`,
      ],
    });
    await docker.networks.create({ Name: names.network, Labels: { 'shipshape.test': suffix } });
    for (const volume of Object.values(volumes)) await docker.volumes.create({ Name: volume, Labels: { 'shipshape.test': suffix } });
  });

  after(async () => {
    for (const id of Object.values(ids)) await docker.containers.remove(id, { force: true }).catch(() => undefined);
    await docker.networks.remove(names.network).catch(() => undefined);
    for (const volume of Object.values(volumes)) await docker.volumes.remove(volume, { force: true }).catch(() => undefined);
    await docker.images.remove(`${IMAGE.repo}:${IMAGE.tag}`, { force: true }).catch(() => undefined);
  });

  it('is what the Dockerfile says: a distroless final stage without a shell, run as a non-root user', () => {
    assert.match(stage.from, /^gcr\.io\/distroless\/nodejs20-debian12:nonroot$/);
    assert.deepEqual([...new Set(stage.instructions)].sort(), ['CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'USER', 'WORKDIR'], 'no RUN: nothing executes in the final stage');
    assert.equal(stage.user, `${APP_USER}:${APP_USER}`);
    assert.deepEqual(stage.entrypoint, ['/nodejs/bin/node', '/app/bin/shipshape.js']);
    assert.equal(stage.healthcheck.test[1], '/nodejs/bin/node', 'the health check needs no shell');
  });

  it('runs the manager read-only as the unprivileged user until it is healthy, and it stops on SIGTERM with exit 0', async () => {
    const created = await docker.containers.create(
      names.manager,
      hardened('manager', {
        Env: [`ADMIN_EMAIL=${ADMIN.email}`, `ADMIN_PASSWORD=${ADMIN.password}`, 'TLS=on', 'TLS_NAMES=manager', 'LOCAL_AGENT_TOKEN_FILE=/secrets/agent_enrollment_token'],
        Healthcheck: healthcheck(stage.healthcheck.test),
        ExposedPorts: { '8000/tcp': {} },
        HostConfig: {
          Mounts: [
            { Type: 'volume', Source: volumes.data, Target: '/data' },
            { Type: 'volume', Source: volumes.secrets, Target: '/secrets' },
          ],
          PortBindings: { '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
        },
      }),
    );
    ids.manager = created.id;
    await docker.containers.start(created.id);
    await untilHealthy(created.id, 'the manager');
    const inspect = await docker.containers.inspect(created.id);
    port = Number(inspect.NetworkSettings.Ports['8000/tcp']![0]!.HostPort);
    assert.equal(inspect.HostConfig.ReadonlyRootfs, true);

    const node = async (script: string) => docker.containers.exec(created.id, ['/nodejs/bin/node', '-e', script]);
    assert.equal((await node('process.stdout.write(`${process.getuid()}:${process.getgid()}`)')).stdout, `${APP_USER}:${APP_USER}`);
    const write = await node("try { require('fs').writeFileSync('/app/x', 'x'); } catch (e) { process.stdout.write(e.code); }");
    assert.equal(write.stdout, 'EROFS', 'the root filesystem is read-only');
    assert.equal((await node("process.stdout.write(String(require('fs').statSync('/data/shipshape.db').size > 0))")).stdout, 'true', 'SQLite (the native driver) works');

    // A consistent backup of the running manager, from inside its container.
    const backup = await docker.containers.exec(created.id, ['/nodejs/bin/node', '/app/bin/shipshape.js', 'manager', 'backup', '--to', '/data/backup.jsonl']);
    assert.equal(backup.exitCode, 0, backup.stderr);
    assert.match(backup.stdout, /Backed up sqlite:\/data\/shipshape\.db/);
  });

  it('runs an agent from it that enrolls itself, turns healthy and comes online at the manager over mutual TLS', async () => {
    assert.ok(ids.manager, 'the manager runs');
    const socketGroup = String(statSync('/var/run/docker.sock').gid);
    const created = await docker.containers.create(
      names.agent,
      hardened('agent', {
        Cmd: ['agent'],
        Env: ['MANAGER_URL=https://manager:8000', 'ENROLL_TOKEN_FILE=/secrets/agent_enrollment_token', 'ENROLL_ADDRESS=agent', `ENROLL_HOSTNAME=image-test-${suffix}`],
        Healthcheck: healthcheck(composeAgent.healthcheck.test),
        HostConfig: {
          GroupAdd: [socketGroup],
          Mounts: [
            { Type: 'volume', Source: volumes.secrets, Target: '/secrets', ReadOnly: true },
            { Type: 'volume', Source: volumes.agent, Target: '/var/lib/shipshape/agent' },
            { Type: 'bind', Source: '/var/run/docker.sock', Target: '/var/run/docker.sock' },
          ],
        },
      }),
    );
    ids.agent = created.id;
    await docker.containers.start(created.id);
    await untilHealthy(created.id, 'the agent');

    const login = await call(port, 'POST', '/auth/login', ADMIN);
    assert.equal(login.status, 200, JSON.stringify(login.json));
    const key = login.json.admin_key as string;
    let host: { hostname: string; status: string; ip: string } | undefined;
    for (let i = 0; i < 60 && host?.status !== 'online'; i++) {
      const hosts = await call(port, 'GET', '/hosts', undefined, key);
      host = (hosts.json as { hostname: string; status: string; ip: string }[]).find((h) => h.hostname === `image-test-${suffix}`);
      if (host?.status !== 'online') await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    assert.equal(host?.status, 'online', 'heartbeats arrive');
    assert.equal(host?.ip, 'agent');
    // The manager calls the agent back over mutual TLS: its containers, through the manager's API.
    const status = await call(port, 'GET', `/hosts/${encodeURIComponent((await call(port, 'GET', '/hosts', undefined, key)).json.find((h: { hostname: string }) => h.hostname === `image-test-${suffix}`).id)}/status`, undefined, key);
    assert.equal(status.status, 200, JSON.stringify(status.json));
  });

  it('stops manager and agent on SIGTERM, each exiting 0 within the grace period', async () => {
    for (const which of ['agent', 'manager'] as const) {
      assert.ok(ids[which], `the ${which} runs`);
      const started = Date.now();
      await docker.containers.stop(ids[which]!, { timeoutSeconds: 30 });
      const state = (await docker.containers.inspect(ids[which]!)).State;
      assert.equal(state.ExitCode, 0, `${which} exited ${state.ExitCode} (137 would be SIGKILL after the grace period)`);
      assert.ok(Date.now() - started < 29_000, `${which} stopped before the grace period ran out`);
    }
  });
});
