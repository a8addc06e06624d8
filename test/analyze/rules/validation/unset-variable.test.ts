import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/validation/unset-variable.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('unset-variable', () => {
  it('valid: defaults, values from .env and from the environment, $$ escapes', () => {
    const files = {
      'compose.yaml': lines('services:', '  api:', '    image: "api:${TAG:-1.0}"', '    environment:', '      DB: ${DB_HOST}', '      PORT: ${PORT}', '      HOME_DIR: $$HOME', '      OPT: ${OPT-}'),
      '.env': 'DB_HOST=db\n',
    };
    assert.deepEqual(runRule(rule, { files, env: { PORT: '8000' } }), []);
  });

  it('invalid: a variable with no value and no default, once per file, at its first use', () => {
    const files = {
      'compose.yaml': lines('services:', '  api:', '    image: "registry.example.com/api:${API_TAG}"', '  worker:', '    image: "registry.example.com/worker:${API_TAG}"', '    environment:', '      SENTRY_DSN: ${SENTRY_DSN}'),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:3:12', 'compose.yaml:7:19']);
    assert.deepEqual(findings.map((f) => [f.service, f.severity]), [['api', 'low'], ['worker', 'low']]);
    assert.match(findings[0]!.message, /the project has no .env/);
    assert.match(findings[0]!.message, /the "API_TAG" variable is not set/);
    assert.equal(findings[0]!.fix, 'set API_TAG in .env or in the environment, or give a default: ${API_TAG:-value} (or require it: ${API_TAG:?message})');
  });

  it('invalid: a .env of the project that leaves the variable out (high)', () => {
    const files = { 'compose.yaml': lines('services:', '  api:', '    image: "registry.example.com/api:${API_TAG}"'), '.env': 'OTHER=1\n' };
    const findings = runRule(rule, { files });
    assert.deepEqual(findings.map((f) => f.severity), ['high']);
    assert.doesNotMatch(findings[0]!.message, /no .env/);
  });
});
