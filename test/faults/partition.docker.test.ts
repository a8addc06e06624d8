import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDockerClient } from '../../src/docker/index.js';
import { ensureTestImage } from '../helpers/test-image.js';
import { converged, type CheckedAgent } from './checker.js';
import { Fleet, slowStack, type AgentSpec, type Proc } from './fleet.js';
import { NetnsPair } from './netns.js';

const INTERVAL_MS = 1_000;

/**
 * An agent in a network namespace of its own, reaching the manager over a veth pair the test
 * made: partitioned (the host end down), the manager calls it offline within 3 heartbeat
 * intervals; healed, it is back within 2, and its deployment agrees with the engine again.
 */
describe('fault: an agent partitioned in its own network namespace, then healed', () => {
  const docker = createDockerClient();
  const ns = new NetnsPair();
  let fleet: Fleet;
  let agent: AgentSpec & { proc: Proc };
  let checked: CheckedAgent[];

  before(async () => {
    await ensureTestImage(docker);
    ns.create();
    fleet = new Fleet({ managerHost: ns.hostAddress, offlineAfter: 3 });
    await fleet.startManager();
    const host = await fleet.registerHost('agent-p', ns.nsAddress);
    const spec: AgentSpec = {
      name: 'agent-p',
      ...host,
      apiHost: ns.nsAddress,
      workDir: join(fleet.dir, 'agent-p'),
      dockerHost: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock',
      managerUrl: fleet.managerUrl,
      netns: ns.name,
    };
    agent = { ...spec, proc: await fleet.startAgent(spec) };
    await fleet.waitOnline(host.hostId, agent.proc);
    checked = [{ ...agent, docker }];
  });
  after(async () => {
    try {
      await fleet?.close([docker]);
    } finally {
      ns.destroy();
    }
  });

  it('is offline within 3 intervals of the partition and back within 2 of the heal', async () => {
    const deployment = await fleet.deploy(`${fleet.prefix}-p`, slowStack({ seconds: 1 }));
    await fleet.until(async () => (await fleet.deployments()).some((d) => d.id === deployment.id && d.state === 'running'), 60_000, 'the deployment running', agent.proc);

    ns.partition();
    const cut = Date.now();
    const offlineIn = await fleet.until(async () => (await fleet.host(agent.hostId))?.status === 'offline', 20_000, 'the host offline', agent.proc);
    console.log(`partition: offline ${offlineIn} ms after the cut (OFFLINE_AFTER 3 s, heartbeat interval 1 s)`);
    // The last heartbeat came at most one interval before the cut; a check every 0.3 s; slack for a loaded machine.
    assert.ok(offlineIn <= 3 * INTERVAL_MS + 1_500, `offline within 3 intervals (and slack): ${offlineIn} ms`);
    assert.ok(Date.now() - cut >= 2_000, 'not called offline before OFFLINE_AFTER could pass');

    // Some seconds apart, so that a backoff would have grown.
    await new Promise((r) => setTimeout(r, 6_000));
    ns.heal();
    const onlineIn = await fleet.until(async () => (await fleet.host(agent.hostId))?.status === 'online', 20_000, 'the host online again', agent.proc);
    console.log(`heal: online again ${onlineIn} ms after the heal`);
    assert.ok(onlineIn <= 2 * INTERVAL_MS + 1_500, `back within 2 intervals (and slack): ${onlineIn} ms`);

    const agreeIn = await converged(fleet, checked, 10_000);
    console.log(`records agree with the engine ${agreeIn} ms after the host was back`);
    const removed = await fleet.api('DELETE', `/deployments/${deployment.id}`);
    assert.equal(removed.status, 204);
    await converged(fleet, checked, 20_000);
  });
});
