import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/host-namespace.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('host-namespace', () => {
  it('valid: private namespaces, or shared with another service', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  a:',
        '    image: x:1',
        '    network_mode: bridge',
        '    ipc: shareable',
        '  b:',
        '    image: x:1',
        '    network_mode: "service:a"',
        '    pid: "service:a"',
        '    ipc: "service:a"',
      ),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: each host namespace is one finding at its value', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  agent:',
        '    image: agent:1.4',
        '    network_mode: host',
        '    pid: host',
        '    ipc: host',
        '    uts: host',
        '    userns_mode: host',
        '    cgroup: host',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), [
      'compose.yaml:4:19',
      'compose.yaml:5:10',
      'compose.yaml:6:10',
      'compose.yaml:7:10',
      'compose.yaml:8:18',
      'compose.yaml:9:13',
    ]);
    assert.ok(findings.every((f) => f.service === 'agent' && f.severity === 'high'));
    assert.equal(
      findings[0]!.message,
      'service "agent" uses the host\'s network stack (network_mode: host): every port it listens on is open on all host interfaces ' +
        'without being published, and it can reach services the host binds to localhost only',
    );
    assert.match(findings[1]!.message, /process namespace \(pid: host\): it sees every process on the host/);
    assert.match(findings[4]!.message, /root in the container is root on the host/);
  });
});
