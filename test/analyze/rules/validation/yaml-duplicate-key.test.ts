import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/validation/yaml-duplicate-key.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';
const anchors = ['x-restart: &restart-policy', '  restart: unless-stopped', 'x-limits: &resource-limits', '  init: true'];

describe('yaml-duplicate-key', () => {
  it('valid: several anchors merged with one key', () => {
    const files = { 'compose.yaml': lines(...anchors, 'services:', '  backend:', '    <<: [*restart-policy, *resource-limits]', '    image: api:1.0') };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: a second "<<" (seed 003), at the second key, naming the first one', () => {
    const files = {
      'compose.yaml': lines(...anchors, 'services:', '  backend:', '    <<: *restart-policy', '    image: api:1.0', '    <<: *resource-limits'),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:9:5']);
    assert.equal(findings[0]!.service, 'backend');
    assert.equal(findings[0]!.severity, 'critical');
    assert.match(findings[0]!.message, /second merge key "<<" \(the first is at line 7\)/);
    assert.equal(findings[0]!.fix, 'merge every anchor with one key: `<<: [*restart-policy, *resource-limits]`');
  });

  it('invalid: a second "<<" next to one that is not an alias keeps the generic fix', () => {
    const files = {
      'compose.yaml': lines(...anchors, 'services:', '  backend:', '    <<: {restart: always}', '    image: api:1.0', '    <<: *resource-limits  # limits'),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:9:5']);
    assert.equal(findings[0]!.fix, 'merge every anchor with one key: `<<: [*first, *second]`');
  });

  it('invalid: a plain key written twice', () => {
    const files = { 'compose.yaml': lines('services:', '  web:', '    image: nginx:1.27', '    restart: always', '    image: nginx:1.26') };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:5:5']);
    assert.equal(findings[0]!.message, 'service "web" has the key "image" twice (the first is at line 3); compose refuses the file: mapping key "image" already defined');
  });

  it('invalid: a duplicate outside services is not attributed to a service', () => {
    const files = { 'compose.yaml': lines('services:', '  web:', '    image: nginx:1.27', 'volumes:', '  data: {}', '  data: {}') };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:6:3']);
    assert.equal(findings[0]!.service, null);
  });
});
