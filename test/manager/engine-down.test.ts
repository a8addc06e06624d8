import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HeartbeatStack } from '../../src/contract/index.js';
import { whileEngineDown } from '../../src/manager/engine-down.js';

const stack = (name: string, status: HeartbeatStack['status']): HeartbeatStack => ({ name, status, reason: null, services: [], seen_at: '2026-12-07T08:00:00.000Z' });

describe('stacks of a heartbeat whose engine does not answer', () => {
  it('are taken as they are while the engine answers (or the agent does not say)', () => {
    const stacks = [stack('a', 'running')];
    assert.equal(whileEngineDown(stacks, true), stacks);
    assert.equal(whileEngineDown(stacks, undefined), stacks);
    assert.equal(whileEngineDown(stacks, null), stacks);
  });

  it('shows a stack last seen running as degraded, saying why and since when; the others as reported', () => {
    const shown = whileEngineDown([stack('a', 'running'), stack('b', 'stopped'), stack('c', 'deploying'), stack('d', 'degraded')], false);
    assert.deepEqual(
      shown.map((s) => [s.name, s.status]),
      [['a', 'degraded'], ['b', 'stopped'], ['c', 'deploying'], ['d', 'degraded']],
    );
    assert.equal(shown[0]!.reason, 'the Docker engine does not answer (last seen running at 2026-12-07T08:00:00.000Z)');
  });
});
