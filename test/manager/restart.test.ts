import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, freshDatabase, heartbeat, launch, login, registerHost, startFakeAgent, startTestManager, type FakeAgent, type TestManager } from './helpers.js';

const SHIPSHAPE_AGENT = { agent_version: '0.1.0' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A manager on `url`'s database and a Shipshape-style agent registered with it. */
async function withAgent(
  run: (ctx: { agent: FakeAgent; databaseUrl: string; start: (extra?: Parameters<typeof startTestManager>[1]) => Promise<TestManager>; hostId: string; admin: string; first: TestManager }) => Promise<void>,
): Promise<void> {
  const database = await freshDatabase('sqlite');
  let key: string | undefined;
  const agent = await startFakeAgent(() => key);
  const managers: TestManager[] = [];
  const start = async (extra: Parameters<typeof startTestManager>[1] = {}) => {
    const manager = await startTestManager('sqlite', { databaseUrl: database.url, reconcileEveryMs: 50, ...extra, config: { monitorInterval: 0.05, ...extra.config } });
    managers.push(manager);
    return manager;
  };
  try {
    const first = await start();
    const admin = await login(first);
    const host = await registerHost(first, admin, { ip: '127.0.0.1', api_port: agent.port, max_containers: 5 });
    key = host.server_key;
    assert.equal((await heartbeat(first, host.id, host.server_key, SHIPSHAPE_AGENT)).statusCode, 200);
    await run({ agent, databaseUrl: database.url, start, hostId: host.id, admin, first });
  } finally {
    for (const manager of managers) await manager.app.close().catch(() => undefined);
    await agent.close();
    await database.drop();
  }
}

describe('manager restart with deployments in flight (Shipshape agents)', () => {
  it('keeps them deploying until the agent gives a final answer, then follows it', async () => {
    await withAgent(async ({ agent, start, hostId, admin, first }) => {
      agent.mode = 'hang';
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push(((await launch(first, admin)).json() as { id: string }).id);
      const [finished, rolledBack, slow] = ids as [string, string, string];
      await eventually(() => (agent.deploying.size === 3 ? true : undefined), 5_000, 'three deploys at the agent');
      await first.app.close();

      const second = await start();
      const state = async (id: string) => (await second.repo.getDeployment(id))?.state;
      // Many reconciliation rounds while the agent still works: nothing is guessed.
      await sleep(600);
      assert.deepEqual(await Promise.all(ids.map(state)), ['deploying', 'deploying', 'deploying']);
      assert.match((await second.repo.getDeployment(slow))?.reason ?? '', /its agent is still deploying it/);

      agent.deploying.delete(finished);
      agent.running.add(finished);
      agent.deploying.delete(rolledBack);
      await eventually(async () => ((await state(finished)) === 'running' && (await state(rolledBack)) === 'failed' ? true : undefined), 5_000, 'the two answers');
      assert.equal(await state(slow), 'deploying');
      assert.match((await second.repo.getDeployment(rolledBack))?.reason ?? '', /rolled back, or never reached it/);
      assert.equal((await second.repo.getHost(hostId))?.activeDeployments, 2, 'the rolled-back one gave its slot back');

      agent.deploying.delete(slow);
      agent.running.add(slow);
      await eventually(async () => ((await state(slow)) === 'running' ? true : undefined), 5_000, 'the slow one');
      assert.equal((await second.repo.getHost(hostId))?.activeDeployments, 2);
    });
  });

  it('a launch whose answer is lost stays deploying, and follows the agent', async () => {
    await withAgent(async ({ agent, hostId, admin, first }) => {
      agent.mode = 'hang-up';
      const { id } = (await launch(first, admin)).json() as { id: string };
      const waiting = await eventually(async () => {
        const d = await first.repo.getDeployment(id);
        return d?.reason?.includes('no final answer from its agent') ? d : undefined;
      }, 5_000, 'the lost answer noted');
      assert.equal(waiting.state, 'deploying');
      await sleep(300);
      assert.equal((await first.repo.getDeployment(id))?.state, 'deploying', 'not failed while the agent works');
      agent.deploying.delete(id);
      agent.running.add(id);
      await eventually(async () => ((await first.repo.getDeployment(id))?.state === 'running' ? true : undefined), 5_000, 'running');
      assert.equal((await first.repo.getHost(hostId))?.activeDeployments, 1);
    });
  });

  it('a force-delete during a deploy is recorded, survives a restart and is carried out once the agent can', async () => {
    await withAgent(async ({ agent, start, hostId, admin, first }) => {
      agent.mode = 'hang';
      const { id } = (await launch(first, admin)).json() as { id: string };
      await eventually(() => (agent.deploying.has(id) ? true : undefined), 5_000, 'deploying at the agent');
      const plain = await first.app.inject({ method: 'DELETE', url: `/deployments/${id}`, headers: { 'x-admin-key': admin } });
      assert.equal(plain.statusCode, 409);
      const forced = await first.app.inject({ method: 'DELETE', url: `/deployments/${id}?force=true`, headers: { 'x-admin-key': admin } });
      assert.equal(forced.statusCode, 202, forced.body);
      assert.match((forced.json() as { reason: string }).reason, /removal requested by .* carried out on the agent as soon as it can/);
      await first.app.close();

      // A restarted manager retries it; the agent refuses while it deploys.
      const second = await start();
      await sleep(400);
      assert.ok(await second.repo.getDeployment(id), 'kept until the agent confirms');
      assert.ok(agent.calls.some((c) => c.method === 'DELETE'), 'the removal was tried');
      const again = await launch(second, admin, undefined, 'user-2');
      assert.equal(again.statusCode, 202, 'another deployment is placed meanwhile');

      agent.release();
      await eventually(async () => ((await second.repo.getDeployment(id)) === undefined ? true : undefined), 5_000, 'the removal carried out');
      assert.equal(agent.running.has(id), false, 'nothing of it runs on the agent');
      assert.equal(agent.deploying.has(id), false);
      assert.equal((await second.repo.getHost(hostId))?.activeDeployments, 1, 'its slot given back once confirmed');
    });
  });

  it('a force-delete the agent cannot carry out now waits for the agent to come back', async () => {
    await withAgent(async ({ agent, admin, first }) => {
      const { id } = (await launch(first, admin)).json() as { id: string };
      await eventually(async () => ((await first.repo.getDeployment(id))?.state === 'running' ? true : undefined), 5_000, 'running');
      agent.mode = 'ok';
      const port = agent.port;
      await agent.app.close();
      const refused = await first.app.inject({ method: 'DELETE', url: `/deployments/${id}`, headers: { 'x-admin-key': admin } });
      assert.equal(refused.statusCode, 502);
      const forced = await first.app.inject({ method: 'DELETE', url: `/deployments/${id}?force=true`, headers: { 'x-admin-key': admin } });
      assert.equal(forced.statusCode, 202);
      await sleep(300);
      assert.ok(await first.repo.getDeployment(id));
      assert.match((await first.repo.getDeployment(id))?.reason ?? '', /could not take it down yet/);
      // The same agent, back on its port, still runs the stack: it is taken down, then forgotten.
      const back = await startFakeAgentOn(port, agent);
      try {
        await eventually(async () => ((await first.repo.getDeployment(id)) === undefined ? true : undefined), 5_000, 'the removal carried out');
        assert.equal(back.running.has(id), false);
      } finally {
        await back.close();
      }
    });
  });
});

describe('offline grace after a manager restart', () => {
  it('gives hosts one OFFLINE_AFTER from the start before calling them offline, and still detects them then', async () => {
    const database = await freshDatabase('sqlite');
    try {
      const first = await startTestManager('sqlite', { databaseUrl: database.url, monitor: false });
      const admin = await login(first);
      const host = await registerHost(first, admin);
      assert.equal((await heartbeat(first, host.id, host.server_key)).statusCode, 200);
      await first.app.close();

      // The manager comes back an hour later: the last heartbeat is an hour old.
      const offset = 3_600_000;
      const startedAt = Date.now();
      const second = await startTestManager('sqlite', { databaseUrl: database.url, now: () => Date.now() + offset, config: { offlineAfter: 1.5, monitorInterval: 0.05 } });
      try {
        await sleep(700);
        assert.equal((await second.repo.getHost(host.id))?.status, 'online', 'within the grace');
        await eventually(async () => ((await second.repo.getHost(host.id))?.status === 'offline' ? true : undefined), 5_000, 'offline after the grace');
        const after = Date.now() - startedAt;
        assert.ok(after >= 1_400 && after < 1_500 + 1_500, `offline ${after} ms after the start`);
      } finally {
        await second.dispose();
      }
    } finally {
      await database.drop();
    }
  });
});

/** The fake agent again on the port it had, running what it ran, checking the same key. */
async function startFakeAgentOn(port: number, previous: FakeAgent): Promise<FakeAgent> {
  const key = previous.calls.at(-1)?.serverKey;
  const agent = await startFakeAgent(() => key, port);
  for (const name of previous.running) agent.running.add(name);
  return agent;
}
