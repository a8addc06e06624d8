import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dependencyGraphSvg } from '../../../src/analyze/report/graph-svg.js';
import { baseEnvironment, service } from './fixture.js';

/** Each node's rectangle, by service name. */
function nodes(svg: string): Map<string, { x: number; y: number; exposure: string }> {
  const found = new Map<string, { x: number; y: number; exposure: string }>();
  for (const m of svg.matchAll(/<g class="g-node g-(\w+)"><title>([^<:]+)(?::[^<]*)?<\/title><rect x="([\d.]+)" y="([\d.]+)"/g)) {
    found.set(m[2]!, { exposure: m[1]!, x: Number(m[3]), y: Number(m[4]) });
  }
  return found;
}

describe('dependency graph svg', () => {
  it('puts one start-order level per column, first on the left, nodes coloured by exposure', () => {
    const svg = dependencyGraphSvg(baseEnvironment(), 'g1');
    const drawn = nodes(svg);
    assert.deepEqual([...drawn.keys()].sort(), ['api', 'web']);
    assert.ok(drawn.get('api')!.x < drawn.get('web')!.x);
    assert.equal(drawn.get('api')!.exposure, 'internal');
    assert.equal(drawn.get('web')!.exposure, 'external');
    assert.ok(svg.includes('>level 1 · starts first</text>'));
    assert.ok(svg.includes('>level 2</text>'));
  });

  it('draws each edge as a path with an arrowhead, styled by kind, with its port', () => {
    const svg = dependencyGraphSvg(baseEnvironment(), 'g1');
    const edges = [...svg.matchAll(/<g class="g-edge g-([\w-]+)"><title>([^<]+)<\/title><path d="M[^"]+" marker-end="url\(#g1-arrow-\1\)"\/>/g)].map(
      (m) => [m[1], m[2]],
    );
    assert.deepEqual(edges, [
      ['depends_on', 'web → api: depends_on'],
      ['env-url', 'api → web: env-url :80'],
      ['config-file', 'web → api: config-file :8000'],
    ]);
    for (const kind of ['depends_on', 'env-url', 'config-file']) assert.ok(svg.includes(`<marker id="g1-arrow-${kind}"`));
    assert.ok(svg.includes('>:8000</text>'));
  });

  it('keeps ids apart between graphs of one page', () => {
    const a = dependencyGraphSvg(baseEnvironment(), 'env-1-graph');
    const b = dependencyGraphSvg(baseEnvironment(), 'env-2-graph');
    const ids = (svg: string): string[] => [...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(ids(a).length > 0);
    assert.deepEqual(ids(a).filter((id) => ids(b).includes(id)), []);
  });

  it('puts services no level holds (a dependency cycle) in a last "not ordered" column', () => {
    const env = baseEnvironment();
    env.inventory.services.push(service({ name: 'x' }), service({ name: 'y' }));
    env.graph.edges.push({ from: 'x', to: 'y', kind: 'depends_on', port: null }, { from: 'y', to: 'x', kind: 'depends_on', port: null });
    const svg = dependencyGraphSvg(env, 'g');
    const drawn = nodes(svg);
    assert.ok(svg.includes('>not ordered</text>'));
    assert.equal(drawn.get('x')!.x, drawn.get('y')!.x);
    assert.ok(drawn.get('x')!.x > drawn.get('web')!.x);
  });

  it('orders a column to follow its neighbours, so edges cross less', () => {
    const env = baseEnvironment();
    env.inventory.services = [
      service({ name: 'a' }),
      service({ name: 'b' }),
      service({ name: 'to-b' }),
      service({ name: 'to-a' }),
    ];
    env.graph.startup_order = [['a', 'b'], ['to-b', 'to-a']];
    env.graph.edges = [
      { from: 'to-a', to: 'a', kind: 'depends_on', port: null },
      { from: 'to-b', to: 'b', kind: 'depends_on', port: null },
    ];
    const drawn = nodes(dependencyGraphSvg(env, 'g'));
    const y = (name: string): number => drawn.get(name)!.y;
    // The first column keeps its order; the second follows it, so the two edges do not cross.
    assert.ok(y('a') < y('b'));
    assert.ok(y('to-a') < y('to-b'));
  });

  it('truncates long names and escapes them', () => {
    const env = baseEnvironment();
    const name = `<svc>-${'x'.repeat(40)}`;
    env.inventory.services.push(service({ name }));
    const svg = dependencyGraphSvg(env, 'g');
    assert.ok(svg.includes(`>&lt;svc&gt;-${'x'.repeat(21)}…</text>`));
    assert.ok(svg.includes(`<title>&lt;svc&gt;-${'x'.repeat(40)}: internal`));
    assert.doesNotMatch(svg, /<svc>/);
  });

  it('is empty without services', () => {
    const env = baseEnvironment();
    env.inventory.services = [];
    env.graph = { startup_order: [], edges: [] };
    assert.equal(dependencyGraphSvg(env, 'g'), '');
  });
});
