import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/foreign-resource.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('foreign-resource', () => {
  it('valid: the stack\'s own volumes and networks, volumes_from a service of the stack: no finding', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  app:',
        '    image: app:1',
        '    volumes: [data:/data]',
        '    networks: [back]',
        '  backup:',
        '    image: tool:1',
        '    volumes_from: [app]',
        'volumes:',
        '  data: {}',
        'networks:',
        '  back:',
        '    internal: true',
      ),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: external volume and network, a fixed name, another container\'s volumes; graded for a local report', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  app:',
        '    image: app:1',
        '    volumes: [billing:/data, shared:/shared]',
        '    networks: [proxy]',
        '    volumes_from:',
        '      - container:billing-db-1',
        'volumes:',
        '  billing:',
        '    external: true',
        '  shared:',
        '    name: other_data',
        'networks:',
        '  proxy:',
        '    external: true',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:10:15', 'compose.yaml:12:11', 'compose.yaml:15:15', 'compose.yaml:7:9']);
    assert.deepEqual(findings.map((f) => f.severity), ['high', 'low', 'medium', 'critical']);
    assert.match(findings[3]!.message, /mounts the volumes of the container "billing-db-1"/);
  });
});
