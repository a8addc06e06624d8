import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDockerClient } from '../../src/docker/index.js';
import { ensureTestImage } from '../helpers/test-image.js';
import { converged, type CheckedAgent } from './checker.js';
import { Fleet, sleep, slowStack, type AgentSpec, type Proc } from './fleet.js';

/**
 * kill -9 of an agent mid-deploy, end to end through the manager: the deployment stays
 * `deploying` (the manager lost the answer, not the deploy), the restarted agent finishes or rolls
 * it back, and the manager follows; and a force-delete during a deploy is carried out on the
 * agent once it can be. Nothing is orphaned either way.
 */
describe('fault: kill -9 of an agent mid-deploy, and a force-delete during a deploy', () => {
  const docker = createDockerClient();
  const fleet = new Fleet();
  let agent: AgentSpec & { proc: Proc };
  let checked: CheckedAgent[] = [];

  before(async () => {
    await ensureTestImage(docker);
    await fleet.startManager();
    agent = await fleet.addAgent('agent-k');
    checked = [{ ...agent, docker }];
  });
  after(() => fleet.close([docker]));

  const stackAtAgent = async (name: string): Promise<string | undefined> => {
    const response = await fetch(`http://127.0.0.1:${agent.apiPort}/stacks`, { headers: { 'x-server-key': agent.serverKey } }).catch(() => undefined);
    if (response?.status !== 200) return undefined;
    return ((await response.json()) as { name: string; status: string }[]).find((s) => s.name === name)?.status;
  };

  it('the deployment stays deploying while the agent is dead, and follows what the restarted agent made of it', async () => {
    const name = `${fleet.prefix}-k`;
    const created = await fleet.deploy(name, slowStack({ seconds: 5 }));
    await fleet.until(async () => (await stackAtAgent(name)) === 'deploying', 20_000, 'deploying at the agent', agent.proc);
    await sleep(1_500);
    await agent.proc.kill9();
    const killedAt = Date.now();

    // The manager lost the agent's answer, not the deployment.
    await sleep(2_500);
    const during = (await fleet.api<{ state: string; reason: string }>('GET', `/deployments/${created.id}`)).body;
    assert.equal(during.state, 'deploying', `still deploying while its agent is down: ${during.reason}`);

    agent.proc = await fleet.startAgent(agent);
    const restartedAt = Date.now();
    const settledIn = await fleet.until(
      async () => {
        const d = (await fleet.api<{ state: string }>('GET', `/deployments/${created.id}`)).body;
        return d.state !== 'deploying' && d.state !== 'pending';
      },
      60_000,
      'the deployment settled',
      agent.proc,
    );
    const final = (await fleet.api<{ state: string; reason: string | null }>('GET', `/deployments/${created.id}`)).body;
    console.log(`agent down ${restartedAt - killedAt} ms; the deployment became ${final.state} (${final.reason ?? ''}) ${settledIn} ms after the agent restarted`);
    assert.ok(['running', 'failed'].includes(final.state), final.state);
    await converged(fleet, checked, 20_000);
  });

  it('a force-delete during a deploy is carried out on the agent once it can be', async () => {
    const name = `${fleet.prefix}-f`;
    const created = await fleet.deploy(name, slowStack({ seconds: 5 }));
    await fleet.until(async () => (await stackAtAgent(name)) === 'deploying', 20_000, 'deploying at the agent', agent.proc);
    const refused = await fleet.api('DELETE', `/deployments/${created.id}`);
    assert.equal(refused.status, 409);
    const forced = await fleet.api<{ state: string; reason: string }>('DELETE', `/deployments/${created.id}?force=true`);
    assert.equal(forced.status, 202, JSON.stringify(forced.body));
    const requestedAt = Date.now();
    const goneIn = await fleet.until(async () => (await fleet.api('GET', `/deployments/${created.id}`)).status === 404, 60_000, 'the removal carried out', agent.proc);
    console.log(`force-delete during a deploy carried out ${Date.now() - requestedAt} ms after the request (${goneIn} ms of polling)`);
    assert.ok((await stackAtAgent(name)) === undefined || (await stackAtAgent(name)) === 'removed');
    await converged(fleet, checked, 20_000);
  });
});
