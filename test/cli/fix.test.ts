import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { analyze, RULES } from '../../src/analyze/index.js';
import { applyFixes } from '../../src/cli/fix-files.js';
import { UsageError } from '../../src/cli/exit.js';
import { writeTree } from '../helpers/tmp.js';

const bin = fileURLToPath(new URL('../../../bin/shipshape.js', import.meta.url));
const run = (args: string[], cwd?: string) =>
  spawnSync(process.execPath, [bin, 'analyze', ...args], { encoding: 'utf8', cwd, env: { PATH: process.env.PATH ?? '' } });

const COMPOSE = [
  'version: "3.8"  # from the old days',
  '# the web tier',
  'services:',
  '  web:',
  '    image: nginx:1.27 # pinned',
  '    environment:',
  '      DB_PASSWORD: Xq7!vR2p#Lm9sT4w',
  '    image: nginx:1.27',
  '  db:',
  '    image: postgres:16',
  '    image: postgres:15',
  '',
].join('\n');
const FIXED = [
  '# the web tier',
  'services:',
  '  web:',
  '    image: nginx:1.27 # pinned',
  '    environment:',
  '      DB_PASSWORD: Xq7!vR2p#Lm9sT4w',
  '  db:',
  '    image: postgres:16',
  '    image: postgres:15',
  '',
].join('\n');

describe('shipshape analyze --fix', () => {
  it('--dry-run shows the diff and the fixes with their finding text, and writes nothing', () => {
    const dir = writeTree({ 'compose.yaml': COMPOSE });
    const r = run(['--fix', '--dry-run'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^--- a\/compose\.yaml\n\+\+\+ b\/compose\.yaml\n@@ -1,11 \+1,9 @@\n-version: "3\.8" {2}# from the old days\n/);
    assert.match(r.stdout, /^- {4}image: nginx:1\.27$/m);
    assert.doesNotMatch(r.stdout, /^- {4}image: postgres/m);
    // A secret in the context lines is masked as in every report.
    assert.doesNotMatch(r.stdout, /Xq7!vR2p/);
    assert.match(r.stdout, /DB_PASSWORD: \*\*\*/);
    assert.match(r.stderr, /^compose\.yaml:1:1: obsolete-version: delete the `version:` line/m);
    assert.match(r.stderr, /^compose\.yaml:8:5: yaml-duplicate-key: delete the second key: both have the same value$/m);
    assert.match(r.stderr, /dry run: 2 fixes in 1 file; nothing was written/);
    assert.equal(readFileSync(join(dir, 'compose.yaml'), 'utf8'), COMPOSE);
  });

  it('applies the fixes in place, keeping comments, formatting and the file mode, with no temporary file left', () => {
    const dir = writeTree({ 'compose.yaml': COMPOSE });
    chmodSync(join(dir, 'compose.yaml'), 0o640);
    const r = run([dir, '--fix']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /fixed 2 findings in 1 file/);
    assert.equal(readFileSync(join(dir, 'compose.yaml'), 'utf8'), FIXED);
    assert.equal(statSync(join(dir, 'compose.yaml')).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(dir), ['compose.yaml']);
    // Nothing left to fix; the duplicate with two different values stays for the user.
    const again = run([dir, '--fix']);
    assert.equal(again.status, 0);
    assert.match(again.stderr, /nothing to fix/);
    const report = JSON.parse(run([dir, '--format', 'json', '--fail-on', 'never']).stdout) as { projects: { environments: { findings: { rule: string }[] }[] }[] };
    assert.deepEqual(report.projects[0]!.environments[0]!.findings.filter((f) => f.rule === 'yaml-duplicate-key').length, 1);
  });

  it('fixes an overlay and its base once each, and honours an inline ignore', () => {
    const dir = writeTree({
      'compose.yaml': 'version: "3"\nservices:\n  web:\n    image: nginx:1.27\n',
      'compose.override.yaml': '# shipshape-ignore obsolete-version kept for an old tool\nversion: "3"\nservices:\n  web:\n    restart: always\n',
    });
    const r = run([dir, '--fix']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(dir, 'compose.yaml'), 'utf8'), 'services:\n  web:\n    image: nginx:1.27\n');
    assert.match(readFileSync(join(dir, 'compose.override.yaml'), 'utf8'), /^version: "3"$/m);
  });

  it('refuses a compose file that links outside the project, and a read-only one, changing nothing', () => {
    const outside = writeTree({ 'compose.yaml': COMPOSE });
    const dir = writeTree({});
    symlinkSync(join(outside, 'compose.yaml'), join(dir, 'compose.yaml'));
    const linked = run([dir, '--fix']);
    assert.equal(linked.status, 2);
    assert.match(linked.stderr, /compose\.yaml: is outside the project folder \(it is a link to a file outside the project\); nothing was changed/);
    assert.equal(readFileSync(join(outside, 'compose.yaml'), 'utf8'), COMPOSE);
    assert.doesNotMatch(linked.stderr, /\n\s+at /);

    const ro = writeTree({ 'compose.yaml': COMPOSE, 'other/compose.yaml': COMPOSE });
    chmodSync(join(ro, 'other', 'compose.yaml'), 0o444);
    const refused = run([ro, '--fix']);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /compose\.yaml: is read-only \(mode 0444\); make it writable or fix it by hand; nothing was changed/);
    // Checked before anything is written: the writable file is untouched too.
    assert.equal(readFileSync(join(ro, 'compose.yaml'), 'utf8'), COMPOSE);
    assert.equal(readFileSync(join(ro, 'other', 'compose.yaml'), 'utf8'), COMPOSE);
  });

  it('writes through a link that stays inside the project, keeping the link', () => {
    const dir = writeTree({ 'stacks/real.yaml': COMPOSE });
    symlinkSync('stacks/real.yaml', join(dir, 'compose.yaml'));
    const r = run([dir, '-f', join(dir, 'compose.yaml'), '--fix']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(dir, 'stacks', 'real.yaml'), 'utf8'), FIXED);
    assert.ok(statSync(join(dir, 'compose.yaml')).isFile());
    assert.equal(readdirSync(dir).sort().join(','), 'compose.yaml,stacks');
  });

  it('refuses a file changed between reading and writing', () => {
    const dir = writeTree({ 'compose.yaml': COMPOSE });
    const result = analyze({ root: dir, rules: RULES, version: 'test', env: {}, planFixes: true });
    writeFileSync(join(dir, 'compose.yaml'), `${COMPOSE}# edited meanwhile\n`);
    const out: string[] = [];
    assert.throws(
      () => applyFixes(result.fixes!, false, { out: (t) => out.push(t), err: (t) => out.push(t) }),
      (err: unknown) => err instanceof UsageError && /changed since it was read; run the command again; nothing was changed/.test(err.message),
    );
    assert.equal(readFileSync(join(dir, 'compose.yaml'), 'utf8'), `${COMPOSE}# edited meanwhile\n`);
    assert.deepEqual(readdirSync(dir), ['compose.yaml']);
  });

  it('shows control characters of the file in the diff, never sends them to the terminal', () => {
    const dir = writeTree({ 'compose.yaml': 'version: "3"\n# \u001b]0;owned\u0007 title\nservices:\n  web:\n    image: nginx:1.27\n' });
    const r = run([dir, '--fix', '--dry-run']);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /\u001b|\u0007/);
    assert.match(r.stdout, /^ # \\x1b\]0;owned\\x07 title$/m);
  });

  it('refuses --dry-run without --fix and --fix with --output', () => {
    const dir = writeTree({ 'compose.yaml': COMPOSE });
    mkdirSync(join(dir, 'out'));
    assert.equal(run([dir, '--dry-run']).status, 2);
    assert.equal(run([dir, '--fix', '--output', join(dir, 'out', 'r.txt')]).status, 2);
    assert.equal(readFileSync(join(dir, 'compose.yaml'), 'utf8'), COMPOSE);
  });
});
