import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { processComposeText, type FileContext } from '../../src/compose/load-file.js';
import type { Diagnostic } from '../../src/compose/index.js';
import { corpusFiles } from '../helpers/corpus.js';

/**
 * No input may crash or hang the loader: every run returns diagnostics with a position. Over
 * 10,000 inputs in all: generated compose-like documents, and corpus files mutated the ways real
 * damage and hostile input look (deep nesting, huge scalars, alias chains, random bytes).
 */
const corpus = corpusFiles().map((f) => readFileSync(f, 'utf8'));
const lookup = (name: string) => ({ A: 'a', PORT: '8080', EMPTY: '' })[name];

function load(text: string): Diagnostic[] {
  const ctx: FileContext = { lookup, diagnostics: [], cache: new Map() };
  const started = performance.now();
  processComposeText(text, '/fuzz/compose.yaml', '/fuzz', ctx);
  const ms = performance.now() - started;
  // Generous on purpose: this catches hangs and blow-ups, not a slow CI machine (speed is benchmarked).
  assert.ok(ms < 20_000, `one input took ${Math.round(ms)} ms`);
  for (const d of ctx.diagnostics) {
    assert.equal(d.file, '/fuzz/compose.yaml');
    assert.ok(d.line >= 1 && d.column >= 1, `unlocated: ${d.code} ${d.message}`);
  }
  return ctx.diagnostics;
}

const key = fc.constantFrom('services', 'web', 'db', 'image', 'ports', 'volumes', 'environment', 'networks', 'depends_on',
  'healthcheck', 'test', 'interval', 'build', 'context', 'extends', 'command', 'deploy', 'resources', 'limits', 'x-a', '<<', 'include', 'secrets', 'configs', 'profiles', 'env_file');
const scalar = fc.oneof(
  fc.constantFrom('nginx:1.27', '8080:80', '127.0.0.1:5432:5432', './data:/data:ro', '${A}', '${B:-x}', '${C:?no}', '$$', '${', '30s', '1m30s',
    'service_healthy', 'true', 'null', '~', '*a', '&a x', '!reset', '!override x', '"quoted"', "'single'", '[a, b]', '{a: 1}', '-1', '0x1F', '1e9'),
  fc.string({ maxLength: 20 }),
  fc.integer(),
);
type Tree = string | number | Tree[] | { [k: string]: Tree };
const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(key, tie('node'), { maxKeys: 5 }),
  ),
})).node;

function toYaml(t: Tree, indent = ''): string {
  if (Array.isArray(t)) return t.length === 0 ? '[]' : t.map((x) => `\n${indent}- ${toYaml(x, indent + '  ')}`).join('');
  if (typeof t === 'object') {
    const keys = Object.keys(t);
    return keys.length === 0 ? '{}' : keys.map((k) => `\n${indent}${k}: ${toYaml(t[k]!, indent + '  ')}`).join('');
  }
  return String(t);
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(), bytes: fc.string({ maxLength: 8 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.nat({ max: 40 }) }),
  fc.record({ kind: fc.constant('nest' as const), depth: fc.integer({ min: 50, max: 3000 }), flow: fc.boolean() }),
  fc.record({ kind: fc.constant('huge' as const), size: fc.integer({ min: 10_000, max: 300_000 }) }),
  fc.record({ kind: fc.constant('aliases' as const), levels: fc.integer({ min: 2, max: 9 }), fanout: fc.integer({ min: 2, max: 9 }) }),
  fc.record({ kind: fc.constant('dollars' as const), count: fc.integer({ min: 1, max: 20_000 }) }),
);

function mutate(text: string, m: Mutation): string {
  switch (m.kind) {
    case 'bytes': {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + m.bytes + text.slice(at);
    }
    case 'cut': {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + text.slice(at + m.length);
    }
    case 'nest':
      return m.flow
        ? `services:\n  web:\n    x-deep: ${'['.repeat(m.depth)}${']'.repeat(m.depth)}\n${text}`
        : text + '\nx-deep:\n' + Array.from({ length: Math.min(m.depth, 400) }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n') + ' end\n';
    case 'huge':
      return `${text}\nx-huge: "${'y'.repeat(m.size)}"\n`;
    case 'aliases': {
      const lines = ['x-l0: &l0 [a, b]'];
      for (let i = 1; i < m.levels; i++) lines.push(`x-l${i}: &l${i} [${Array(m.fanout).fill(`*l${i - 1}`).join(', ')}]`);
      return `${lines.join('\n')}\n${text}`;
    }
    case 'dollars':
      return `services:\n  web:\n    image: "${'${'.repeat(m.count)}"\n`;
  }
}
type Mutation =
  | { kind: 'bytes'; at: number; bytes: string }
  | { kind: 'cut'; at: number; length: number }
  | { kind: 'nest'; depth: number; flow: boolean }
  | { kind: 'huge'; size: number }
  | { kind: 'aliases'; levels: number; fanout: number }
  | { kind: 'dollars'; count: number };

describe('loader fuzzing', () => {
  it('survives 6,000 generated compose-like documents', () => {
    fc.assert(fc.property(tree, (t) => void load(`services:${toYaml(t, '  ')}\n`)), { numRuns: 6000, seed: 42 });
  });

  it('survives 3,000 mutated corpus files', () => {
    const file = fc.integer({ min: 0, max: corpus.length - 1 });
    fc.assert(fc.property(file, mutation, (i, m) => void load(mutate(corpus[i]!, m))), { numRuns: 3000, seed: 7 });
  });

  it('survives 1,500 random byte strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => void load(s)), { numRuns: 1500, seed: 3 });
  });

  it('reports an alias bomb and deep nesting with a position', () => {
    const bomb = mutate('services: {}\n', { kind: 'aliases', levels: 10, fanout: 10 });
    assert.ok(load(bomb).some((d) => d.code === 'yaml-alias-limit'));
    load(mutate('services: {}\n', { kind: 'nest', depth: 5000, flow: true }));
  });
});
