import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { HttpAgentClient, type AgentTarget } from '../../src/manager/index.js';

/**
 * The manager's agent client speaks the agent's contract (src/contract): its requests are the
 * contract's types, and an answer that does not follow the contract is a failure whatever its
 * status. An agent on 127.0.0.1 whose answers each test sets.
 */
const KEY = 'agent-client-test-key-0123456789';
let server: FastifyInstance;
let target: AgentTarget;
let answer: { status: number; body: unknown } = { status: 201, body: { name: 'x', status: 'started' } };
const received: { url: string; body: unknown }[] = [];

before(async () => {
  server = Fastify({ bodyLimit: 8 * 2 ** 20 });
  server.addHook('onRequest', async (request, reply) => {
    if (request.headers['x-server-key'] !== KEY) return reply.code(401).send({ detail: 'Invalid server key' });
  });
  server.all('/*', async (request, reply) => {
    received.push({ url: request.url, body: request.body });
    return reply.code(answer.status).send(answer.body);
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
  target = { ip: '127.0.0.1', apiPort: (server.server.address() as AddressInfo).port, serverKey: KEY, certSha256: null };
});

after(async () => {
  await server.close();
});

const client = new HttpAgentClient();
const signal = () => AbortSignal.timeout(5_000);

describe('the agent client and the contract', () => {
  test("launch sends machine-lab's start request and accepts the contract's answer", async () => {
    answer = { status: 201, body: { name: 'shop', status: 'started' } };
    const result = await client.launch(target, 'shop', Buffer.from('PK'), signal());
    assert.deepEqual(result, { ok: true, status: 201, body: { name: 'shop', status: 'started' } });
    assert.deepEqual(received.at(-1), { url: '/agent/containers', body: { name: 'shop', docker_zip_base64: Buffer.from('PK').toString('base64'), vpn_conf_base64: '' } });
  });

  test('a success status with a body the contract does not allow is a failure', async () => {
    answer = { status: 201, body: { name: 7 } };
    const result = await client.launch(target, 'shop', Buffer.from('PK'), signal());
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : '', /HTTP 201 with a body its contract does not allow/);
    answer = { status: 200, body: [{ id: 'a', name: 'shop-web-1' }] };
    assert.equal(await client.containers(target, signal()), undefined, 'a container without image and status is not a container');
  });

  test("errors are read in the agent's two error shapes", async () => {
    answer = { status: 422, body: { detail: 'docker-compose.yml not found' } };
    const compat = await client.launch(target, 'shop', Buffer.from('PK'), signal());
    assert.equal(!compat.ok && compat.reason, 'the agent answered HTTP 422: docker-compose.yml not found');
    answer = { status: 409, body: { error: { code: 'conflict', message: 'stack shop is busy' } } };
    const own = await client.restart(target, 'shop', signal());
    assert.equal(!own.ok && own.reason, 'the agent answered HTTP 409: stack shop is busy');
    answer = { status: 404, body: { detail: 'Environment not found' } };
    assert.equal((await client.remove(target, 'shop', signal())).ok, true, 'a stack the agent does not know is removed already');
  });

  test('stacks come back as the contract types', async () => {
    const stack = { name: 'shop', status: 'degraded', reason: 'worker exited', source: 'compose', created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z', containers: { running: 1, total: 2 } };
    answer = { status: 200, body: [stack] };
    assert.deepEqual(await client.stacks(target, signal()), [stack]);
    answer = { status: 200, body: [{ ...stack, status: 'partial' }] };
    assert.equal(await client.stacks(target, signal()), undefined, 'a status outside the contract');
    answer = { status: 404, body: { detail: 'Not Found' } };
    assert.equal(await client.stacks(target, signal()), undefined, 'a machine-lab agent has no GET /stacks');
  });
});
