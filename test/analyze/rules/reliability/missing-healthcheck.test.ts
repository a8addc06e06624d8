import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/reliability/missing-healthcheck.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('missing-healthcheck', () => {
  it('valid: a healthcheck in compose or in the built Dockerfile, a deliberate disable, one-shot jobs', () => {
    const compose = lines(
      'services:',
      '  api:',
      '    image: api:1',
      '    healthcheck:',
      '      test: ["CMD", "curl", "-f", "http://localhost/health"]',
      '    depends_on:',
      '      migrate: {condition: service_completed_successfully}',
      '  migrate:',
      '    image: api:1',
      '    command: ["alembic", "upgrade", "head"]',
      '  seed:',
      '    image: api:1',
      '    restart: "no"',
      '    command: ["python", "seed.py"]',
      '  worker:',
      '    build: {context: ., target: app}',
      '  legacy:',
      '    image: legacy:1',
      '    healthcheck: {disable: true}',
      '  dns:',
      '    image: pihole/pihole:2024.07.0',
    );
    const dockerfile = lines(
      'FROM python:3.12-slim AS base',
      'HEALTHCHECK CMD python -c "import urllib.request as u; u.urlopen(\'http://localhost:8000/\')"',
      'FROM base AS app',
      'CMD ["python", "worker.py"]',
    );
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': compose, Dockerfile: dockerfile } }), []);
  });

  it('invalid: no healthcheck anywhere, or HEALTHCHECK NONE in the Dockerfile; the fix suits the image', () => {
    const compose = lines(
      'services:',
      '  db:',
      '    image: postgres:16',
      '  web:',
      '    build: ./web',
      '    ports: ["8080:3000"]',
      '  cache:',
      '    image: redis:7-alpine',
      '    restart: "no"',
    );
    const findings = runRule(rule, {
      files: { 'compose.yaml': compose, 'web/Dockerfile': 'FROM node:20-alpine\nHEALTHCHECK NONE\nCMD ["node", "server.js"]\n' },
    });
    assert.deepEqual(places(findings), ['compose.yaml:2:3', 'compose.yaml:4:3', 'compose.yaml:7:3']);
    assert.deepEqual(findings.map((f) => [f.service, f.severity]), [['db', 'medium'], ['web', 'medium'], ['cache', 'medium']]);
    assert.equal(
      findings[0]!.message,
      'service "db" has no healthcheck: compose cannot tell when it is ready or stuck, and service_healthy dependencies cannot wait for it',
    );
    assert.match(findings[0]!.fix ?? '', /pg_isready/);
    assert.match(findings[1]!.fix ?? '', /\["CMD", "wget", "-q", "--spider", "http:\/\/localhost:3000\/health"\]/);
    assert.match(findings[2]!.fix ?? '', /redis-cli/);
  });
});
