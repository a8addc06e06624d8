import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/no-cap-drop.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('no-cap-drop', () => {
  it('valid: cap_drop ALL in any case; privileged services are privileged\'s finding', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  a:',
        '    image: x:1',
        '    cap_drop: [ALL]',
        '  b:',
        '    image: x:1',
        '    cap_drop: [all]',
        '    cap_add: [NET_BIND_SERVICE]',
        '  c:',
        '    image: x:1',
        '    privileged: true',
      ),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: no cap_drop (at the service), or a partial one (at cap_drop, naming what is left)', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  api:',
        '    image: api:2.3',
        '  worker:',
        '    image: worker:1',
        '    cap_drop:',
        '      - NET_RAW',
        '      - CAP_MKNOD',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:2:3', 'compose.yaml:6:5']);
    assert.equal(findings[0]!.message, 'service "api" keeps Docker\'s 14 default capabilities: it has no cap_drop: [ALL]');
    assert.equal(
      findings[1]!.message,
      'service "worker" drops only NET_RAW, MKNOD; it still has AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, ' +
        'NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT',
    );
    assert.deepEqual(findings.map((f) => f.severity), ['medium', 'medium']);
  });

  it('invalid: an overlay that resets the base\'s cap_drop, at the overlay line (seed 003)', () => {
    const files = {
      'compose.yaml': lines('services:', '  api:', '    image: api:2.3', '    cap_drop: [ALL]', '  web:', '    image: web:1'),
      'compose.dev.yaml': lines('services:', '  api:', '    ports: ["8000:8000"]', '    cap_drop: !reset []', '  web:', '    ports: ["80:80"]'),
    };
    const findings = runRule(rule, { files, compose: ['compose.yaml', 'compose.dev.yaml'], base: ['compose.yaml'] });
    assert.deepEqual(places(findings), ['compose.dev.yaml:4:5', 'compose.yaml:5:3']);
    assert.deepEqual(findings.map((f) => f.service), ['api', 'web']);
  });
});
