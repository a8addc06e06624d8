import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { RELIABILITY_RULES } from '../../../../src/analyze/rules/reliability/index.js';
import { fixturePath } from '../../../helpers/fixtures.js';

/** ARCHITECTURE §3: the ids in order, with their default severities. */
const EXPECTED = {
  'missing-healthcheck': 'medium',
  'healthcheck-tool-missing': 'high',
  'missing-resource-limits': 'medium',
  'missing-restart-policy': 'low',
  'missing-log-rotation': 'low',
} as const;

const root = resolve(fixturePath(), '..', '..');

describe('RELIABILITY_RULES', () => {
  it('holds the reliability ids of ARCHITECTURE §3, in order, with their severities', () => {
    assert.deepEqual(
      RELIABILITY_RULES.map((r) => [r.id, r.severity, r.category]),
      Object.entries(EXPECTED).map(([id, severity]) => [id, severity, 'reliability']),
    );
  });

  it('each rule has its file, its test and a docs page that matches its metadata', () => {
    for (const rule of RELIABILITY_RULES) {
      assert.ok(existsSync(join(root, 'src/analyze/rules/reliability', `${rule.id}.ts`)), `src file of ${rule.id}`);
      assert.ok(existsSync(join(root, 'test/analyze/rules/reliability', `${rule.id}.test.ts`)), `test of ${rule.id}`);
      const page = readFileSync(join(root, 'docs/rules', `${rule.id}.md`), 'utf8');
      assert.ok(page.startsWith(`# ${rule.id}\n`), `docs title of ${rule.id}`);
      assert.ok(page.includes(`**Category:** reliability · **Default severity:** ${rule.severity}`), `docs header of ${rule.id}`);
      for (const part of ['## Why it matters', '## How to fix', '## Example']) assert.ok(page.includes(part), `${part} in docs of ${rule.id}`);
      assert.ok(rule.docs.summary && rule.docs.why && rule.docs.fix && rule.docs.example, `docs fields of ${rule.id}`);
    }
  });
});
