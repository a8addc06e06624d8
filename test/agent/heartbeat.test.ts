import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { Heartbeat as HeartbeatBody } from '../../src/contract/index.js';
import { Heartbeat, heartbeatDelay, type HeartbeatOptions } from '../../src/agent/heartbeat.js';
import { FakeManager, silentLogger } from './helpers/manager.js';

const BODY: HeartbeatBody = { cpu: 12, mem: 34, containers: 5, disk: 56, load: 0.42, stacks: [], docker_ok: true, agent_version: '9.9.9' };

describe('heartbeatDelay', () => {
  test('the interval while the manager answers', () => {
    assert.equal(heartbeatDelay(0, 10_000, 60_000, () => 0.5), 10_000);
  });

  test('doubles with each failure, between half and all of the step, up to the cap', () => {
    const low = () => 0;
    const high = () => 0.999_999;
    assert.equal(heartbeatDelay(1, 1_000, 60_000, low), 1_000);
    assert.equal(heartbeatDelay(1, 1_000, 60_000, high), 2_000);
    assert.equal(heartbeatDelay(2, 1_000, 60_000, high), 4_000);
    assert.equal(heartbeatDelay(3, 1_000, 60_000, low), 4_000);
    assert.equal(heartbeatDelay(10, 1_000, 60_000, high), 60_000);
    assert.equal(heartbeatDelay(1_000, 1_000, 60_000, low), 30_000, 'no overflow after many failures');
  });

  test('never backs off to less than the interval cap allows, even with a cap below the interval', () => {
    assert.equal(heartbeatDelay(5, 120_000, 60_000, () => 0.999_999), 120_000);
  });

  test('jitter spreads agents that failed together', () => {
    const delays = Array.from({ length: 200 }, () => heartbeatDelay(3, 100, 10_000, Math.random));
    assert.ok(delays.every((d) => d >= 400 && d <= 800), `all within [400, 800]: ${Math.min(...delays)}…${Math.max(...delays)}`);
    assert.ok(new Set(delays).size > 20, 'and not all the same');
  });
});

describe('Heartbeat against a manager on 127.0.0.1', () => {
  let manager: FakeManager;
  let beat: Heartbeat | undefined;
  afterEach(async () => {
    beat?.stop();
    beat = undefined;
    await manager?.stop();
  });

  function start(url: string, overrides: Partial<HeartbeatOptions> = {}) {
    const results: boolean[] = [];
    beat = new Heartbeat({
      url: `${url}/hosts/host-1/heartbeat`,
      serverKey: 'the-server-key-123',
      intervalMs: 40,
      maxBackoffMs: 400,
      timeoutMs: 1_000,
      random: () => 0.999_999,
      collect: async () => BODY,
      log: silentLogger(),
      onResult: (ok) => results.push(ok),
      ...overrides,
    });
    beat.start();
    return results;
  }

  test('posts the body with the server key to /hosts/{HOST_ID}/heartbeat, the first at once', async () => {
    manager = new FakeManager();
    const url = await manager.start();
    const startedAt = Date.now();
    const results = start(url);
    await manager.waitFor(3);
    const first = manager.beats[0]!;
    assert.ok(first.at - startedAt < 1_000, 'the first heartbeat does not wait for the interval');
    assert.equal(first.url, '/hosts/host-1/heartbeat');
    assert.equal(first.headers['x-server-key'], 'the-server-key-123');
    assert.match(String(first.headers['content-type']), /application\/json/);
    assert.deepEqual(first.body, BODY);
    // The third answer may still be on its way back.
    assert.deepEqual(results.slice(0, 2), [true, true]);
  });

  test('backs off exponentially while the manager refuses, and comes back to the interval by itself', async () => {
    manager = new FakeManager();
    let calls = 0;
    manager.respond = () => (++calls <= 5 ? 401 : 200);
    const url = await manager.start();
    const results = start(url);
    await manager.waitFor(9);
    const gaps = manager.beats.slice(1, 9).map((b, i) => b.at - manager.beats[i]!.at);
    // After failures 1…5 the waits are ~80, 160, 320, 400 (cap), 400; then ~40 once it answers.
    assert.ok(gaps[0]! >= 70, `first backoff ${gaps[0]}`);
    assert.ok(gaps[1]! >= 140 && gaps[1]! > gaps[0]!, `second backoff ${gaps[1]} after ${gaps[0]}`);
    assert.ok(gaps[2]! >= 280 && gaps[2]! > gaps[1]!, `third backoff ${gaps[2]} after ${gaps[1]}`);
    assert.ok(gaps[3]! >= 360 && gaps[3]! < 1_000, `capped at 400: ${gaps[3]}`);
    assert.ok(gaps[4]! >= 360 && gaps[4]! < 1_000, `still capped: ${gaps[4]}`);
    // ~40 ms; the bound only needs to tell the interval from the 400 ms backoff on a busy machine.
    assert.ok(gaps[5]! < 250 && gaps[6]! < 250, `back to the interval after recovery: ${gaps[5]}, ${gaps[6]}`);
    assert.deepEqual(results.slice(0, 7), [false, false, false, false, false, true, true]);
    assert.equal(beat!.status.consecutiveFailures, 0);
    assert.equal(beat!.status.lastError, undefined);
    assert.ok(beat!.status.lastSuccessAt !== undefined);
  });

  test('gives up on a manager that does not answer after the timeout', async () => {
    manager = new FakeManager();
    manager.respond = () => 'hang';
    const url = await manager.start();
    const results = start(url, { timeoutMs: 150, intervalMs: 10_000 });
    await manager.waitFor(1);
    const began = Date.now();
    while (results.length === 0 && Date.now() - began < 3_000) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(results, [false]);
    assert.match(beat!.status.lastError ?? '', /no answer within 150 ms/);
  });

  test('retries a manager that answers 5xx every interval, not on the backoff', async () => {
    manager = new FakeManager();
    let calls = 0;
    manager.respond = () => (++calls <= 4 ? 503 : 200);
    const url = await manager.start();
    const results = start(url, { intervalMs: 100, maxBackoffMs: 60_000 });
    await manager.waitFor(6);
    const gaps = manager.beats.slice(1, 6).map((b, i) => b.at - manager.beats[i]!.at);
    // A backoff would have waited 200, 400, 800, 1600 ms; the probe brings each retry within the interval.
    assert.ok(gaps.every((g) => g < 600), `every retry within the interval and some slack: ${gaps.join(', ')}`);
    assert.deepEqual(results.slice(0, 5), [false, false, false, false, true]);
  });

  test('returns within one interval of the manager coming back, however long it was gone', async () => {
    manager = new FakeManager();
    const url = await manager.start();
    const port = Number(new URL(url).port);
    await manager.stop();
    const results = start(url, { intervalMs: 200, maxBackoffMs: 60_000, random: Math.random });
    const began = Date.now();
    // Enough failures that the backoff alone would wait tens of seconds.
    while (beat!.status.consecutiveFailures < 3 && Date.now() - began < 10_000) await new Promise((r) => setTimeout(r, 20));
    assert.ok(beat!.status.consecutiveFailures >= 3, 'it failed a few times');
    await new Promise((r) => setTimeout(r, 1_500));
    const failures = beat!.status.consecutiveFailures;
    assert.ok(failures <= 5, `full heartbeats are thinned while the manager is away: ${failures} in ~2 s`);
    manager = new FakeManager();
    const back = Date.now();
    await manager.start(port);
    await manager.waitFor(1);
    const returned = Date.now() - back;
    console.log(`heartbeat returned ${returned} ms after the manager listened again (interval 200 ms)`);
    assert.ok(returned < 200 + 300, `within one interval and some slack: ${returned} ms`);
    assert.ok(results.includes(false));
  });

  test('recovers when a manager that was not listening at all comes up', async () => {
    manager = new FakeManager();
    const url = await manager.start();
    const port = Number(new URL(url).port);
    await manager.stop();
    const results = start(url, { intervalMs: 30, maxBackoffMs: 120 });
    const began = Date.now();
    while (results.length < 2 && Date.now() - began < 5_000) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(results.slice(0, 2), [false, false]);
    assert.match(beat!.status.lastError ?? '', /ECONNREFUSED/);
    manager = new FakeManager();
    await manager.start(port);
    await manager.waitFor(2);
    assert.equal(beat!.status.consecutiveFailures, 0);
    assert.ok(results.includes(true));
  });

  test('names the likely cause of a refusal', async () => {
    manager = new FakeManager();
    manager.respond = () => 401;
    const url = await manager.start();
    const results = start(url, { intervalMs: 10_000 });
    await manager.waitFor(1);
    while (results.length === 0) await new Promise((r) => setTimeout(r, 5));
    assert.match(beat!.status.lastError ?? '', /HTTP 401 \(check SERVER_KEY and HOST_ID/);
  });
});
