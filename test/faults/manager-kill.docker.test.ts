import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDockerClient } from '../../src/docker/index.js';
import { ensureTestImage } from '../helpers/test-image.js';
import { converged, type CheckedAgent } from './checker.js';
import { Fleet, sleep, slowStack } from './fleet.js';

/**
 * kill -9 of the manager with deployments in flight on two agents: the restarted manager keeps
 * them `deploying` until each agent's final answer (never guessing from a container listing), the
 * hosts stay online through its grace, and everything converges with nothing orphaned.
 */
describe('fault: kill -9 of the manager with 6 deployments in flight on 2 agents', () => {
  const docker = createDockerClient();
  const fleet = new Fleet();
  let checked: CheckedAgent[] = [];

  before(async () => {
    await ensureTestImage(docker);
    await fleet.startManager();
    const agents = await Promise.all([fleet.addAgent('agent-a'), fleet.addAgent('agent-b')]);
    checked = agents.map((a) => ({ ...a, docker }));
  });
  after(() => fleet.close([docker]));

  it('keeps them deploying until the agents answer, then follows the answers; nothing orphaned', async () => {
    const names = Array.from({ length: 6 }, (_, i) => `${fleet.prefix}-${i}`);
    // Two of them fail at their agent after a while and are rolled back there.
    const failing = new Set([names[1]!, names[4]!]);
    // Slow enough that the agents are still at it when the manager is back, even on a loaded machine.
    for (const name of names) await fleet.deploy(name, slowStack({ seconds: 15, fail: failing.has(name) }));
    await fleet.until(async () => (await fleet.deployments()).filter((d) => d.state === 'deploying').length === 6, 20_000, 'six deploying');
    const hosts = new Set((await fleet.deployments()).map((d) => d.host_id));
    assert.equal(hosts.size, 2, 'spread over both agents');
    await sleep(1_000);

    await fleet.manager!.kill9();
    const killedAt = Date.now();
    await sleep(1_500);
    await fleet.startManager();
    const back = Date.now();
    const stillDeploying = (await fleet.deployments()).filter((d) => d.state === 'deploying').length;
    console.log(`manager down for ${back - killedAt} ms (start included); ${stillDeploying} of 6 still deploying when it was back`);

    // Watch every state and both hosts until all is settled.
    const seen = new Map<string, Set<string>>(names.map((n) => [n, new Set<string>()]));
    let hostsOffline = 0;
    const settledIn = await fleet.until(
      async () => {
        const all = await fleet.deployments();
        for (const d of all) seen.get(d.name)?.add(d.state);
        for (const a of checked) if ((await fleet.host(a.hostId))?.status !== 'online') hostsOffline++;
        return all.length === 6 && all.every((d) => d.state !== 'deploying' && d.state !== 'pending');
      },
      90_000,
      'every deployment settled',
    );
    console.log(`all six settled ${settledIn} ms after the manager was back`);
    for (const name of names) {
      const states = [...seen.get(name)!];
      if (failing.has(name)) assert.ok(!states.includes('running'), `${name} (rolled back by its agent) was never running: ${states}`);
      else assert.ok(!states.includes('failed'), `${name} (which its agent finished) was never failed: ${states}`);
    }
    const final = await fleet.deployments();
    assert.deepEqual(
      final.map((d) => [d.name, d.state]).sort(),
      names.map((n) => [n, failing.has(n) ? 'failed' : 'running']).sort(),
    );
    assert.equal(hostsOffline, 0, 'no host was called offline after the restart (grace, and heartbeats back within an interval)');
    const hostRecords = await Promise.all(checked.map((a) => fleet.api<{ deployments: number; active_deployments?: number }>('GET', `/hosts/${a.hostId}`)));
    assert.ok(hostRecords.every((h) => h.status === 200));

    const convergedIn = await converged(fleet, checked, 20_000);
    console.log(`records agree with the engine ${convergedIn} ms after settling`);

    // Everything removed through the manager leaves nothing behind either.
    for (const d of final) {
      const removed = await fleet.api('DELETE', `/deployments/${d.id}`);
      assert.equal(removed.status, 204, `delete ${d.name}: ${JSON.stringify(removed.body)}`);
    }
    await converged(fleet, checked, 20_000);
    assert.deepEqual(await fleet.deployments(), []);
  });
});
