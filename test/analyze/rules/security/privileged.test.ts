import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/privileged.js';
import { places, runRule } from '../../harness.js';

describe('privileged', () => {
  it('valid: not privileged, or privileged: false', () => {
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': 'services:\n  a: {image: x:1}\n  b: {image: x:1, privileged: false}\n' } }), []);
  });

  it('invalid: privileged: true, located at the value, also when it comes from an anchor', () => {
    const findings = runRule(rule, {
      files: {
        'compose.yaml': 'x-priv: &priv\n  privileged: true\nservices:\n  a:\n    image: x:1\n    privileged: true\n  b:\n    <<: *priv\n    image: y:1\n',
      },
    });
    assert.deepEqual(places(findings), ['compose.yaml:6:17', 'compose.yaml:2:15']);
    assert.deepEqual(findings.map((f) => [f.service, f.severity]), [['a', 'critical'], ['b', 'critical']]);
  });
});
