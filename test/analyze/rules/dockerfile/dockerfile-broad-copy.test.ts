import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/dockerfile/dockerfile-broad-copy.js';
import { places, runRule } from '../../harness.js';

describe('dockerfile-broad-copy', () => {
  const dockerfile = 'FROM python:3.12-slim AS build\nWORKDIR /app\nCOPY requirements.txt .\nCOPY --chown=app:app . .\nFROM python:3.12-slim\nCOPY --from=build /app /app\nCOPY ./ /srv\n';

  it('valid: the context has a .dockerignore, or a <Dockerfile>.dockerignore next to the Dockerfile', () => {
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': 'services:\n  app:\n    build: .\n', Dockerfile: dockerfile, '.dockerignore': '.git\n' } }), []);
    assert.deepEqual(
      runRule(rule, {
        files: {
          'compose.yaml': 'services:\n  app:\n    build: {context: ., dockerfile: docker/app.Dockerfile}\n',
          'docker/app.Dockerfile': dockerfile,
          'docker/app.Dockerfile.dockerignore': '.git\n',
        },
      }),
      [],
    );
  });

  it('valid: copying named paths or from another stage', () => {
    assert.deepEqual(
      runRule(rule, { files: { 'compose.yaml': 'services:\n  app:\n    build: .\n', Dockerfile: 'FROM node:20\nCOPY package.json src/ ./\nCOPY --from=build / /\n' } }),
      [],
    );
  });

  it('invalid: only the stages the build target runs, with the stages they copy from (seed 003)', () => {
    const staged =
      'FROM python:3.12-slim AS base\nFROM base AS deps\nCOPY . /src\nFROM base AS development\nCOPY . .\n' +
      'FROM base AS production\nCOPY --from=deps /src /app\nCOPY ./ /srv\nFROM production AS distroless\nCOPY . /extra\n';
    const run = (target: string) =>
      places(runRule(rule, { files: { 'compose.yaml': `services:\n  api:\n    build: {context: ., target: ${target}}\n`, Dockerfile: staged } }));
    assert.deepEqual(run('production'), ['Dockerfile:3:1', 'Dockerfile:8:1']);
    assert.deepEqual(run('development'), ['Dockerfile:5:1']);
    assert.deepEqual(run('nosuchstage'), []);
    const both = runRule(rule, {
      files: {
        'compose.yaml': 'services:\n  api:\n    build: {context: ., target: production}\n  dev:\n    build: {context: ., target: development}\n',
        Dockerfile: staged,
      },
    });
    assert.deepEqual(both.map((f) => `${f.service} ${f.line}`), ['api 3', 'dev 5', 'api 8']);
  });

  it('invalid: COPY . and COPY ./ without a .dockerignore, at each instruction', () => {
    const findings = runRule(rule, { files: { 'compose.yaml': 'services:\n  api:\n    build: ./backend\n', 'backend/Dockerfile': dockerfile } });
    assert.deepEqual(places(findings), ['backend/Dockerfile:4:1', 'backend/Dockerfile:7:1']);
    assert.deepEqual(findings.map((f) => [f.service, f.severity]), [['api', 'medium'], ['api', 'medium']]);
    assert.equal(
      findings[0]?.message,
      'backend/Dockerfile: COPY --chown=app:app . . copies the whole build context and backend has no .dockerignore: .git, .env files and local secrets end up in the image',
    );
    assert.equal(findings[0]?.fix, 'add backend/.dockerignore listing .git, .env*, *.pem, node_modules and build output, or copy only the paths the image needs');
  });
});
