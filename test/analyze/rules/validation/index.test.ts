import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { VALIDATION_RULES } from '../../../../src/analyze/rules/validation/index.js';
import { fixturePath } from '../../../helpers/fixtures.js';

/** ARCHITECTURE §3: the ids in order, with their default severities. */
const EXPECTED = {
  'yaml-syntax': 'critical',
  'yaml-duplicate-key': 'critical',
  schema: 'critical',
  'undefined-volume': 'high',
  'undefined-network': 'high',
  'undefined-secret': 'high',
  'undefined-config': 'high',
  'unknown-dependency': 'critical',
  'dependency-cycle': 'critical',
  'healthy-without-healthcheck': 'high',
  'missing-build-context': 'critical',
  'missing-dockerfile': 'critical',
  'missing-bind-source': 'critical',
  'missing-file-reference': 'critical',
  'unset-variable': 'high',
  'port-conflict': 'high',
  'ignored-ports': 'medium',
  'obsolete-version': 'low',
} as const;

const root = resolve(fixturePath(), '..', '..');

describe('VALIDATION_RULES', () => {
  it('holds the validation ids of ARCHITECTURE §3, in order, with their severities', () => {
    assert.deepEqual(
      VALIDATION_RULES.map((r) => [r.id, r.severity, r.category]),
      Object.entries(EXPECTED).map(([id, severity]) => [id, severity, 'validation']),
    );
  });

  it('each rule has its file, its test and a docs page that matches its metadata', () => {
    for (const rule of VALIDATION_RULES) {
      assert.ok(existsSync(join(root, 'src/analyze/rules/validation', `${rule.id}.ts`)), `src file of ${rule.id}`);
      assert.ok(existsSync(join(root, 'test/analyze/rules/validation', `${rule.id}.test.ts`)), `test of ${rule.id}`);
      const page = readFileSync(join(root, 'docs/rules', `${rule.id}.md`), 'utf8');
      assert.ok(page.startsWith(`# ${rule.id}\n`), `docs title of ${rule.id}`);
      assert.ok(page.includes(`**Category:** validation · **Default severity:** ${rule.severity}`), `docs header of ${rule.id}`);
      for (const part of ['## Why it matters', '## How to fix', '## Example']) assert.ok(page.includes(part), `${part} in docs of ${rule.id}`);
      assert.ok(rule.docs.summary && rule.docs.why && rule.docs.fix && rule.docs.example, `docs fields of ${rule.id}`);
    }
  });
});
