import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/validation/undefined-network.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('undefined-network', () => {
  it('valid: declared and external networks, the default network, network_mode', () => {
    const files = {
      'compose.yaml': lines('services:', '  a:', '    image: x:1', '    networks: [backend, proxy]', '  b:', '    image: x:1', '  c:', '    image: x:1', '    network_mode: host', 'networks:', '  backend: {internal: true}', '  proxy: {external: true}'),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: a network in list and in map syntax that is not declared', () => {
    const files = {
      'compose.yaml': lines('services:', '  a:', '    image: x:1', '    networks: [frontend]', '  b:', '    image: x:1', '    networks:', '      backnd:', '        aliases: [db]', 'networks:', '  frontend: {}'),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:8:7']);
    assert.equal(findings[0]!.service, 'b');
    assert.match(findings[0]!.message, /network "backnd"/);
    assert.match(findings[0]!.fix!, /networks: \{backnd: \{\}\}/);
  });
});
