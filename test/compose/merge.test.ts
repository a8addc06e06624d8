import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MERGE_RULES, mergeNodes } from '../../src/compose/merge.js';
import { toPlain, type Node } from '../../src/compose/node.js';
import { canonicalize } from '../../src/compose/normalize.js';
import { parseComposeYaml } from '../../src/compose/parse.js';
import { patternsOverlap } from '../../src/compose/paths.js';
import { CANONICAL_RULES } from '../../src/compose/normalize.js';
import { CASTS } from '../../src/compose/interpolate-tree.js';
import { PATH_RULES } from '../../src/compose/resolve-paths.js';

function tree(text: string, file = 'f.yaml') {
  const doc = parseComposeYaml(text, file).documents[0]!;
  return canonicalize(doc, []);
}

function merged(base: string, override: string): unknown {
  return toPlain(mergeNodes(tree(base), tree(override, 'o.yaml')) as Node);
}

describe('override merging', () => {
  it('deep-merges mappings and replaces scalars', () => {
    const r = merged('services: {web: {image: a, restart: always}}', 'services: {web: {image: b}}') as never as {
      services: { web: Record<string, unknown> };
    };
    assert.deepEqual(r.services.web, { image: 'b', restart: 'always' });
  });

  it('replaces command, entrypoint and healthcheck.test', () => {
    const r = merged(
      'services: {web: {command: [a, b], healthcheck: {test: [CMD, x], retries: 3}}}',
      'services: {web: {command: c, healthcheck: {test: [CMD, y]}}}',
    ) as { services: { web: { command: string[]; healthcheck: unknown } } };
    assert.deepEqual(r.services.web.command, ['c']);
    assert.deepEqual(r.services.web.healthcheck, { test: ['CMD', 'y'], retries: 3 });
  });

  it('merges environment by key whatever the syntax of each file', () => {
    const r = merged('services: {web: {environment: [A=1, B=2]}}', 'services: {web: {environment: {B: "3", C: "4"}}}') as {
      services: { web: { environment: unknown } };
    };
    assert.deepEqual(r.services.web.environment, { A: '1', B: '3', C: '4' });
  });

  it('keeps ports unique by published/target/protocol and volumes unique by target', () => {
    const r = merged(
      'services: {web: {ports: ["8080:80", "443:443"], volumes: ["./a:/data", "vol:/other"]}}',
      'services: {web: {ports: ["8080:80", "9090:90"], volumes: ["./b:/data"]}}',
    ) as { services: { web: { ports: { published: string }[]; volumes: { source: string; target: string }[] } } };
    assert.deepEqual(r.services.web.ports.map((p) => p.published), ['8080', '443', '9090']);
    assert.deepEqual(r.services.web.volumes.map((v) => [v.source, v.target]), [['./b', '/data'], ['vol', '/other']]);
  });

  it('!reset removes and !override replaces', () => {
    const r = merged(
      'services: {web: {ports: ["80:80"], environment: {A: "1"}, labels: {x: "1"}}}',
      'services: {web: {ports: !reset [], environment: !override {B: "2"}}}',
    ) as { services: { web: Record<string, unknown> } };
    assert.equal(r.services.web.ports, undefined);
    assert.deepEqual(r.services.web.environment, { B: '2' });
    assert.deepEqual(r.services.web.labels, { x: '1' });
  });

  it('keeps the position of each value from the file that wrote it', () => {
    const m = mergeNodes(tree('services:\n  web:\n    image: a\n    restart: always\n'), tree('services:\n  web:\n    image: b\n', 'o.yaml')) as never as {
      entries: Map<string, { value: { entries: Map<string, { value: { entries: Map<string, { value: { pos: { file: string; line: number } } }> } }> } }>;
    };
    const web = m.entries.get('services')!.value.entries.get('web')!.value.entries;
    assert.deepEqual([web.get('image')!.value.pos.file, web.get('image')!.value.pos.line], ['o.yaml', 3]);
    assert.deepEqual([web.get('restart')!.value.pos.file, web.get('restart')!.value.pos.line], ['f.yaml', 4]);
  });
});

describe('path tables', () => {
  for (const [name, table] of [
    ['merge', MERGE_RULES],
    ['canonical', CANONICAL_RULES],
    ['casts', CASTS],
    ['paths', PATH_RULES],
  ] as const) {
    it(`${name} patterns do not overlap`, () => {
      const patterns = table.map(([p]) => p);
      for (let i = 0; i < patterns.length; i++) {
        for (let j = i + 1; j < patterns.length; j++) {
          assert.ok(!patternsOverlap(patterns[i]!, patterns[j]!), `${patterns[i]} overlaps ${patterns[j]}`);
        }
      }
    });
  }
});
