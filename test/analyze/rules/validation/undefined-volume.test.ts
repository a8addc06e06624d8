import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/validation/undefined-volume.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('undefined-volume', () => {
  it('valid: declared named volumes, binds, tmpfs and anonymous volumes', () => {
    const files = {
      'compose.yaml': lines('services:', '  db:', '    image: postgres:16', '    volumes:', '      - data:/var/lib/postgresql/data', '      - ./init:/docker-entrypoint-initdb.d', '      - /tmp/cache', 'volumes:', '  data: {}'),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: an overlay mounts volumes it never declares (seed 003), located in the overlay', () => {
    const files = {
      'docker-compose.yml': lines('services:', '  backend:', '    image: api:1.0', '  nginx:', '    image: nginx:1.27'),
      'docker-compose.dev.yml': lines('services:', '  backend:', '    volumes:', '      - backend_logs:/app/logs', '  nginx:', '    volumes:', '      - type: volume', '        source: nginx_logs', '        target: /var/log/nginx'),
    };
    const findings = runRule(rule, { files, compose: ['docker-compose.yml', 'docker-compose.dev.yml'] });
    assert.deepEqual(places(findings), ['docker-compose.dev.yml:4:9', 'docker-compose.dev.yml:7:9']);
    assert.deepEqual(findings.map((f) => [f.service, f.severity]), [['backend', 'high'], ['nginx', 'high']]);
    assert.match(findings[0]!.message, /service "backend" mounts volume "backend_logs", which is not declared/);
    assert.match(findings[0]!.fix!, /volumes: \{backend_logs: \{\}\}/);
  });
});
