import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { ensureTestImage } from '../helpers/test-image.js';
import { converged, type CheckedAgent } from './checker.js';
import { Fleet, sleep, slowStack, type AgentSpec, type Proc } from './fleet.js';
import { PrivateDockerd } from './private-dockerd.js';

const INTERVAL_MS = 1_000;

/** The host's interfaces: a private engine must leave the shared engine's `docker0` alone. */
const hostLinks = () => execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).split('\n').map((l) => l.split(': ')[1]?.split('@')[0] ?? '').filter(Boolean);

/**
 * A Docker engine restart with stacks running, on an engine of the test's own (the shared one is
 * never restarted): while it is down the deployments are `stopped` or `degraded` within one
 * heartbeat interval, and `running` again once the engine has restarted them (restart policy).
 */
describe('fault: a Docker engine restart with stacks running', () => {
  const engine = new PrivateDockerd();
  const fleet = new Fleet();
  let agent: AgentSpec & { proc: Proc };
  let checked: CheckedAgent[];

  before(async () => {
    await engine.start();
    await ensureTestImage(engine.docker);
    await fleet.startManager();
    agent = await fleet.addAgent('agent-d', engine.host);
    checked = [{ ...agent, docker: engine.docker }];
  });
  after(async () => {
    try {
      await fleet.close([engine.docker]);
    } finally {
      await engine.destroy();
    }
  });

  it('shows the stacks stopped or degraded while the engine is down, and running when it is back', async () => {
    const hadDocker0 = hostLinks().includes('docker0');
    const names = [`${fleet.prefix}-a`, `${fleet.prefix}-b`];
    for (const name of names) await fleet.deploy(name, slowStack({ seconds: 1, networkNone: true }));
    const allIn = async (states: string[]) => {
      const all = await fleet.deployments();
      return all.length === names.length && all.every((d) => states.includes(d.state));
    };
    await fleet.until(() => allIn(['running']), 60_000, 'both running', agent.proc);
    await converged(fleet, checked, 10_000);

    await engine.stop();
    const down = Date.now();
    const shownIn = await fleet.until(() => allIn(['stopped', 'degraded']), 20_000, 'both stopped or degraded', agent.proc);
    const reasons = (await fleet.deployments()).map((d) => `${d.state}: ${d.reason ?? ''}`);
    console.log(`engine stopped: deployments ${reasons.join('; ')} ${shownIn} ms after it exited (interval 1 s)`);
    assert.ok(shownIn <= INTERVAL_MS + 1_500, `within one heartbeat interval (and slack): ${shownIn} ms`);
    await sleep(2_000);

    await engine.start();
    const up = Date.now();
    const backIn = await fleet.until(() => allIn(['running']), 30_000, 'both running again', agent.proc);
    console.log(`engine back after ${up - down} ms down: deployments running again ${backIn} ms after it answered`);
    assert.ok(backIn <= 2 * INTERVAL_MS + 2_000, `within two heartbeat intervals (and slack): ${backIn} ms`);
    const containers = await engine.docker.containers.list({ all: true });
    assert.ok(containers.length >= 4 && containers.every((c) => c.State === 'running'), 'the restart policy brought every container back');
    await converged(fleet, checked, 10_000);

    for (const d of await fleet.deployments()) assert.equal((await fleet.api('DELETE', `/deployments/${d.id}`)).status, 204);
    await converged(fleet, checked, 20_000);
    assert.equal(hostLinks().includes('docker0'), hadDocker0, 'the shared engine keeps its docker0');
  });
});
