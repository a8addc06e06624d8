import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/foreign-namespace.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('foreign-namespace', () => {
  it('valid: namespaces shared between services of the stack, by service or container_name: no finding', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  db:',
        '    image: db:1',
        '    container_name: app-db',
        '  tool:',
        '    image: tool:1',
        '    network_mode: service:db',
        '    pid: container:app-db',
        '    ipc: shareable',
      ),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: container: and an unknown service: in network_mode, pid and ipc, each at its value', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  spy:',
        '    image: tool:1',
        '    network_mode: "container:billing-db-1"',
        '    pid: container:0123abcd',
        '  other:',
        '    image: tool:1',
        '    ipc: service:elsewhere',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:4:19', 'compose.yaml:5:10', 'compose.yaml:8:10']);
    assert.ok(findings.every((f) => f.severity === 'critical'));
    assert.match(findings[0]!.message, /^service "spy" joins the container "billing-db-1", which is not part of this stack/);
  });
});
