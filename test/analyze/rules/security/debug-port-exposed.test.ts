import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/debug-port-exposed.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('debug-port-exposed', () => {
  it('valid: debug ports on loopback, unpublished, on the host network, and ordinary ports', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  api:',
        '    image: node:22',
        '    command: [node, --inspect=0.0.0.0:9229, server.js]',
        '    ports: ["127.0.0.1:9229:9229", "8080:8080"]',
        '  java:',
        '    image: eclipse-temurin:21',
        '    expose: ["5005"]',
        '  host:',
        '    image: golang:1.23',
        '    network_mode: host',
        '    ports: ["2345:2345"]',
      ),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: inspector, JDWP, delve and debugpy ports and a flagged custom port, at the port entry', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  api:',
        '    image: node:22',
        '    ports:',
        '      - "9229:9229"',
        '      - "0.0.0.0:9230:9230"',
        '  java:',
        '    image: eclipse-temurin:21',
        '    environment:',
        '      JAVA_TOOL_OPTIONS: -agentlib:jdwp=transport=dt_socket,server=y,address=*:8000',
        '    ports: ["8000:8000", "5005:5005"]',
        '  go:',
        '    image: golang:1.23',
        '    command: [dlv, debug, --headless, --listen=:40000]',
        '    ports: ["40000:40000"]',
        '  py:',
        '    image: python:3.12',
        '    ports: ["5678:5678"]',
      ),
    };
    const found = runRule(rule, { files });
    assert.deepEqual(places(found), [
      'compose.yaml:5:9',
      'compose.yaml:6:9',
      'compose.yaml:11:13',
      'compose.yaml:11:26',
      'compose.yaml:15:13',
      'compose.yaml:18:13',
    ]);
    assert.match(found[0]!.message, /Node\.js inspector.*every host interface/);
    assert.match(found[2]!.message, /port 8000, the Java debugger \(JDWP\)/);
    assert.match(found[4]!.message, /delve/);
    assert.ok(found.every((f) => f.severity === 'high'));
  });
});
