import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningAgent } from '../../../src/agent/index.js';
import type { Deployment, DeploymentVulnerabilities, HostVulnerabilities, ImageScans, PostureSummary } from '../../../src/contract/index.js';
import { createDockerClient, tarStream, type TarEntry } from '../../../src/docker/index.js';
import { busyboxEntries, tarDir as dir, tarFile as file } from '../../helpers/test-image.js';
import { writeTree } from '../../helpers/tmp.js';
import { composeZip, eventually, launch, login, startTestManager, type TestManager } from '../helpers.js';
import { fleetTestConfig, startHostAgent } from './helpers.js';

const DPKG_STATUS = `Package: openssl
Status: install ok installed
Architecture: amd64
Version: 3.0.11-1~deb12u1

Package: bash
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2
`;

const CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
/** Unrelated advisories that make the database big enough that a round takes a while to load it. */
const PADDING = 3_000;
const ADVISORIES: Record<string, object> = {
  'debian/DSA-0001.json': { id: 'DSA-0001', summary: 'openssl flaw', severity: [{ type: 'CVSS_V3', score: CRITICAL }], affected: [{ package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }] }] }] },
  // Fixed in exactly the installed version: no match.
  'debian/DSA-0002.json': { id: 'DSA-0002', summary: 'bash', affected: [{ package: { ecosystem: 'Debian:12', name: 'bash' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '5.2.15-2' }] }] }] },
  'npm/GHSA-lodash.json': { id: 'GHSA-lodash', summary: 'prototype pollution', database_specific: { severity: 'HIGH' }, affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }] }] },
};
for (let i = 0; i < PADDING; i++) {
  ADVISORIES[`pad/PAD-${i}.json`] = { id: `PAD-${i}`, summary: 'another package', affected: [{ package: { ecosystem: 'npm', name: `not-installed-${i}` }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.0' }] }] }] };
}

/**
 * Image scans on the fleet with a real manager, real agents and the real engine (docs/scan.md,
 * "On the fleet"): an image assembled here with a dpkg database and a package-lock, run by a
 * stack deployed through the manager, scanned on request against a synthetic OSV folder, and
 * counted per host and per deployment; and the refusals.
 */
describe('image scans on the fleet with real agents and Docker engine', () => {
  const suffix = randomBytes(4).toString('hex');
  const dir0 = mkdtempSync(join(tmpdir(), 'shipshape-fleetscan-'));
  const docker = createDockerClient();
  const image = `shipshape-test/fleetscan:${suffix}`;
  let imageId: string;
  let advisories: string;
  let manager: TestManager;
  let adminKey: string;
  let viewerKey: string;
  let hostId: string;
  let offHostId: string;
  const agents: RunningAgent[] = [];
  let deployment: Deployment | undefined;

  const as = (key: string) => ({ 'x-admin-key': key });
  const get = async <T>(url: string, key = adminKey): Promise<T> => {
    const response = await manager.app.inject({ method: 'GET', url, headers: as(key) });
    assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
    return response.json() as T;
  };
  const agentScans = async (): Promise<ImageScans> => {
    const agent = agents[0]!;
    const response = await agent.app.inject({ method: 'GET', url: '/images/scans', headers: { 'x-server-key': agent.app.agent.keys.current ?? '' } });
    assert.equal(response.statusCode, 200, response.body);
    return response.json() as ImageScans;
  };
  const scan = (id: string, key = adminKey) => manager.app.inject({ method: 'POST', url: `/hosts/${id}/images/scan`, headers: as(key) });

  before(async () => {
    const root: TarEntry[] = [
      ...busyboxEntries(),
      dir('etc'),
      file('etc/os-release', 'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\n'),
      dir('var'), dir('var/lib'), dir('var/lib/dpkg'),
      file('var/lib/dpkg/status', DPKG_STATUS),
      dir('app'),
      file('app/package-lock.json', JSON.stringify({ name: 'app', lockfileVersion: 3, packages: { '': { name: 'app', version: '1.0.0' }, 'node_modules/lodash': { version: '4.17.20' } } })),
    ];
    const [repo, tag] = image.split(':') as [string, string];
    await docker.images.import(tarStream(root), { repo, tag, changes: ['ENV PATH=/bin'] });
    imageId = (await docker.images.inspect(image)).Id;
    advisories = writeTree(Object.fromEntries(Object.entries(ADVISORIES).map(([path, doc]) => [path, JSON.stringify(doc)])));

    manager = await startTestManager('sqlite', { listen: true, config: { fleet: fleetTestConfig() } });
    adminKey = await login(manager);
    const viewer = { email: `viewer-${suffix}@example.com`, password: 'password-1234', role: 'viewer' };
    const created = await manager.app.inject({ method: 'POST', url: '/auth/users', headers: as(adminKey), payload: viewer });
    assert.equal(created.statusCode, 201, created.body);
    viewerKey = await login(manager, viewer);

    const scanning = await startHostAgent(manager, adminKey, { workDir: dir0, hostname: `scan-${suffix}`, env: { ADVISORIES_PATH: advisories, IMAGE_SCAN_INTERVAL: '0' } });
    hostId = scanning.hostId;
    agents.push(scanning.agent);
    await eventually(async () => ((await manager.repo.getHost(hostId))?.status === 'online' ? true : undefined), 15_000, 'the host online');
  });

  after(async () => {
    if (deployment) {
      await manager.app.inject({ method: 'DELETE', url: `/deployments/${deployment.id}?force=true`, headers: as(adminKey) }).catch(() => undefined);
      for (const c of await docker.containers.list({ all: true, filters: { label: [`com.docker.compose.project=${deployment.name}`] } })) {
        await docker.containers.remove(c.Id, { force: true }).catch(() => undefined);
      }
    }
    for (const agent of agents) await agent.close().catch(() => undefined);
    await manager.dispose();
    await docker.images.remove(image, { force: true }).catch(() => undefined);
    rmSync(dir0, { recursive: true, force: true });
    rmSync(advisories, { recursive: true, force: true });
  });

  it('scans the images of a deployed stack on request and counts their vulnerabilities per host and per deployment', async () => {
    const compose = `services:\n  app:\n    image: ${image}\n    command: ["sleep", "600"]\n`;
    const launched = await launch(manager, adminKey, composeZip(compose));
    assert.equal(launched.statusCode, 202, launched.body);
    const id = (launched.json() as { id: string }).id;
    deployment = await eventually(async () => {
      const d = await get<Deployment>(`/deployments/${id}`);
      if (d.state === 'failed') throw new Error(`deployment failed: ${d.reason}`);
      return d.state === 'running' ? d : undefined;
    }, 90_000, 'the deployment running');
    assert.equal(deployment.host_id, hostId, 'deployed on the scanning host');

    // Before any scan, the deployment's image is listed as not scanned.
    const before = await eventually(async () => {
      const v = await get<DeploymentVulnerabilities>(`/deployments/${deployment!.id}/vulnerabilities`);
      return v.unscanned.some((u) => u.image_id === imageId) ? v : undefined;
    }, 30_000, 'the deployment in the inventory');
    assert.equal(before.images.length, 0);

    // Two requests at once: one round starts, the other is told one runs (the database takes a while to load).
    const [first, second] = await Promise.all([scan(hostId), scan(hostId)]);
    const statuses = [first.statusCode, second.statusCode].sort();
    assert.deepEqual(statuses, [202, 409], `${first.body} / ${second.body}`);
    const started = (first.statusCode === 202 ? first : second).json() as { round_id: string; started_at: string };
    assert.match(started.round_id, /^[0-9a-f-]{36}$/);
    assert.match((first.statusCode === 409 ? first : second).json<{ error: { message: string } }>().error.message, /scanning already.*running/);

    const host = await eventually(async () => {
      const v = await get<HostVulnerabilities>(`/hosts/${hostId}/vulnerabilities`);
      return v.scanning?.last_round?.id === started.round_id ? v : undefined;
    }, 180_000, 'the round over and reported');
    assert.equal(host.scanning!.enabled, true);
    assert.equal(host.scanning!.interval_seconds, 0);
    assert.equal(host.scanning!.last_round!.trigger, 'request');
    assert.equal(host.scanning!.last_round!.error, null);
    assert.ok(host.scanning!.last_round!.images >= 1);
    const scanned = host.images.find((i) => i.image_id === imageId)!;
    assert.deepEqual(scanned.counts, { critical: 1, high: 1, medium: 0, low: 0, info: 0 });
    assert.equal(scanned.vulnerable_packages, 2);
    assert.equal(scanned.packages, 3, 'openssl, bash and lodash');
    assert.equal(scanned.secrets, 0);
    assert.equal(scanned.advisories, PADDING + 3);
    assert.equal(scanned.error, null);
    assert.ok(scanned.refs.includes(image));
    assert.ok(scanned.containers.length >= 1);
    assert.ok(host.counts.critical >= 1 && host.counts.high >= 1);
    const overview = (await get<PostureSummary[]>('/posture')).find((p) => p.host_id === hostId)!;
    assert.ok(overview.vulnerabilities!.critical >= 1 && overview.vulnerabilities!.high >= 1, JSON.stringify(overview));

    const stack = await get<DeploymentVulnerabilities>(`/deployments/${deployment.id}/vulnerabilities`);
    assert.equal(stack.stack, deployment.name);
    assert.equal(stack.host_id, hostId);
    assert.deepEqual(stack.counts, { critical: 1, high: 1, medium: 0, low: 0, info: 0 });
    assert.equal(stack.vulnerable_packages, 2);
    assert.deepEqual(stack.images.map((i) => i.image_id), [imageId]);
    assert.deepEqual(stack.unscanned, []);
    assert.equal(stack.images[0]!.containers.length, 1);
    assert.match(stack.images[0]!.containers[0]!, new RegExp(`^${deployment.name}[-_]app[-_]1$`));

    // The agent's own view: the round is over and was asked for.
    const state = await eventually(async () => {
      const body = await agentScans();
      return body.running === null && body.last_round?.id === started.round_id ? body : undefined;
    }, 30_000, 'the round over on the agent');
    assert.equal(state.enabled, true);
    assert.equal(state.last_round!.trigger, 'request');
    assert.equal(state.last_round!.error, null);

    // A second request scans only images it has not seen: this one keeps its first result.
    assert.equal((await scan(hostId)).statusCode, 202);
    const again = await eventually(async () => {
      const body = await agentScans();
      return body.running === null && body.last_round?.id !== started.round_id ? body : undefined;
    }, 60_000, 'the second round over');
    assert.equal(again.images.find((i) => i.image_id === imageId)!.scanned_at, scanned.scanned_at);
  });

  it('documents the routes in both OpenAPI documents', async () => {
    const managerDoc = (await manager.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
    for (const [path, method] of [['/hosts/{id}/vulnerabilities', 'get'], ['/deployments/{id}/vulnerabilities', 'get'], ['/hosts/{id}/images/scan', 'post']] as const) {
      assert.ok(managerDoc.paths[path]?.[method], `${method} ${path} in the manager's document`);
    }
    const agent = agents[0]!;
    const agentDoc = (await agent.app.inject({ method: 'GET', url: '/docs/json', headers: { 'x-server-key': agent.app.agent.keys.current ?? '' } })).json() as { paths: Record<string, Record<string, unknown>> };
    assert.ok(agentDoc.paths['/images/scan']?.post, "POST /images/scan in the agent's document");
    assert.ok(agentDoc.paths['/images/scans']?.get, "GET /images/scans in the agent's document");
  });

  it('lets a viewer read the counts but not start a scan', async () => {
    const host = await get<HostVulnerabilities>(`/hosts/${hostId}/vulnerabilities`, viewerKey);
    assert.equal(host.host_id, hostId);
    const refused = await scan(hostId, viewerKey);
    assert.equal(refused.statusCode, 403, refused.body);
  });

  it('refuses a scan on a host whose agent has no ADVISORIES_PATH, and says why', async () => {
    const off = await startHostAgent(manager, adminKey, { workDir: dir0, hostname: `noscan-${suffix}` });
    offHostId = off.hostId;
    agents.push(off.agent);
    await eventually(async () => ((await manager.repo.getHost(offHostId))?.status === 'online' ? true : undefined), 15_000, 'the second host online');
    const refused = await scan(offHostId);
    assert.equal(refused.statusCode, 422, refused.body);
    assert.match(refused.json<{ error: { message: string } }>().error.message, /ADVISORIES_PATH/);
    const report = await eventually(async () => {
      const v = await get<HostVulnerabilities>(`/hosts/${offHostId}/vulnerabilities`);
      return v.collected_at !== null ? v : undefined;
    }, 30_000, 'the second host reported');
    assert.deepEqual(report.images, []);
    assert.equal(report.scanning?.enabled, false, JSON.stringify(report.scanning));
    assert.match(report.scanning!.message!, /ADVISORIES_PATH/);
    assert.deepEqual(report.counts, { critical: 0, high: 0, medium: 0, low: 0, info: 0 });
    const overview = (await get<PostureSummary[]>('/posture')).find((p) => p.host_id === offHostId)!;
    assert.equal(overview.vulnerabilities, undefined, 'an agent that does not scan reports no counts');
  });

  it('answers unknown ids with 404, overlong ones with 414 and a malformed body with 400, never 5xx', async () => {
    for (const url of ['/hosts/nope/vulnerabilities', '/deployments/nope/vulnerabilities']) {
      assert.equal((await manager.app.inject({ method: 'GET', url, headers: as(adminKey) })).statusCode, 404, url);
    }
    assert.equal((await scan('nope')).statusCode, 404);
    const long = 'x'.repeat(150);
    assert.equal((await manager.app.inject({ method: 'GET', url: `/deployments/${long}/vulnerabilities`, headers: as(adminKey) })).statusCode, 414);
    assert.equal((await scan(long)).statusCode, 414);
    assert.equal((await manager.app.inject({ method: 'POST', url: `/hosts/${hostId}/images/scan`, headers: { ...as(adminKey), 'content-type': 'application/json' }, payload: '{"x":' })).statusCode, 400);
  });
});
