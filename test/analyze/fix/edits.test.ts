import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits, findRule, unifiedDiff } from '../../../src/analyze/index.js';
import type { Rule } from '../../../src/analyze/types.js';
import { runRule } from '../harness.js';

const rule = (id: string) => findRule(id) as Rule;

/** The file after the edits of every finding of `id`. */
function fixed(id: string, files: Record<string, string>, file = 'compose.yaml'): { text: string; findings: number; edits: number } {
  const findings = runRuleRaw(id, files);
  const edits = findings.flatMap((f) => f.edits ?? []);
  const source = files[file]!;
  const abs = edits[0]?.file ?? file;
  return { text: applyEdits(abs, source, edits).after, findings: findings.length, edits: edits.length };
}

/** The raw findings, with their edits (the JSON report does not carry them). */
function runRuleRaw(id: string, files: Record<string, string>) {
  const r = rule(id);
  const raws: ReturnType<Rule['check']> = [];
  runRule({ ...r, check: (ctx) => { const out = r.check(ctx); raws.push(...out); return out; } }, { files });
  return raws;
}

describe('analyze --fix edits', () => {
  it('marks only behaviour-neutral rules as fixable', () => {
    for (const id of ['obsolete-version', 'yaml-duplicate-key']) assert.equal(rule(id).fix?.safe, true, id);
    assert.equal(rule('privileged').fix, undefined);
    assert.equal(rule('ignored-ports').fix, undefined);
  });

  it('deletes the version line and keeps every comment and blank line', () => {
    const source = '# my stack\nversion: "3.8"   # legacy\n\nservices:\n  web:\n    image: nginx:1.27 # pinned\n';
    const { text, edits } = fixed('obsolete-version', { 'compose.yaml': source });
    assert.equal(edits, 1);
    assert.equal(text, '# my stack\n\nservices:\n  web:\n    image: nginx:1.27 # pinned\n');
  });

  it('keeps CRLF line breaks and leaves a version whose value goes on below it', () => {
    const crlf = 'version: "3"\r\nservices:\r\n  web:\r\n    image: nginx:1.27\r\n';
    assert.equal(fixed('obsolete-version', { 'compose.yaml': crlf }).text, 'services:\r\n  web:\r\n    image: nginx:1.27\r\n');
    const continued = 'version:\n  "3"\nservices:\n  web:\n    image: nginx:1.27\n';
    const r = fixed('obsolete-version', { 'compose.yaml': continued });
    assert.equal(r.findings, 1);
    assert.equal(r.edits, 0);
  });

  it('deletes a duplicate key only when both values are the same', () => {
    const source = [
      'x-a: &restart',
      '  restart: always',
      'services:',
      '  web:',
      '    image: nginx:1.27',
      '    ports:',
      '      - "127.0.0.1:80:80"',
      '    # the same again',
      '    ports:',
      '      - "127.0.0.1:80:80"',
      '    <<: *restart',
      '    <<: *restart',
      '  db:',
      '    image: postgres:16',
      '    image: postgres:15',
      '  cache: {image: redis:7, image: redis:7}',
      '',
    ].join('\n');
    const raws = runRuleRaw('yaml-duplicate-key', { 'compose.yaml': source });
    assert.equal(raws.length, 4);
    const withEdits = raws.filter((f) => f.edits);
    assert.equal(withEdits.length, 2);
    for (const f of withEdits) assert.equal(f.fix, 'delete the second key: both have the same value');
    const text = applyEdits(withEdits[0]!.edits![0]!.file, source, withEdits.flatMap((f) => f.edits!)).after;
    assert.equal(
      text,
      [
        'x-a: &restart',
        '  restart: always',
        'services:',
        '  web:',
        '    image: nginx:1.27',
        '    ports:',
        '      - "127.0.0.1:80:80"',
        '    # the same again',
        '    <<: *restart',
        '  db:',
        '    image: postgres:16',
        '    image: postgres:15',
        '  cache: {image: redis:7, image: redis:7}',
        '',
      ].join('\n'),
    );
  });

  it('treats a different tag as a different value', () => {
    const source = 'services:\n  web:\n    image: nginx:1.27\n    ports: !reset []\n    ports: []\n';
    const raws = runRuleRaw('yaml-duplicate-key', { 'compose.yaml': source });
    assert.equal(raws.length, 1);
    assert.equal(raws[0]!.edits, undefined);
  });

  it('writes a unified diff with context, joined hunks and line numbers of both sides', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    const at = (n: number) => before.indexOf(`line ${n}\n`);
    const edits = [
      { file: 'f', start: at(2), end: at(3), text: '' },
      { file: 'f', start: at(5), end: at(6), text: 'five\n' },
      { file: 'f', start: at(18), end: at(19), text: '' },
      { file: 'f', start: at(18), end: at(19), text: '' },
    ];
    const edited = applyEdits('f', before, edits);
    assert.equal(edited.applied.length, 3);
    assert.equal(
      unifiedDiff('f', edited),
      [
        '--- a/f',
        '+++ b/f',
        '@@ -1,8 +1,7 @@',
        ' line 1',
        '-line 2',
        ' line 3',
        ' line 4',
        '-line 5',
        '+five',
        ' line 6',
        ' line 7',
        ' line 8',
        '@@ -15,6 +14,5 @@',
        ' line 15',
        ' line 16',
        ' line 17',
        '-line 18',
        ' line 19',
        ' line 20',
        '',
      ].join('\n'),
    );
  });

  it('skips an edit that overlaps another, for the next run', () => {
    const edited = applyEdits('f', 'abcdef', [
      { file: 'f', start: 1, end: 4, text: 'X' },
      { file: 'f', start: 2, end: 5, text: 'Y' },
    ]);
    assert.equal(edited.after, 'aXef');
    assert.equal(edited.skipped.length, 1);
  });
});
