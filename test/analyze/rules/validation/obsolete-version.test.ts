import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/validation/obsolete-version.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('obsolete-version', () => {
  it('valid: no top-level version; a nested "version" key or value is not one', () => {
    const files = {
      'compose.yaml': lines('services:', '  api:', '    image: api:1.0', '    labels:', '      version: "2"', '    environment:', '      - version=3'),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: version in the base and in the override, each at its own line', () => {
    const files = {
      'compose.yaml': lines('# stack', "version: '3.8'", 'services:', '  api:', '    image: api:1.0'),
      'compose.override.yaml': lines('"version": "3" # old', 'services:', '  api:', '    restart: always'),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:2:1', 'compose.override.yaml:1:1']);
    assert.equal(findings[0]!.message, 'the top-level "version: 3.8" is obsolete: compose ignores it and warns on every command');
    assert.equal(findings[1]!.message, 'the top-level "version: 3" is obsolete: compose ignores it and warns on every command');
    assert.deepEqual(findings.map((f) => [f.service, f.severity]), [[null, 'low'], [null, 'low']]);
    assert.equal(findings[0]!.fix, 'delete the `version:` line; the compose specification needs no version');
  });
});
