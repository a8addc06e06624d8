import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/validation/undefined-secret.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('undefined-secret', () => {
  it('valid: the secret is declared', () => {
    const files = { 'compose.yaml': lines('services:', '  db:', '    image: postgres:16', '    secrets: [db_password]', 'secrets:', '  db_password:', '    environment: DB_PASSWORD') };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: short and long syntax references to undeclared secrets', () => {
    const files = {
      'compose.yaml': lines('services:', '  db:', '    image: postgres:16', '    secrets:', '      - db_password', '      - source: api_key', '        target: /run/secrets/key'),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:5:9', 'compose.yaml:6:9']);
    assert.deepEqual(findings.map((f) => f.service), ['db', 'db']);
    assert.match(findings[1]!.message, /secret "api_key"/);
    assert.match(findings[0]!.fix!, /secrets: \{db_password: \{file: /);
  });
});
