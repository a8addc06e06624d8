import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runGraph } from '../../src/engine/run-graph.js';

describe('runGraph', () => {
  const deps: Record<string, string[]> = { a: [], b: [], c: ['a'], d: ['a', 'b'], e: ['c', 'd'] };

  it('starts a node once its dependencies are done, independent nodes together', async () => {
    const log: string[] = [];
    let running = 0;
    let peak = 0;
    await runGraph(Object.keys(deps), (n) => deps[n]!, async (n) => {
      running++;
      peak = Math.max(peak, running);
      log.push(`start ${n}`);
      await sleep(n === 'b' ? 30 : 5);
      log.push(`end ${n}`);
      running--;
    });
    for (const [node, needs] of Object.entries(deps)) {
      for (const dep of needs) assert.ok(log.indexOf(`end ${dep}`) < log.indexOf(`start ${node}`), `${dep} before ${node}`);
    }
    // c needs only a, so it runs while b is still going.
    assert.ok(log.indexOf('start c') < log.indexOf('end b'));
    assert.ok(peak >= 2);
  });

  it('runs every node of a graph with a cycle, dropping the dependency that closes it', async () => {
    const cyclic: Record<string, string[]> = { a: ['b'], b: ['c'], c: ['a'], d: ['c'], e: ['e'] };
    const log: string[] = [];
    await runGraph(Object.keys(cyclic), (n) => cyclic[n]!, async (n) => {
      log.push(`start ${n}`);
      await sleep(5);
      log.push(`end ${n}`);
    });
    assert.deepEqual(log.filter((l) => l.startsWith('start')).sort(), ['start a', 'start b', 'start c', 'start d', 'start e']);
    // From a: a waits for b, b for c, and c's dependency on a closes the cycle.
    for (const [node, dep] of [['a', 'b'], ['b', 'c'], ['d', 'c']] as const) {
      assert.ok(log.indexOf(`end ${dep}`) < log.indexOf(`start ${node}`), `${dep} before ${node}`);
    }
  });

  it('skips what depends on a failure, lets running tasks settle, then rejects with the first error', async () => {
    const started: string[] = [];
    let settled = false;
    let notified: unknown;
    const failure = new Error('a broke');
    await assert.rejects(
      runGraph(
        Object.keys(deps),
        (n) => deps[n]!,
        async (n) => {
          started.push(n);
          if (n === 'a') throw failure;
          await sleep(20);
          if (n === 'b') settled = true;
        },
        (err) => (notified = err),
      ),
      failure,
    );
    assert.deepEqual(started.sort(), ['a', 'b']);
    assert.equal(settled, true, 'b finished before runGraph rejected');
    assert.equal(notified, failure);
  });
});
