import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { NOTES_MARK, pageNotes, RULES, ruleDocsPage } from '../../../src/analyze/index.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));

describe('rule pages are generated from the rules\' metadata', () => {
  for (const rule of RULES) {
    it(`${rule.id}: its page says exactly what its metadata says`, () => {
      const page = readFileSync(join(repo, 'docs/rules', `${rule.id}.md`), 'utf8');
      assert.equal(page, ruleDocsPage(rule, pageNotes(page)), 'run npm run build to regenerate docs/rules');
      for (const part of [rule.docs.summary, rule.docs.why, rule.docs.fix]) assert.ok(page.includes(`\n${part}\n`));
    });
  }

  it('keeps the hand-written notes and changes the page when the metadata changes', () => {
    const rule = RULES[0]!;
    const page = ruleDocsPage(rule, '## Fixed\n\nfixed example');
    assert.equal(pageNotes(page), '## Fixed\n\nfixed example');
    assert.ok(page.indexOf(NOTES_MARK) < page.indexOf('## Fixed'));
    assert.equal(ruleDocsPage(rule, pageNotes(page)), page);
    const edited = { ...rule, docs: { ...rule.docs, why: `${rule.docs.why} More.` } };
    assert.notEqual(ruleDocsPage(edited, pageNotes(page)), page);
  });

  it('the build script agrees (--check)', () => {
    const r = spawnSync(process.execPath, [join(repo, 'scripts/build-rule-docs.mjs'), '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});
