import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/unconfined-profile.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('unconfined-profile', () => {
  it('valid: default or custom profiles', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  a:',
        '    image: x:1',
        '    security_opt:',
        '      - seccomp=./seccomp.json',
        '      - apparmor=docker-default',
        '      - "label=level:s0:c100,c200"',
        '      - no-new-privileges:true',
      ),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: seccomp, apparmor, SELinux and systempaths unconfined, in both spellings', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  scanner:',
        '    image: scanner:3.2',
        '    security_opt:',
        '      - seccomp:unconfined',
        '      - apparmor=unconfined',
        '      - label:disable',
        '      - label=type:spc_t',
        '      - systempaths=unconfined',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:5:9', 'compose.yaml:6:9', 'compose.yaml:7:9', 'compose.yaml:8:9', 'compose.yaml:9:9']);
    assert.match(findings[0]!.message, /^service "scanner" turns the seccomp filter off: .* \("seccomp:unconfined"\)$/);
    assert.match(findings[1]!.message, /runs without an AppArmor profile/);
    assert.match(findings[2]!.message, /turns SELinux separation off/);
    assert.match(findings[3]!.message, /SELinux type spc_t, which SELinux does not confine/);
    assert.match(findings[4]!.message, /unmasks the \/proc and \/sys paths/);
    assert.ok(findings.every((f) => f.severity === 'high' && f.service === 'scanner'));
  });
});
