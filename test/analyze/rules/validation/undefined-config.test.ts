import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/validation/undefined-config.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('undefined-config', () => {
  it('valid: the config is declared', () => {
    const files = { 'compose.yaml': lines('services:', '  proxy:', '    image: nginx:1.27', '    configs: [nginx_conf]', 'configs:', '  nginx_conf:', '    content: "events {}"') };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: an undeclared config', () => {
    const files = { 'compose.yaml': lines('services:', '  proxy:', '    image: nginx:1.27', '    configs:', '      - nginx_conf') };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:5:9']);
    assert.equal(findings[0]!.service, 'proxy');
    assert.equal(findings[0]!.severity, 'high');
    assert.match(findings[0]!.fix!, /configs: \{nginx_conf: \{file: \.\/nginx_conf\}\}/);
  });
});
