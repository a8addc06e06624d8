import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/unbound-port-interface.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('unbound-port-interface', () => {
  it('valid: ports bound to an interface (also 0.0.0.0 written out), expose, and the host network', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  a:',
        '    image: x:1',
        '    ports: ["127.0.0.1:8080:80", "0.0.0.0:443:443", "[::1]:9000:9000"]',
        '    expose: ["3000"]',
        '  b:',
        '    image: x:1',
        '    network_mode: host',
        '    ports: ["8081:80"]',
      ),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('valid: a service only on internal networks publishes nothing (moby#36174)', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  api:',
        '    image: api:1',
        '    ports: ["8000:8000", "5678:5678"]',
        '    networks: [backend]',
        'networks:',
        '  backend:',
        '    internal: true',
      ),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: short, random and long syntax without host_ip, at each port', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  api:',
        '    image: api:2.3',
        '    ports:',
        '      - "8080:8080"',
        '      - "3000"',
        '      - target: 53',
        '        published: "5353"',
        '        protocol: udp',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:5:9', 'compose.yaml:6:9', 'compose.yaml:7:9']);
    assert.deepEqual(findings.map((f) => f.message), [
      'service "api" publishes host port 8080 (container port 8080/tcp) on every host interface (0.0.0.0:8080), ahead of host firewalls such as ufw',
      'service "api" publishes a random host port (container port 3000/tcp) on every host interface (0.0.0.0:<random port>), ahead of host firewalls such as ufw',
      'service "api" publishes host port 5353 (container port 53/udp) on every host interface (0.0.0.0:5353), ahead of host firewalls such as ufw',
    ]);
    assert.equal(
      findings[0]!.fix,
      'bind it to the interface that needs it: "127.0.0.1:8080:8080" for the host only, or write "0.0.0.0:8080:8080" when it is a public entry point',
    );
    assert.match(findings[1]!.fix ?? '', /"127\.0\.0\.1::3000"/);
    assert.ok(findings.every((f) => f.severity === 'medium'));
  });
});
