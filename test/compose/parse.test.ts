import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toPlain } from '../../src/compose/node.js';
import { MAX_EXPANDED_NODES, parseComposeYaml } from '../../src/compose/parse.js';
import { yaml } from '../helpers/tmp.js';

const parse = (text: string) => parseComposeYaml(text, 'compose.yaml');

describe('parseComposeYaml', () => {
  it('keeps the line and column of every key and value', () => {
    const r = parse(yaml`
      services:
        web:
          image: nginx
    `);
    assert.deepEqual(r.diagnostics, []);
    const services = r.documents[0]!.entries.get('services')!;
    assert.deepEqual(services.keyPos, { file: 'compose.yaml', line: 1, column: 1 });
    const web = services.value.kind === 'map' ? services.value.entries.get('web')! : undefined;
    assert.deepEqual(web?.keyPos, { file: 'compose.yaml', line: 2, column: 3 });
    const image = web?.value.kind === 'map' ? web.value.entries.get('image')!.value : undefined;
    assert.deepEqual(image?.pos, { file: 'compose.yaml', line: 3, column: 12 });
  });

  it('expands aliases and merge keys, explicit keys winning, the first listed map winning', () => {
    const r = parse(yaml`
      x-a: &a {restart: always, user: "1"}
      x-b: &b {restart: "no", read_only: true}
      services:
        web:
          <<: [*a, *b]
          user: "2"
    `);
    assert.deepEqual(r.diagnostics, []);
    const plain = toPlain(r.documents[0]!) as { services: { web: Record<string, unknown> } };
    assert.deepEqual(plain.services.web, { restart: 'always', read_only: true, user: '2' });
  });

  it('locates merged values at the anchor that defined them', () => {
    const r = parse(yaml`
      x-sec: &sec
        privileged: true
      services:
        web:
          <<: *sec
    `);
    const web = (r.documents[0]!.entries.get('services')!.value as never as { entries: Map<string, { value: never }> })
      .entries.get('web')!.value as { entries: Map<string, { keyPos: { line: number } }> };
    assert.equal(web.entries.get('privileged')!.keyPos.line, 2);
  });

  it('reports a second "<<" with both positions and still combines the merges', () => {
    const r = parse(yaml`
      x-a: &a {user: "1"}
      x-b: &b {read_only: true}
      services:
        web:
          <<: *a
          image: nginx
          <<: *b
    `);
    const dup = r.diagnostics.filter((d) => d.code === 'yaml-duplicate-key');
    assert.equal(dup.length, 1);
    assert.equal(dup[0]!.message, 'mapping key "<<" already defined');
    assert.deepEqual([dup[0]!.line, dup[0]!.column], [7, 5]);
    assert.deepEqual([dup[0]!.related[0]!.line, dup[0]!.related[0]!.column], [5, 5]);
    const plain = toPlain(r.documents[0]!) as { services: { web: Record<string, unknown> } };
    assert.deepEqual(plain.services.web, { user: '1', read_only: true, image: 'nginx' });
  });

  it('reports duplicate keys with both positions', () => {
    const r = parse('services:\n  web:\n    image: a\n    image: b\n');
    assert.equal(r.diagnostics.length, 1);
    const d = r.diagnostics[0]!;
    assert.equal(d.code, 'yaml-duplicate-key');
    assert.deepEqual([d.line, d.column, d.related[0]!.line], [4, 5, 3]);
  });

  it('rejects "<<" of a scalar with a located error', () => {
    const r = parse('services:\n  web:\n    <<: 3\n');
    assert.equal(r.diagnostics[0]!.code, 'yaml-merge-key');
    assert.equal(r.diagnostics[0]!.line, 3);
  });

  it('stops an alias bomb fast with a located error', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(10).fill(`*${prev}`).join(',')}]`);
    }
    const start = performance.now();
    const r = parse(levels.join('\n') + '\n');
    assert.ok(performance.now() - start < 2000, 'must fail fast');
    const d = r.diagnostics.find((x) => x.code === 'yaml-alias-limit');
    assert.ok(d, 'alias bomb reported');
    assert.ok(d.message.includes(String(MAX_EXPANDED_NODES)));
    assert.ok(d.line > 1);
    assert.equal(r.documents.length, 0);
  });

  it('keeps !reset and !override tags on nodes', () => {
    const r = parse('services:\n  web:\n    ports: !reset []\n    command: !override ["a"]\n');
    const web = toPlain(r.documents[0]!) as unknown;
    assert.ok(web);
    const svc = (r.documents[0]!.entries.get('services')!.value as { entries: Map<string, { value: { entries: Map<string, { value: { tag?: string } }> } }> })
      .entries.get('web')!.value;
    assert.equal(svc.entries.get('ports')!.value.tag, '!reset');
    assert.equal(svc.entries.get('command')!.value.tag, '!override');
    assert.deepEqual(r.diagnostics, []);
  });

  it('reports syntax errors with their position', () => {
    const r = parse('services:\n  web:\n    image: [unclosed\n');
    assert.ok(r.diagnostics.length > 0);
    assert.equal(r.diagnostics[0]!.code, 'yaml-syntax');
    assert.ok(r.diagnostics[0]!.line >= 3);
  });

  it('refuses a top level that is not a mapping', () => {
    const r = parse('- a\n- b\n');
    assert.equal(r.diagnostics[0]!.code, 'schema');
    assert.match(r.diagnostics[0]!.message, /must be a mapping, not a list/);
  });

  it('reads several documents of one file', () => {
    const r = parse('services: {a: {image: x}}\n---\nservices: {b: {image: y}}\n');
    assert.equal(r.documents.length, 2);
  });
});
