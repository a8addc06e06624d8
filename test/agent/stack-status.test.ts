import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Value } from 'typebox/value';
import { deriveService, deriveStack, exitCodeOf, healthOf } from '../../src/agent/stack-status.js';
import { ServiceStatus } from '../../src/contract/index.js';
import type { ContainerSummary } from '../../src/docker/index.js';

// What `GET /containers/json` answers, reduced to the fields the derivation reads.
let serial = 0;
function container(service: string, state: string, status: string, extra: Record<string, string> = {}): ContainerSummary {
  serial++;
  return {
    Id: `id${serial}`,
    Names: [`/app-${service}-${serial}`],
    Image: 'img',
    ImageID: 'sha256:0',
    Command: 'sh',
    Created: 0,
    Ports: [],
    Labels: { 'com.docker.compose.project': 'app', 'com.docker.compose.service': service, ...extra },
    State: state,
    Status: status,
    HostConfig: { NetworkMode: 'bridge' },
    NetworkSettings: { Networks: {} },
    Mounts: [],
  } as ContainerSummary;
}

const up = (service: string, health = '') => container(service, 'running', `Up 3 minutes${health ? ` (${health})` : ''}`);
const exited = (service: string, code: number) => container(service, 'exited', `Exited (${code}) 2 seconds ago`);

describe("a stack's status from its containers", () => {
  test('running: every service runs and none is unhealthy', () => {
    const derived = deriveStack(['db', 'web'], [up('web', 'healthy'), up('db'), up('web', 'health: starting')]);
    assert.equal(derived.status, 'running');
    assert.equal(derived.reason, null);
    assert.deepEqual(derived.services, [
      { name: 'db', state: 'running', health: null, running: 1, total: 1 },
      { name: 'web', state: 'running', health: 'starting', running: 2, total: 2 },
    ]);
    for (const s of derived.services) assert.equal([...Value.Errors(ServiceStatus, s)].length, 0);
  });

  test('degraded: one service exited, restarting, unhealthy, missing or short of replicas', () => {
    assert.deepEqual(
      [deriveStack(['db', 'web'], [up('web'), exited('db', 137)]).status, deriveStack(['db', 'web'], [up('web'), exited('db', 137)]).reason],
      ['degraded', 'db exited'],
    );
    assert.equal(deriveStack(['db', 'web'], [up('web'), container('db', 'restarting', 'Restarting (1) 1 second ago')]).status, 'degraded');
    const unhealthy = deriveStack(['web'], [up('web', 'unhealthy')]);
    assert.deepEqual([unhealthy.status, unhealthy.reason], ['degraded', 'web unhealthy']);
    const missing = deriveStack(['db', 'web'], [up('web')]);
    assert.deepEqual([missing.status, missing.reason], ['degraded', 'db missing']);
    const short = deriveStack(['web'], [up('web'), exited('web', 1)]);
    assert.deepEqual([short.status, short.services[0]!.running, short.services[0]!.total], ['degraded', 1, 2]);
    assert.equal(deriveStack(['web', 'db'], [up('web'), container('db', 'paused', 'Up 1 minute (Paused)')]).status, 'degraded');
  });

  test('stopped: no long-running service runs (what an engine restart leaves), or the stack has no containers', () => {
    const afterRestart = deriveStack(['db', 'web'], [exited('web', 143), exited('db', 0)]);
    assert.equal(afterRestart.status, 'stopped');
    assert.equal(afterRestart.reason, 'db completed, web exited', 'a long-running service that exited 0 is down, not done');
    assert.equal(deriveStack(['web'], []).status, 'stopped');
    assert.equal(deriveStack([], []).status, 'stopped');
    assert.equal(deriveStack(['web'], [container('web', 'created', 'Created')]).status, 'stopped');
  });

  test('one-shots that exited 0 count as done; a one-shot that failed does not', () => {
    assert.equal(deriveStack(['migrate', 'web'], [up('web'), exited('migrate', 0)], ['migrate']).status, 'running');
    const failed = deriveStack(['migrate', 'web'], [up('web'), exited('migrate', 2)], ['migrate']);
    assert.deepEqual([failed.status, failed.reason], ['degraded', 'migrate exited']);
    assert.equal(deriveStack(['migrate'], [exited('migrate', 0)], ['migrate']).status, 'running', 'a stack of one-shots that all finished');
    assert.equal(deriveStack(['migrate', 'web'], [exited('web', 0), exited('migrate', 0)], ['migrate']).status, 'stopped');
  });

  test('one-off containers (compose run) and services only the labels know', () => {
    const derived = deriveStack(['web'], [up('web'), container('web', 'exited', 'Exited (1) 1 second ago', { 'com.docker.compose.oneoff': 'True' }), up('extra')]);
    assert.equal(derived.status, 'running');
    assert.deepEqual(derived.services.map((s) => s.name), ['extra', 'web']);
  });

  test("a service's state is its worst replica's; its health the worst check", () => {
    assert.deepEqual(deriveService('web', [up('web', 'healthy'), up('web', 'unhealthy')]), { name: 'web', state: 'running', health: 'unhealthy', running: 2, total: 2 });
    assert.equal(deriveService('web', [up('web'), container('web', 'dead', 'Dead')]).state, 'dead');
    assert.equal(deriveService('web', [exited('web', 0), exited('web', 0)]).state, 'completed');
    assert.equal(deriveService('web', [exited('web', 0), exited('web', 1)]).state, 'exited');
    assert.equal(deriveService('web', []).state, 'missing');
  });

  test("reads the engine's status text", () => {
    assert.equal(exitCodeOf('Exited (0) 5 seconds ago'), 0);
    assert.equal(exitCodeOf('Exited (137) About a minute ago'), 137);
    assert.equal(exitCodeOf('Up 5 seconds'), null);
    assert.equal(healthOf('Up 5 seconds (healthy)'), 'healthy');
    assert.equal(healthOf('Up 5 seconds (unhealthy)'), 'unhealthy');
    assert.equal(healthOf('Up 1 second (health: starting)'), 'starting');
    assert.equal(healthOf('Up 1 second'), null);
  });
});
