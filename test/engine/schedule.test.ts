import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DependencyDescription, DependencyEdge } from '../../src/engine/graph.js';
import { describeDependencies } from '../../src/engine/graph.js';
import { runStack } from '../../src/engine/schedule.js';
import { load } from './helpers.js';

const edge = (service: string, condition: DependencyEdge['condition'] = 'service_started', atCreate = false): DependencyEdge => ({
  service,
  condition,
  required: true,
  restart: false,
  atCreate,
});

describe('runStack', () => {
  it('starts a service as soon as its own dependencies are satisfied, with no level barrier', async () => {
    // Level 1 holds slow and fast; level 2 holds after-fast. A level barrier would start
    // after-fast only once slow is done.
    const deps: DependencyDescription = { slow: [], fast: [], 'after-fast': [edge('fast', 'service_healthy')] };
    const log: string[] = [];
    await runStack(deps, {
      create: async (s) => void log.push(`create ${s}`),
      satisfy: async (s, e) => {
        await sleep(5);
        log.push(`${s} satisfied by ${e.service}`);
      },
      start: async (s) => {
        log.push(`start ${s}`);
        if (s === 'slow') await sleep(200);
        log.push(`started ${s}`);
      },
    });
    assert.ok(log.indexOf('start after-fast') < log.indexOf('started slow'), log.join('\n'));
    assert.ok(log.indexOf('started fast') < log.indexOf('after-fast satisfied by fast'));
    assert.ok(log.indexOf('after-fast satisfied by fast') < log.indexOf('start after-fast'));
  });

  it('creates every container before starting, except that a namespace or link target is created first', async () => {
    const deps: DependencyDescription = { db: [], app: [edge('db', 'service_started', true)], web: [edge('app')] };
    const log: string[] = [];
    await runStack(deps, {
      create: async (s) => {
        await sleep(s === 'db' ? 20 : 1);
        log.push(`create ${s}`);
      },
      satisfy: async () => {},
      start: async (s) => void log.push(`start ${s}`),
    });
    assert.ok(log.indexOf('create db') < log.indexOf('create app'));
    // web waits for nothing at creation: it is created while db is still being created.
    assert.ok(log.indexOf('create web') < log.indexOf('create db'));
    assert.ok(log.indexOf('start app') < log.indexOf('start web'));
  });

  it('stops what depends on a failure, lets running steps settle, then rejects with the first error', async () => {
    const deps: DependencyDescription = { a: [], b: [], c: [edge('a', 'service_healthy')], d: [edge('c')] };
    const started: string[] = [];
    let failures = 0;
    let settledB = false;
    await assert.rejects(
      runStack(
        deps,
        {
          create: async () => {},
          satisfy: async (_s, e) => {
            if (e.service === 'a') throw new Error('a is unhealthy');
          },
          start: async (s) => {
            started.push(s);
            if (s === 'b') {
              await sleep(30);
              settledB = true;
            }
          },
        },
        () => failures++,
      ),
      /a is unhealthy/,
    );
    assert.equal(failures, 1);
    assert.ok(settledB, 'b settled before runStack rejected');
    assert.deepEqual(started.sort(), ['a', 'b']);
  });
});

describe('describeDependencies', () => {
  it('adds the services named by links, volumes_from and service: namespaces, created first', () => {
    const { project } = load(`services:
  db: {image: x}
  cache: {image: x}
  files: {image: x}
  app:
    image: x
    depends_on: {db: {condition: service_healthy, required: false}}
    links: ["db:database"]
    volumes_from: ["files:ro", "container:elsewhere"]
    pid: service:cache
`);
    assert.deepEqual(describeDependencies(project)['app'], [
      { service: 'cache', condition: 'service_started', required: true, restart: false, atCreate: true },
      { service: 'db', condition: 'service_healthy', required: false, restart: false, atCreate: true },
      { service: 'files', condition: 'service_started', required: true, restart: false, atCreate: true },
    ]);
  });
});
