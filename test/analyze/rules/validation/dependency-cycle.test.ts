import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/validation/dependency-cycle.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('dependency-cycle', () => {
  it('valid: a chain and a diamond', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  web:',
        '    image: web:1',
        '    depends_on: [api, worker]',
        '  api:',
        '    image: api:1',
        '    depends_on: [db]',
        '  worker:',
        '    image: worker:1',
        '    depends_on: [db]',
        '  db:',
        '    image: postgres:16',
      ),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: a two-service cycle is reported once, with the chain, at the dependency that closes it', () => {
    const files = {
      'compose.yaml': lines('services:', '  api:', '    image: api:1', '    depends_on:', '      worker:', '        condition: service_started', '  worker:', '    image: worker:1', '    depends_on: [api]'),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:9:18']);
    assert.equal(findings[0]!.service, 'worker');
    assert.equal(findings[0]!.severity, 'critical');
    assert.equal(findings[0]!.message, 'dependency cycle: api → worker → api; compose cannot order these services and refuses to start the project');
    assert.equal(findings[0]!.fix, 'remove one dependency of the cycle, e.g. "worker" on "api"');
  });

  it('invalid: a service that depends on itself', () => {
    const findings = runRule(rule, { files: { 'compose.yaml': lines('services:', '  a:', '    image: x:1', '    depends_on: [a]') } });
    assert.deepEqual(places(findings), ['compose.yaml:4:18']);
    assert.match(findings[0]!.message, /^dependency cycle: a → a;/);
  });

  it('invalid: a cycle closed by network_mode: service:, and two cycles sharing a service', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  a:',
        '    image: x:1',
        '    depends_on: [b, c]',
        '  b:',
        '    image: x:1',
        '    network_mode: service:a',
        '  c:',
        '    image: x:1',
        '    depends_on: [a]',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:7:19', 'compose.yaml:10:18']);
    assert.equal(findings[0]!.message, 'dependency cycle: a → b → a ("b" → "a" through network_mode); compose cannot order these services and refuses to start the project');
    assert.match(findings[1]!.message, /^dependency cycle: a → c → a;/);
  });
});
