import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/validation/unknown-dependency.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('unknown-dependency', () => {
  it('valid: dependencies on services of the project, also a profile-disabled optional one', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  api:',
        '    image: api:1.0',
        '    depends_on:',
        '      database: {condition: service_started}',
        '      debug: {condition: service_started, required: false}',
        '  database:',
        '    image: postgres:16',
        '  debug:',
        '    image: busybox:1.36',
        '    profiles: [debug]',
        '    network_mode: service:api',
      ),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: a misspelled dependency, with a suggestion', () => {
    const files = { 'compose.yaml': lines('services:', '  api:', '    image: api:1.0', '    depends_on: [databse]', '  database:', '    image: postgres:16') };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:4:18']);
    assert.equal(findings[0]!.service, 'api');
    assert.equal(findings[0]!.severity, 'critical');
    assert.match(findings[0]!.fix!, /did you mean "database"\?/);
  });

  it('invalid: network_mode of a service that does not exist, listing the services', () => {
    const files = { 'compose.yaml': lines('services:', '  sidecar:', '    image: busybox:1.36', '    network_mode: service:vpn') };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:4:19']);
    assert.match(findings[0]!.fix!, /use one of the project's services \("sidecar"\)/);
  });
});
