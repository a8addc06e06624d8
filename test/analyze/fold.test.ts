import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, RULES } from '../../src/analyze/index.js';
import { writeTree } from '../helpers/tmp.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

function base(files: Record<string, string>) {
  const { report, problems } = analyze({ root: writeTree(files), rules: RULES, env: {}, version: 'test' });
  assert.deepEqual(problems, []);
  return report.projects[0]!.environments[0]!;
}

describe('one finding per root cause', () => {
  const anchored = (n: number) =>
    lines(
      'x-common: &common',
      '  image: example/app:1.0',
      '  user: root',
      'services:',
      ...Array.from({ length: n }, (_, i) => `  s${i + 1}:\n    <<: *common`),
    );

  it('the same rule at the same place (an anchor) is one finding listing every service', () => {
    const env = base({ 'compose.yaml': anchored(19) });
    const root = env.findings.filter((f) => f.rule === 'root-user');
    assert.equal(root.length, 1);
    assert.equal(`${root[0]!.file}:${root[0]!.line}:${root[0]!.column}`, 'compose.yaml:3:9');
    assert.equal(root[0]!.services.length, 19);
    assert.equal(root[0]!.service, 's1');
    assert.match(root[0]!.message, /^services "s1", "s2", "s3" and 16 more run as root \(user: "root"\)/);
  });

  it('is scored once: more services inheriting the same cause do not lower the security score', () => {
    const few = base({ 'compose.yaml': anchored(2) }).scores.security;
    const many = base({ 'compose.yaml': anchored(19) }).scores.security;
    assert.ok(many >= few, `${many} >= ${few}`);
  });

  it('keeps findings apart when each service writes the problem itself', () => {
    const env = base({ 'compose.yaml': lines('services:', '  a:', '    image: example/app:1.0', '    user: root', '  b:', '    image: example/app:1.0', '    user: root') });
    assert.deepEqual(env.findings.filter((f) => f.rule === 'root-user').map((f) => f.services), [['a'], ['b']]);
  });
});
