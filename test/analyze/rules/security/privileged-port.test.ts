import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/privileged-port.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('privileged-port', () => {
  it('valid: host ports of 1024 and above, random host ports, the host network', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  a:',
        '    image: x:1',
        '    ports: ["8080:80", "127.0.0.1:8443:443", "80", "1024:22"]',
        '  b:',
        '    image: x:1',
        '    network_mode: host',
        '    ports: ["80:80"]',
      ),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: ports below 1024; HTTP(S) on an entry point is explained, at low severity', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  proxy:',
        '    image: caddy:2.8',
        '    ports: ["80:80", "443:443"]',
        '  dns:',
        '    image: pihole/pihole:2024.07.0',
        '    ports:',
        '      - "53:53/udp"',
        '      - "127.0.0.1:900-910:9000"',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:4:13', 'compose.yaml:4:22', 'compose.yaml:8:9', 'compose.yaml:9:9']);
    assert.deepEqual(findings.map((f) => f.message), [
      'service "proxy" publishes privileged host port 80 (HTTP): normal for a reverse proxy or web server that is the public entry point; listed so that every port below 1024 is a deliberate choice',
      'service "proxy" publishes privileged host port 443 (HTTPS): normal for a reverse proxy or web server that is the public entry point; listed so that every port below 1024 is a deliberate choice',
      'service "dns" publishes privileged host port 53 (DNS): ports below 1024 belong to the host\'s system services, and this one can clash with or stand in for the host\'s own DNS',
      'service "dns" publishes privileged host port 900: ports below 1024 belong to the host\'s system services',
    ]);
    assert.deepEqual(findings.map((f) => f.fix === null), [true, true, false, false]);
    assert.ok(findings.every((f) => f.severity === 'low'));
  });

  it('valid: a mail server publishing the mail ports; still invalid: a mail server publishing SSH', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  mail:',
        '    image: ghcr.io/docker-mailserver/docker-mailserver:14.0',
        '    ports: ["25:25", "465:465", "587:587", "993:993", "22:22"]',
      ),
    };
    assert.deepEqual(places(runRule(rule, { files })), ['compose.yaml:4:55']);
  });
});
