import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyze, FORMATS, render, RULES, type Finding, type Report } from '../../src/analyze/index.js';
import { fixturePath } from '../helpers/fixtures.js';

// The labeled real-world suite (test/fixtures/realworld/README.md): public self-hosting stacks,
// each judged by reading its files. `open` marks an expectation the analyzer does not meet yet, with
// why: it must still fail, so that meeting it turns this test red until `open` is removed.

interface Expected {
  rule: string | string[];
  /** The project's dir in the report; any project when absent. */
  project?: string;
  file?: string;
  line?: number;
  severity?: string[];
  why: string;
  open?: string;
}

interface Expectations {
  must_find: Expected[];
  must_not_find: Expected[];
  /** Values no format may print; `{value, open}` for one that is printed today, with why. */
  secrets: (string | { value: string; open: string })[];
}

const ROOT = fixturePath('realworld');
const PROJECTS = readdirSync(ROOT, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

interface Located extends Finding {
  project: string;
}

function matches(f: Located, e: Expected): boolean {
  const rules = Array.isArray(e.rule) ? e.rule : [e.rule];
  return (
    rules.includes(f.rule) &&
    (e.project === undefined || f.project === e.project) &&
    (e.file === undefined || f.file === e.file) &&
    (e.line === undefined || f.line === e.line) &&
    (e.severity === undefined || e.severity.includes(f.severity))
  );
}

const label = (e: Expected): string =>
  `${Array.isArray(e.rule) ? e.rule.join('|') : e.rule}${e.file ? ` ${e.project ? `${e.project}/` : ''}${e.file}${e.line ? `:${e.line}` : ''}` : ''}${e.severity ? ` [${e.severity.join(',')}]` : ''}`;

describe('the labeled real-world suite', () => {
  it('holds at least ten projects, each with its expectations', () => {
    assert.ok(PROJECTS.length >= 10, PROJECTS.join(', '));
  });

  for (const name of PROJECTS) {
    describe(name, () => {
      const expectations = JSON.parse(readFileSync(join(ROOT, name, 'expectations.json'), 'utf8')) as Expectations;
      let cached: { report: Report; findings: Located[] } | undefined;
      const result = () => {
        if (!cached) {
          const { report } = analyze({ root: join(ROOT, name), rules: RULES, env: {}, version: 'test' });
          const findings = report.projects.flatMap((p) => p.environments.flatMap((e) => e.findings.map((f) => ({ ...f, project: p.dir }))));
          cached = { report, findings };
        }
        return cached;
      };

      for (const e of expectations.must_find) {
        it(`finds ${label(e)}${e.open ? ' (open)' : ''}: ${e.why}`, () => {
          const found = result().findings.some((f) => matches(f, e));
          if (e.open) assert.equal(found, false, `met now: remove "open" (${e.open})`);
          else assert.ok(found, `not found; findings of that rule: ${result().findings.filter((f) => matches(f, { ...e, file: undefined, line: undefined })).map((f) => `${f.file}:${f.line}`).join(', ') || 'none'}`);
        });
      }
      for (const e of expectations.must_not_find) {
        it(`does not report ${label(e)}${e.open ? ' (open)' : ''}: ${e.why}`, () => {
          const wrong = result().findings.filter((f) => matches(f, e));
          if (e.open) assert.ok(wrong.length > 0, `met now: remove "open" (${e.open})`);
          else assert.deepEqual(wrong.map((f) => `${f.project}/${f.file}:${f.line} ${f.message}`), []);
        });
      }
      for (const [i, secret] of expectations.secrets.entries()) {
        const { value, open } = typeof secret === 'string' ? { value: secret, open: undefined } : secret;
        it(`prints secret value #${i + 1} in no format${open ? ' (open)' : ''}`, () => {
          const printedIn = (Object.keys(FORMATS) as (keyof typeof FORMATS)[]).filter((f) => render(f, result().report, RULES).includes(value));
          if (open) assert.ok(printedIn.length > 0, `met now: remove "open" (${open})`);
          else assert.deepEqual(printedIn, []);
        });
      }
    });
  }
});
