import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { RunningAgent } from '../../../src/agent/index.js';
import type { AlertPayload, Deployment, HostPosture, SearchResponse, StackPosture, WebhookDelivery } from '../../../src/contract/index.js';
import { createDockerClient } from '../../../src/docker/index.js';
import { ensureTestImage, TEST_IMAGE } from '../../helpers/test-image.js';
import { composeZip, eventually, launch, login, startTestManager, type TestManager } from '../helpers.js';
import { fleetTestConfig, startHookListener, startHostAgent } from './helpers.js';

const run = promisify(execFile);
const SECRET = `whsec-${randomBytes(12).toString('hex')}`;

/**
 * The fleet face with a real manager, a real agent and the real engine: posture and drift of a
 * container started by hand and of a deployed one changed behind the agent's back, search, logs
 * over server-sent events, and a signed webhook when the agent is killed.
 */
describe('fleet operations with a real agent and Docker engine', () => {
  const suffix = randomBytes(4).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'shipshape-fleet-'));
  const docker = createDockerClient();
  const handName = `shipshape-fleet-hand-${suffix}`;
  const marker = `hello-from-${suffix}`;
  const envName = `FLEET_SEARCH_MARKER_${suffix.toUpperCase()}`;
  const envValue = `plain-value-${suffix}-stays-home`;
  let manager: TestManager;
  let adminKey: string;
  let hostId: string;
  let agent: RunningAgent | undefined;
  let hook: Awaited<ReturnType<typeof startHookListener>>;
  let deployment: Deployment;
  let handId: string | undefined;
  let socketId: string | undefined;
  const socketName = `shipshape-fleet-socket-${suffix}`;
  // A network of the test's own: the engine's default bridge is shared, and not every engine has one.
  const networkName = `shipshape-fleet-net-${suffix}`;

  const get = async <T>(url: string): Promise<T> => {
    const response = await manager.app.inject({ method: 'GET', url, headers: { 'x-admin-key': adminKey } });
    assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
    return response.json() as T;
  };

  before(async () => {
    await ensureTestImage(docker);
    hook = await startHookListener();
    manager = await startTestManager('sqlite', { listen: true, config: { offlineAfter: 1.5, eventStreamsPerUser: 1, fleet: fleetTestConfig() }, alertRetryBaseMs: 200 });
    adminKey = await login(manager);
    const created = await manager.app.inject({
      method: 'POST',
      url: '/alerts/webhooks',
      headers: { 'x-admin-key': adminKey },
      payload: { url: hook.url, events: ['host.offline', 'posture.critical', 'deployment.degraded'], secret: SECRET },
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.ok(!created.body.includes(SECRET), 'the secret is never shown');
    ({ hostId, agent } = await startHostAgent(manager, adminKey, { workDir: dir, hostname: `fleet-${suffix}`, version: '9.9.9-fleet' }));
    await eventually(async () => ((await manager.repo.getHost(hostId))?.status === 'online' ? true : undefined), 15_000, 'the host online');
  });

  after(async () => {
    for (const id of [handId, socketId]) if (id) await docker.containers.remove(id, { force: true }).catch(() => undefined);
    await docker.networks.remove(networkName).catch(() => undefined);
    if (deployment) {
      await manager.app.inject({ method: 'DELETE', url: `/deployments/${deployment.id}?force=true`, headers: { 'x-admin-key': adminKey } }).catch(() => undefined);
      for (const c of await docker.containers.list({ all: true, filters: { label: [`com.docker.compose.project=${deployment.name}`] } })) {
        await docker.containers.remove(c.Id, { force: true }).catch(() => undefined);
      }
    }
    await agent?.close().catch(() => undefined);
    await manager.dispose();
    await hook.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a privileged container started by hand as a critical finding and as drift, and alerts once, signed', async () => {
    await docker.networks.create({ Name: networkName, Labels: { 'shipshape.test': suffix } });
    const created = await docker.containers.create(handName, {
      Image: TEST_IMAGE,
      Cmd: ['sleep', '600'],
      Env: [`${envName}=${envValue}`],
      HostConfig: { Privileged: true, NetworkMode: networkName },
    });
    handId = created.id;
    // Some engines (inside a container without every capability) cannot start a privileged
    // container; created, it is one `docker start` away from the host, and posture reports it either way.
    await docker.containers.start(handId).catch(() => undefined);
    // And one that does run: the engine's socket, mounted by hand.
    const socket = await docker.containers.create(socketName, {
      Image: TEST_IMAGE,
      Cmd: ['sleep', '600'],
      ExposedPorts: { '80/tcp': {} },
      HostConfig: { Binds: ['/var/run/docker.sock:/var/run/docker.sock:ro'], PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] }, NetworkMode: networkName },
    });
    socketId = socket.id;
    await docker.containers.start(socketId);

    const posture = await eventually(async () => {
      const p = await get<HostPosture>(`/hosts/${hostId}/posture`);
      return p.findings.some((f) => f.container === handName && f.rule === 'privileged') ? p : undefined;
    }, 30_000, 'the privileged container in the posture');
    const privileged = posture.findings.find((f) => f.container === handName && f.rule === 'privileged')!;
    assert.equal(privileged.severity, 'critical');
    assert.match(privileged.message, new RegExp(`container "${handName}" runs privileged`));
    assert.equal(privileged.stack, null);
    const drift = posture.drift.find((d) => d.container === handName);
    assert.equal(drift?.kind, 'unmanaged');
    const socketFinding = await eventually(async () => {
      const p = await get<HostPosture>(`/hosts/${hostId}/posture`);
      return p.findings.find((f) => f.container === socketName && f.rule === 'docker-socket-mount');
    }, 30_000, 'the socket mount in the posture');
    assert.equal(socketFinding.severity, 'critical');
    assert.equal((await docker.containers.inspect(socketId!)).State.Status, 'running');
    assert.ok((await get<HostPosture>(`/hosts/${hostId}/posture`)).drift.some((d) => d.container === socketName && d.kind === 'unmanaged'));
    assert.ok(posture.counts.critical >= 1);

    const alert = await eventually(() => hook.received.find((r) => r.headers['x-shipshape-event'] === 'posture.critical' && r.body.includes(handName)), 15_000, 'the posture.critical alert');
    const expected = `sha256=${createHmac('sha256', SECRET).update(alert.body).digest('hex')}`;
    assert.equal(alert.headers['x-shipshape-signature'], expected);
    const payload = JSON.parse(alert.body) as AlertPayload;
    assert.equal(payload.type, 'posture.critical');
    assert.equal(payload.data.host_id, hostId);
    // Later reports that still hold it raise no new alert.
    const first = hook.received.filter((r) => r.headers['x-shipshape-event'] === 'posture.critical' && r.body.includes(handName)).length;
    const seen = (await get<HostPosture>(`/hosts/${hostId}/posture`)).collected_at;
    await eventually(async () => ((await get<HostPosture>(`/hosts/${hostId}/posture`)).collected_at !== seen ? true : undefined), 15_000, 'another report');
    assert.equal(hook.received.filter((r) => r.headers['x-shipshape-event'] === 'posture.critical' && r.body.includes(handName)).length, first);
  });

  it('finds containers, stacks, images, ports and env names across the fleet, never env values', async () => {
    const compose =
      'services:\n  web:\n' +
      `    image: ${TEST_IMAGE}\n` +
      `    command: ["sh", "-c", "echo ${marker}; echo to-stderr >&2; exec httpd -f -p 8080 -h /"]\n` +
      `    environment:\n      ${envName}: ${envValue}\n`;
    const launched = await launch(manager, adminKey, composeZip(compose));
    assert.equal(launched.statusCode, 202, launched.body);
    const id = (launched.json() as { id: string }).id;
    deployment = await eventually(async () => {
      const d = await get<Deployment>(`/deployments/${id}`);
      if (d.state === 'failed') throw new Error(`deployment failed: ${d.reason}`);
      return d.state === 'running' ? d : undefined;
    }, 90_000, 'the deployment running');

    const byName = await eventually(async () => {
      const r = await get<SearchResponse>(`/search?q=${deployment.name}&kind=stack`);
      return r.hits.length > 0 ? r : undefined;
    }, 30_000, 'the stack in the search index');
    assert.equal(byName.hits[0]!.host_id, hostId);
    assert.equal(byName.hits[0]!.stack, deployment.name);

    const hand = await get<SearchResponse>(`/search?q=${handName.toUpperCase()}`);
    assert.ok(hand.hits.some((h) => h.kind === 'container' && h.container === handName), JSON.stringify(hand));
    const env = await get<SearchResponse>(`/search?q=${envName.toLowerCase()}&kind=env`);
    assert.deepEqual(new Set(env.hits.map((h) => h.container)).size >= 1, true);
    assert.ok(env.hits.every((h) => h.value === envName));
    const image = await get<SearchResponse>(`/search?q=${encodeURIComponent(TEST_IMAGE)}&kind=image&limit=500`);
    assert.ok(image.hits.some((h) => h.container === handName));
    const port = await get<SearchResponse>(`/search?q=127.0.0.1:&kind=port&limit=500`);
    assert.ok(port.hits.some((h) => h.container === socketName && /^127\.0\.0\.1:\d+->80\/tcp$/.test(h.value)), JSON.stringify(port.hits));

    // Env values never leave the host: not in search, not in posture, not in what the manager stored.
    const everything = JSON.stringify([
      await get(`/search?q=${suffix}&limit=500`),
      await get(`/hosts/${hostId}/posture`),
      await manager.context.fleet.store.inventoryOf(hostId),
    ]);
    assert.ok(!everything.includes(envValue), 'an env value reached the manager');
  });

  it('reports a deployed container changed behind the agent as drift of its stack', async () => {
    const [container] = await docker.containers.list({ filters: { label: [`com.docker.compose.project=${deployment.name}`] } });
    assert.ok(container);
    await run('docker', ['update', '--memory', '64m', '--memory-swap', '128m', container.Id]);
    const stack = await eventually(async () => {
      const p = await get<StackPosture>(`/deployments/${deployment.id}/posture`);
      return p.drift.some((d) => d.kind === 'changed') ? p : undefined;
    }, 30_000, 'the drift of the deployed container');
    const changed = stack.drift.find((d) => d.kind === 'changed')!;
    assert.ok(changed.details.some((d) => /^memory limit: deployed none, running 67108864$/.test(d)), JSON.stringify(changed));
    assert.equal(changed.stack, deployment.name);
    assert.ok(stack.findings.every((f) => f.stack === deployment.name));
  });

  it('streams a deployment’s logs as server-sent events and lets go of the agent when the client leaves', async () => {
    const headers = { 'x-admin-key': adminKey };
    const once = await fetch(`${manager.url}/deployments/${deployment.id}/logs?tail=50`, { headers });
    assert.equal(once.status, 200);
    assert.match(once.headers.get('content-type') ?? '', /^text\/event-stream/);
    const text = await once.text();
    assert.match(text, new RegExp(`event: log\\ndata: \\{"stream":"stdout","line":"${marker}"`));
    assert.match(text, /"stream":"stderr","line":"to-stderr"/);
    assert.match(text, /event: end\ndata: \{"reason":"end of logs"\}/);

    // One stream per user here (EVENTS_MAX_STREAMS=1): a second one waits for the first to close.
    for (let round = 0; round < 2; round++) {
      const controller = new AbortController();
      const followed = await fetch(`${manager.url}/deployments/${deployment.id}/logs?follow=1&tail=5`, { headers, signal: controller.signal });
      assert.equal(followed.status, 200, `round ${round}`);
      const reader = followed.body!.getReader();
      let seen = '';
      while (!seen.includes(marker)) {
        const { value, done } = await reader.read();
        assert.ok(!done, 'the followed stream ended early');
        seen += new TextDecoder().decode(value);
      }
      const busy = await manager.app.inject({ method: 'GET', url: `/deployments/${deployment.id}/logs?follow=1`, headers });
      assert.equal(busy.statusCode, 429, 'the open stream counts');
      controller.abort();
      await reader.cancel().catch(() => undefined);
      await eventually(async () => {
        const r = await fetch(`${manager.url}/deployments/${deployment.id}/logs?tail=1`, { headers });
        await r.text();
        return r.status === 200 ? true : undefined;
      }, 10_000, 'the stream released');
    }
  });

  it('alerts when a running deployment’s container stops', async () => {
    const [container] = await docker.containers.list({ filters: { label: [`com.docker.compose.project=${deployment.name}`] } });
    assert.ok(container);
    await docker.containers.stop(container.Id, { timeoutSeconds: 1 });
    const alert = await eventually(() => hook.received.find((r) => r.headers['x-shipshape-event'] === 'deployment.degraded'), 30_000, 'the deployment.degraded alert');
    const payload = JSON.parse(alert.body) as AlertPayload;
    assert.equal(payload.data.deployment_id, deployment.id);
    assert.match(String(payload.data.reason), /exited/);
    assert.equal(alert.headers['x-shipshape-signature'], `sha256=${createHmac('sha256', SECRET).update(alert.body).digest('hex')}`);
  });

  it('shows agent versions across the fleet', async () => {
    const versions = await get<{ manager_version: string; versions: { agent_version: string | null; hosts: number; host_ids: string[] }[] }>('/hosts/versions');
    const mine = versions.versions.find((v) => v.agent_version === '9.9.9-fleet');
    assert.deepEqual(mine?.host_ids, [hostId]);
    assert.equal((await get<{ agent_version: string }>(`/hosts/${hostId}`)).agent_version, '9.9.9-fleet');
  });

  it('delivers host.offline to a local listener, signed, when the agent is killed', async () => {
    const removed = await manager.app.inject({ method: 'DELETE', url: `/deployments/${deployment.id}`, headers: { 'x-admin-key': adminKey } });
    assert.equal(removed.statusCode, 204, removed.body);
    await agent!.close();
    agent = undefined;
    const offline = await eventually(() => hook.received.find((r) => r.headers['x-shipshape-event'] === 'host.offline'), 20_000, 'the host.offline webhook');
    assert.equal(offline.headers['x-shipshape-signature'], `sha256=${createHmac('sha256', SECRET).update(offline.body).digest('hex')}`);
    assert.notEqual(offline.headers['x-shipshape-signature'], `sha256=${createHmac('sha256', 'another secret').update(offline.body).digest('hex')}`);
    const payload = JSON.parse(offline.body) as AlertPayload;
    assert.equal(payload.type, 'host.offline');
    assert.equal(payload.data.host_id, hostId);
    assert.equal(offline.headers['x-shipshape-delivery'], payload.id);
    const log = await eventually(async () => {
      const list = await get<WebhookDelivery[]>('/alerts/deliveries?status=delivered');
      return list.find((d) => d.event === 'host.offline');
    }, 10_000, 'the delivery in the log');
    assert.equal(log.attempts, 1);
    assert.equal(log.last_status, 204);
  });
});
