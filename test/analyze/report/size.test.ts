import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, render, RULES } from '../../../src/analyze/index.js';
import { fixturePath } from '../../helpers/fixtures.js';

// GitHub's comment limit is 65,536 characters; a report pasted into a pull request must fit.
describe('a 57-service stack (test/fixtures/generated/stack-57, written by its generate.mjs)', () => {
  const { report, problems } = analyze({ root: fixturePath('generated', 'stack-57'), rules: RULES, env: {}, version: 'test' });
  const env = report.projects[0]!.environments[0]!;

  it('is the stack it claims to be', () => {
    assert.deepEqual(problems, []);
    assert.equal(env.inventory.services.length, 57);
    assert.ok(env.findings.length > 300, `${env.findings.length} findings`);
  });

  it('renders as Markdown under 60,000 characters: edge list instead of a matrix, hygiene folded', () => {
    const md = render('md', report, RULES);
    assert.ok(md.length < 60_000, `${md.length} characters`);
    assert.ok(!md.includes('from \\ to'), 'no 57×57 matrix');
    assert.match(md, /\| \*\*app-01\*\* \| \*\*minio\*\* \(env-url :9000\), \*\*postgres\*\* \(/);
    assert.match(md, /<details>\n<summary><strong>Hardening and hygiene<\/strong>/);
    // Every service is still named in the report.
    for (const s of env.inventory.services) assert.ok(md.includes(`**${s.name}**`), s.name);
  });

  it('renders grouped by CIS id under 60,000 characters too, counting the places past the first few', () => {
    const md = render('md', report, RULES, { groupBy: 'cis' });
    assert.ok(md.length < 60_000, `${md.length} characters`);
    assert.match(md, /^### CIS 5\.11 Ensure that the memory usage for containers is limited · 57 findings/m);
    assert.match(md, / and \d+ more places/);
  });
});
