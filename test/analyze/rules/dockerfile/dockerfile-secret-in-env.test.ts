import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/dockerfile/dockerfile-secret-in-env.js';
import { places, runRule } from '../../harness.js';

const compose = 'services:\n  app:\n    build: .\n';

describe('dockerfile-secret-in-env', () => {
  it('valid: ARG without default, references to build args, files, flags and non-secret names', () => {
    const dockerfile =
      'ARG NPM_TOKEN\nFROM node:20\nARG GITHUB_TOKEN\nENV DB_PASSWORD=${DB_PASSWORD} API_KEY=$API_KEY\n' +
      'ENV DB_PASSWORD_FILE=/run/secrets/db_password TOKEN_TTL=3600 SECRET_NAME=app-secret AWS_ACCESS_KEY_ID=AKIAEXAMPLE\n' +
      'ENV USE_TOKEN=true PWD=/app PASSWORD=\nENV TLS_PRIVATE_KEY /certs/key.pem\nENV DATABASE_URL=postgres://app@db:5432/app\n';
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': compose, Dockerfile: dockerfile } }), []);
  });

  it('invalid: literal secrets in ENV (both forms), ARG defaults and URL passwords', () => {
    const findings = runRule(rule, {
      files: {
        'compose.yaml': compose,
        Dockerfile:
          'ARG NPM_TOKEN=npm_abc123\nFROM node:20\nENV DB_PASSWORD=hunter2 NODE_ENV=production\nENV JWT_SECRET s3cr3t-value\n' +
          '  env AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG" DATABASE_URL=postgres://app:pw@db/app\n',
      },
    });
    assert.deepEqual(places(findings), ['Dockerfile:1:1', 'Dockerfile:3:1', 'Dockerfile:4:1', 'Dockerfile:5:3', 'Dockerfile:5:3']);
    assert.deepEqual(new Set(findings.map((f) => `${f.service} ${f.severity}`)), new Set(['app high']));
    assert.deepEqual(
      findings.map((f) => f.message),
      [
        'Dockerfile: ARG sets NPM_TOKEN to a literal value: it is stored in the image, readable with docker history',
        'Dockerfile: ENV sets DB_PASSWORD to a literal value: it is stored in the image, readable with docker inspect',
        'Dockerfile: ENV sets JWT_SECRET to a literal value: it is stored in the image, readable with docker inspect',
        'Dockerfile: ENV sets AWS_SECRET_ACCESS_KEY to a literal value: it is stored in the image, readable with docker inspect',
        'Dockerfile: ENV puts a password in the URL of DATABASE_URL: it is stored in the image, readable with docker inspect',
      ],
    );
    assert.equal(findings[0]?.fix, 'declare ARG NPM_TOKEN without a default, or use RUN --mount=type=secret for build-time secrets');
    assert.equal(findings[1]?.fix, 'remove the value from the Dockerfile and give DB_PASSWORD at run time (compose secrets or environment)');
    assert.ok(findings.every((f) => !f.message.includes('hunter2')), 'the secret value is never echoed');
  });
});
