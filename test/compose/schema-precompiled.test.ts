import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { schemaValidatorOrigin, validateComposeSchema } from '../../src/compose/schema.js';
import { corpusFiles } from '../helpers/corpus.js';

// The compiled test runs from dist/test/compose; the module under test is dist/src/compose.
const composeDir = fileURLToPath(new URL('../../src/compose/', import.meta.url));
const generated = join(composeDir, 'schema', 'validate.js');
const nodeModules = fileURLToPath(new URL('../../../node_modules', import.meta.url));

/** Values that break the schema in many ways: wrong types, bad formats, duplicates, unknown shapes. */
const WRONG = [5, 'x', [], {}, null, true, { bad: 1 }, '1m3', '80:80:80:80', ['a', 'a'], [{ x: 1 }], -1, 1.5, { condition: 'nope' }];
const KEYS = ['imgae', 'portz', 'restart', 'condition', 'x-foo', 'target', 'mode', 'driver', 'external', 'bad key!'];

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function pathsOf(node: unknown, path: string[] = [], out: string[][] = []): string[][] {
  out.push(path);
  if (node !== null && typeof node === 'object') {
    for (const key of Object.keys(node)) pathsOf((node as Record<string, unknown>)[key], [...path, key], out);
  }
  return out;
}

/** The document with one value replaced, one key added or one entry removed. */
function mutate(doc: unknown, next: () => number): unknown {
  const copy = structuredClone(doc) as Record<string, unknown>;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const path = pick(pathsOf(copy));
  if (path.length === 0) return { ...copy, [pick(KEYS)]: structuredClone(pick(WRONG)) };
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  const key = path[path.length - 1]!;
  const roll = next();
  if (roll < 0.6) parent[key] = structuredClone(pick(WRONG));
  else if (roll < 0.8 && !Array.isArray(parent)) parent[pick(KEYS)] = structuredClone(pick(WRONG));
  else if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
  return copy;
}

/** Every corpus file that parses, and a few broken variants of each. */
function documents(): unknown[] {
  const next = random(20240601);
  const docs: unknown[] = [];
  for (const file of corpusFiles()) {
    let doc: unknown;
    try {
      doc = parse(readFileSync(file, 'utf8'), { merge: true, logLevel: 'silent' });
    } catch {
      continue;
    }
    if (doc === null || typeof doc !== 'object') continue;
    docs.push(doc);
    for (let i = 0; i < 3; i++) docs.push(mutate(mutate(doc, next), next));
  }
  return docs;
}

describe('the schema validator generated at build time', { skip: !existsSync(generated) && 'no generated validator (run npm run build)' }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'shipshape-schema-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('is the one in use', () => {
    validateComposeSchema({ services: { web: { image: 'nginx' } } });
    assert.equal(schemaValidatorOrigin(), 'precompiled', 'the generated validator is stale or broken: run npm run build');
  });

  it('reports what the schema compiled at run time reports, issue for issue', () => {
    const docs = documents();
    assert.ok(docs.length > 1000, `only ${docs.length} documents`);
    const invalid = docs.filter((doc) => validateComposeSchema(doc).length > 0).length;
    assert.ok(invalid > docs.length / 2, `only ${invalid} of ${docs.length} documents have issues`);

    // The same modules without the generated file, in a process of their own: the fallback.
    const copy = join(scratch, 'compose');
    cpSync(composeDir, copy, { recursive: true, filter: (source) => source !== generated });
    symlinkSync(nodeModules, join(scratch, 'node_modules'), 'dir');
    const input = join(scratch, 'docs.json');
    const output = join(scratch, 'issues.json');
    writeFileSync(input, JSON.stringify(docs));
    const script = `
      import { readFileSync, writeFileSync } from 'node:fs';
      const schema = await import(${JSON.stringify(pathToFileURL(join(copy, 'schema.js')).href)});
      const docs = JSON.parse(readFileSync(${JSON.stringify(input)}, 'utf8'));
      const issues = docs.map((doc) => schema.validateComposeSchema(doc));
      writeFileSync(${JSON.stringify(output)}, JSON.stringify({ origin: schema.schemaValidatorOrigin(), issues }));
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    const fallback = JSON.parse(readFileSync(output, 'utf8')) as { origin: string; issues: unknown[] };
    assert.equal(fallback.origin, 'compiled');

    // JSON round trip on both sides: the child's documents went through JSON too.
    const precompiled = (JSON.parse(JSON.stringify(docs)) as unknown[]).map((doc) => validateComposeSchema(doc));
    for (const [i, issues] of precompiled.entries()) {
      assert.deepEqual(issues, fallback.issues[i], `document ${i}: ${JSON.stringify(docs[i]).slice(0, 300)}`);
    }
  });
});
