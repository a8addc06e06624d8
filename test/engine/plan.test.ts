import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plan, serviceHash, startupLevels, type ObservedContainer, type ObservedState } from '../../src/engine/index.js';
import { load } from './helpers.js';

const STACK = `
services:
  db: {image: pg, healthcheck: {test: [CMD, "true"]}, volumes: [data:/var/lib/db]}
  migrate: {image: app, depends_on: {db: {condition: service_healthy}}}
  api:
    image: app
    depends_on: {db: {condition: service_healthy}, migrate: {condition: service_completed_successfully}}
    networks: [default, back]
  web: {image: web, depends_on: [api], deploy: {replicas: 2}}
  cache: {image: redis}
volumes: {data: {}, unused: {}}
networks: {back: {}, ext: {external: true}}
`;

const nothing: ObservedState = { containers: [], networks: [], volumes: [] };

function running(service: string, number: number, configHash: string, state = 'running'): ObservedContainer {
  return { id: `${service}${number}`, name: `demo-${service}-${number}`, service, number, configHash, state };
}

describe('plan', () => {
  const { project } = load(STACK);
  const hashes = Object.fromEntries(Object.values(project.services).map((s) => [s.name, serviceHash(s)]));

  it('creates everything on an empty engine, by startup level', () => {
    const p = plan(project, nothing);
    assert.deepEqual(p.levels, [['cache', 'db'], ['migrate'], ['api'], ['web']]);
    assert.deepEqual(p.services.map((s) => [s.service, s.level]), [['cache', 0], ['db', 0], ['migrate', 1], ['api', 2], ['web', 3]]);
    assert.deepEqual(
      p.services.flatMap((s) => s.containers.map((c) => `${c.name}:${c.action}`)),
      ['demo-cache-1:create', 'demo-db-1:create', 'demo-migrate-1:create', 'demo-api-1:create', 'demo-web-1:create', 'demo-web-2:create'],
    );
    assert.deepEqual(p.networks, [
      { key: 'back', name: 'demo_back', action: 'create' },
      { key: 'default', name: 'demo_default', action: 'create' },
    ]);
    // Unused volumes and networks are not created, as compose leaves them out.
    assert.deepEqual(p.volumes, [{ key: 'data', name: 'demo_data', action: 'create' }]);
    assert.deepEqual(p.orphans, []);
  });

  it('keeps what runs unchanged, starts what is stopped, recreates what changed', () => {
    const observed: ObservedState = {
      containers: [
        running('cache', 1, hashes['cache']!),
        running('db', 1, 'old-hash'),
        running('migrate', 1, hashes['migrate']!, 'exited'),
        running('api', 1, hashes['api']!),
        running('web', 1, hashes['web']!),
        running('web', 2, hashes['web']!),
      ],
      networks: ['demo_default', 'demo_back'],
      volumes: ['demo_data'],
    };
    const p = plan(project, observed);
    const actions = Object.fromEntries(p.services.flatMap((s) => s.containers.map((c) => [c.name, c.action])));
    assert.deepEqual(actions, {
      'demo-cache-1': 'keep',
      'demo-db-1': 'recreate',
      'demo-migrate-1': 'start',
      'demo-api-1': 'keep',
      'demo-web-1': 'keep',
      'demo-web-2': 'keep',
    });
    assert.equal(p.services.find((s) => s.service === 'db')!.containers[0]!.reason, 'configuration changed');
    assert.deepEqual(p.networks.map((n) => n.action), ['keep', 'keep']);
    assert.deepEqual(p.volumes.map((v) => v.action), ['keep']);
  });

  it('recreates when the image changed and when forced', () => {
    const observed: ObservedState = { ...nothing, containers: [{ ...running('cache', 1, hashes['cache']!), imageId: 'sha256:old' }] };
    const changed = plan(project, observed, { imageIds: { cache: 'sha256:new' } });
    assert.equal(changed.services[0]!.containers[0]!.action, 'recreate');
    assert.equal(changed.services[0]!.containers[0]!.reason, 'image changed');
    assert.equal(plan(project, observed, { imageIds: { cache: 'sha256:old' } }).services[0]!.containers[0]!.action, 'keep');
    assert.equal(plan(project, observed, { forceRecreate: true }).services[0]!.containers[0]!.action, 'recreate');
  });

  it('scales down from the highest number and names orphans', () => {
    const observed: ObservedState = {
      ...nothing,
      containers: [
        running('web', 1, hashes['web']!),
        running('web', 3, hashes['web']!),
        running('web', 2, hashes['web']!),
        running('web', 4, hashes['web']!),
        running('gone', 1, 'x'),
      ],
    };
    const web = plan(project, observed).services.find((s) => s.service === 'web')!;
    assert.deepEqual(web.containers.map((c) => c.action), ['keep', 'keep']);
    assert.deepEqual(web.scaleDown.map((c) => c.number), [4, 3]);
    assert.deepEqual(plan(project, observed).orphans.map((o) => o.name), ['demo-gone-1']);
  });

  it('picks the container with the wanted name over one set aside, whatever the names sort as, and lists the aside one as stale', () => {
    const id = 'a'.repeat(64);
    // `0aaa…_demo-cache-1` sorts before `demo-cache-1`: the name order must not decide.
    const aside: ObservedContainer = { id: `0${id.slice(1)}`, name: `0${id.slice(1, 12)}_demo-cache-1`, service: 'cache', number: 1, configHash: 'old', state: 'exited', created: 200 };
    const current: ObservedContainer = { ...running('cache', 1, 'broken', 'exited'), created: 100 };
    for (const containers of [[aside, current], [current, aside]]) {
      const cache = plan(project, { ...nothing, containers }).services.find((s) => s.service === 'cache')!;
      assert.deepEqual(cache.containers.map((c) => [c.action, c.existing?.id, c.adopt ?? false]), [['recreate', current.id, false]]);
      assert.deepEqual(cache.stale.map((c) => c.id), [aside.id]);
      assert.deepEqual(cache.scaleDown, []);
    }
  });

  it('adopts a container set aside when none has the wanted name: the one with the wanted configuration, else the newest', () => {
    const aside = (id: string, configHash: string, created: number): ObservedContainer => ({
      id,
      name: `${id.slice(0, 12)}_demo-cache-1`,
      service: 'cache',
      number: 1,
      configHash,
      state: 'exited',
      created,
    });
    const older = aside('1'.repeat(64), hashes['cache']!, 100);
    const newer = aside('2'.repeat(64), 'other', 200);
    const newest = aside('3'.repeat(64), 'other', 300);
    const pick = (containers: ObservedContainer[]) => plan(project, { ...nothing, containers }).services.find((s) => s.service === 'cache')!;
    const matching = pick([newest, older, newer]);
    assert.deepEqual(matching.containers.map((c) => [c.action, c.existing?.id, c.adopt]), [['start', older.id, true]]);
    assert.deepEqual(matching.stale.map((c) => c.id), [newer.id, newest.id]);
    const changed = pick([newer, newest]);
    assert.deepEqual(changed.containers.map((c) => [c.action, c.existing?.id, c.adopt]), [['recreate', newest.id, true]]);
    assert.deepEqual(changed.stale.map((c) => c.id), [newer.id]);
    // A name that merely looks set aside (not its own ID) is an ordinary container.
    const lookalike: ObservedContainer = { ...aside('4'.repeat(64), hashes['cache']!, 400), name: `${'5'.repeat(12)}_demo-cache-1` };
    assert.equal(pick([lookalike]).containers[0]!.adopt, undefined);
  });

  it('marks external networks and volumes, which are never created', () => {
    const { project: ext } = load(`
services:
  a: {image: x, networks: [outside], volumes: [shared:/s]}
networks: {outside: {external: true, name: corp-net}}
volumes: {shared: {external: true}}
`);
    const p = plan(ext, nothing);
    assert.deepEqual(p.networks, [{ key: 'outside', name: 'corp-net', action: 'external' }]);
    assert.deepEqual(p.volumes, [{ key: 'shared', name: 'shared', action: 'external' }]);
  });

  it('uses container_name and network_mode: service: as a dependency', () => {
    const { project: p } = load(`
services:
  vpn: {image: v, container_name: the-vpn}
  app: {image: a, network_mode: "service:vpn"}
`);
    assert.deepEqual(startupLevels(p), [['vpn'], ['app']]);
    assert.equal(plan(p, nothing).services[0]!.containers[0]!.name, 'the-vpn');
    // A service sharing another's network namespace joins no network of its own.
    assert.deepEqual(plan(p, nothing).networks.map((n) => n.key), ['default']);
  });
});

describe('serviceHash', () => {
  const base = load('services:\n  a: {image: x, environment: {A: "1", B: "2"}}\n').project.services['a']!;

  it('ignores key order, replicas, scale and depends_on, and sees every other change', () => {
    const reordered = load('services:\n  a: {environment: {B: "2", A: "1"}, image: x}\n').project.services['a']!;
    assert.equal(serviceHash(reordered), serviceHash(base));
    const scaled = load('services:\n  a: {image: x, environment: {A: "1", B: "2"}, deploy: {replicas: 3}}\n').project.services['a']!;
    assert.equal(serviceHash(scaled), serviceHash(base));
    const changed = load('services:\n  a: {image: x, environment: {A: "1", B: "3"}}\n').project.services['a']!;
    assert.notEqual(serviceHash(changed), serviceHash(base));
    assert.match(serviceHash(base), /^[0-9a-f]{64}$/);
  });
});

describe('startupLevels', () => {
  it('reports a dependency cycle with its path', () => {
    const { project } = load('services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [c]}\n  c: {image: x, depends_on: [a]}\n');
    assert.throws(() => startupLevels(project), /cycle: a → b → c → a/);
  });
});

describe('plan with profiles', () => {
  it('does not call containers of services a profile leaves out orphans', () => {
    const { project } = load('services:\n  web: {image: x}\n  debug: {image: y, profiles: [debug]}\n');
    const observed: ObservedState = { ...nothing, containers: [running('debug', 1, 'h'), running('gone', 1, 'h')] };
    assert.deepEqual(plan(project, observed).orphans.map((o) => o.service), ['gone']);
  });
});
