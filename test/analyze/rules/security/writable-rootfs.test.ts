import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/writable-rootfs.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('writable-rootfs', () => {
  it('valid: read_only: true', () => {
    const files = { 'compose.yaml': lines('services:', '  a:', '    image: x:1', '    read_only: true', '    tmpfs: [/tmp]') };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: missing (at the service) or false (at the value, also from an overlay)', () => {
    const files = {
      'compose.yaml': lines('services:', '  api:', '    image: api:2.3', '  web:', '    image: web:1', '    read_only: true'),
      'compose.override.yaml': lines('services:', '  web:', '    read_only: false'),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:2:3', 'compose.override.yaml:3:16']);
    assert.equal(findings[0]!.message, 'service "api" has a writable root filesystem: it has no read_only: true');
    assert.equal(findings[1]!.message, 'service "web" sets read_only: false: its root filesystem is writable');
    assert.deepEqual(findings.map((f) => f.severity), ['low', 'low']);
  });
});
