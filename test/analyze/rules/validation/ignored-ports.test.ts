import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/validation/ignored-ports.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('ignored-ports', () => {
  it('valid: host network without ports; ports on a bridge network', () => {
    const files = { 'compose.yaml': lines('services:', '  a:', '    image: x:1', '    network_mode: host', '  b:', '    image: x:1', '    ports: ["8080:80"]') };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: ports with network_mode: host, at the ports key, also when the overlay adds them', () => {
    const files = {
      'compose.yaml': lines('services:', '  agent:', '    image: agent:1.0', '    network_mode: host'),
      'compose.override.yaml': lines('services:', '  agent:', '    ports:', '      - "8080:80"', '      - "9100"'),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.override.yaml:3:5']);
    assert.equal(findings[0]!.service, 'agent');
    assert.equal(findings[0]!.severity, 'medium');
    assert.equal(findings[0]!.message, "service \"agent\" uses network_mode: host, so its ports (8080:80, 9100) are ignored: it listens on the host's interfaces directly");
  });
});
