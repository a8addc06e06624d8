import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/validation/port-conflict.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('port-conflict', () => {
  it('valid: other protocol, other host address, pick-one ranges, host network, inactive profile, container ports only', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  dns:',
        '    image: dns:1',
        '    ports: ["53:53/tcp", "53:53/udp"]',
        '  a:',
        '    image: x:1',
        '    ports: ["127.0.0.1:8080:80", "9000-9010:80"]',
        '  b:',
        '    image: x:1',
        '    ports: ["127.0.0.2:8080:80", "9000-9010:80", "80"]',
        '  c:',
        '    image: x:1',
        '    network_mode: host',
        '  d:',
        '    image: x:1',
        '    profiles: [debug]',
        '    ports: ["127.0.0.1:8080:80"]',
        '  e:',
        '    image: x:1',
        '    ports: ["80"]',
      ),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('valid: a service only on internal networks publishes nothing, so it takes no host port', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  a:',
        '    image: x:1',
        '    ports: ["8000:8000"]',
        '    networks: [backend]',
        '  b:',
        '    image: x:1',
        '    ports: ["8000:80"]',
        'networks:',
        '  backend:',
        '    internal: true',
      ),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: two services on one host port; 0.0.0.0 overlaps a specific address', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  web:',
        '    image: nginx:1.27',
        '    ports: ["8080:80"]',
        '  admin:',
        '    image: admin:2.0',
        '    ports:',
        '      - "127.0.0.1:8080:3000"',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:8:9']);
    assert.equal(findings[0]!.service, 'admin');
    assert.equal(findings[0]!.severity, 'high');
    assert.equal(
      findings[0]!.message,
      'service "admin" publishes host port 127.0.0.1:8080/tcp, which service "web" already publishes (compose.yaml:4); the second container fails with "port is already allocated"',
    );
    assert.equal(findings[0]!.fix, 'publish another host port, e.g. "8081:3000", or bind the two to different host addresses');
  });

  it('invalid: overlapping ranges, one port twice in a service, replicas of a fixed port', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  a:',
        '    image: x:1',
        '    ports: ["8000-8002:8000-8002"]',
        '  b:',
        '    image: x:1',
        '    ports: ["8002:80", "7000:70", "7000:71"]',
        '  c:',
        '    image: x:1',
        '    deploy: {replicas: 3}',
        '    ports: ["6000:80"]',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:7:13', 'compose.yaml:7:35', 'compose.yaml:11:13']);
    assert.match(findings[0]!.message, /^service "b" publishes host port 8002\/tcp, which service "a" already publishes \(compose\.yaml:4\)/);
    assert.match(findings[1]!.message, /^service "b" publishes host port 7000\/tcp twice \(compose\.yaml:7\)/);
    assert.match(findings[2]!.message, /^service "c" runs 3 replicas that all publish host port 6000\/tcp; only the first can bind it$/);
    assert.match(findings[2]!.fix!, /"6000-6002:80"/);
  });

  it('invalid: a pick-one range whose every port is taken', () => {
    const files = {
      'compose.yaml': lines('services:', '  a:', '    image: x:1', '    ports: ["8000:80", "8001:81"]', '  b:', '    image: x:1', '    ports: ["8000-8001:80"]'),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:7:13']);
    assert.match(findings[0]!.message, /every port of that range is already published by "a"/);
  });
});
