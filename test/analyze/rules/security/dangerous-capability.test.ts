import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/dangerous-capability.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('dangerous-capability', () => {
  it('valid: no cap_add, or only harmless capabilities', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  a:',
        '    image: x:1',
        '  b:',
        '    image: x:1',
        '    cap_drop: [ALL]',
        '    cap_add: [NET_BIND_SERVICE, CHOWN, cap_setuid]',
      ),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: one finding per dangerous capability, in any case and with or without CAP_', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  vpn:',
        '    image: wg:1.0',
        '    cap_add:',
        '      - NET_ADMIN',
        '      - CHOWN',
        '      - cap_sys_module',
        '  tool:',
        '    image: tool:2',
        '    cap_add: [all, Sys_Ptrace]',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:5:9', 'compose.yaml:7:9', 'compose.yaml:10:15', 'compose.yaml:10:20']);
    assert.deepEqual(
      findings.map((f) => f.message.replace(/:.*/, '')),
      [
        'service "vpn" adds capability NET_ADMIN',
        'service "vpn" adds capability SYS_MODULE',
        'service "tool" adds capability ALL',
        'service "tool" adds capability SYS_PTRACE',
      ],
    );
    assert.match(findings[1]!.message, /loads kernel modules/);
    assert.match(findings[2]!.fix ?? '', /cap_drop: \[ALL\]/);
    assert.ok(findings.every((f) => f.severity === 'high'));
  });
});
