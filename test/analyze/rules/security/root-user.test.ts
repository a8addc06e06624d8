import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/root-user.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('root-user', () => {
  it('valid: a non-root user, an image that runs as non-root, a Dockerfile that ends as non-root', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  a:',
        '    image: node:22-alpine',
        '    user: "1000:1000"',
        '  b:',
        '    image: grafana/grafana:11.2.0',
        '  c:',
        '    image: gcr.io/distroless/static-debian12:nonroot',
        '  d:',
        '    build: ./d',
        '  e:',
        '    build: {context: ./e, dockerfile: app.Dockerfile}',
        '  f:',
        '    build: ./f',
        '  g:',
        '    build: {context: ./g, args: {APP_UID: "10001"}}',
        '  h:',
        '    build: ./missing',
        '  i:',
        '    build: ./i',
      ),
      // The last USER of the final stage decides, even after a root one.
      'd/Dockerfile': lines('FROM python:3.12-slim', 'USER root', 'RUN apt-get update', 'USER app'),
      // The final stage inherits the USER of the stage it starts from.
      'e/app.Dockerfile': lines('FROM node:22 AS base', 'USER node', 'FROM base', 'COPY . .'),
      // A USER inside a heredoc or a continued line (escape character `) is not an instruction.
      'f/Dockerfile': lines('# escape=`', 'FROM alpine:3.20', 'USER app', 'RUN <<EOF', 'USER root', 'EOF', 'RUN echo `', '  USER root'),
      'i/Dockerfile': lines('FROM golang:1.23 AS build', 'FROM gcr.io/distroless/static:nonroot', 'COPY --from=build /app /app'),
      'g/Dockerfile': lines('FROM alpine:3.20', 'ARG APP_UID=0', 'USER ${APP_UID}'),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: user root / 0 / 0:0, at the user value', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  a:',
        '    image: x:1',
        '    user: root',
        '  b:',
        '    image: x:1',
        '    user: 0',
        '  c:',
        '    image: x:1',
        '    user: "0:0"',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:4:11', 'compose.yaml:7:11', 'compose.yaml:10:11']);
    assert.match(findings[2]!.message, /^service "c" runs as root \(user: "0:0"\)/);
    assert.ok(findings.every((f) => f.severity === 'medium'));
  });

  it('invalid: no user and an image known to run as root, at the image; an entrypoint that drops root is info', () => {
    const files = {
      'compose.yaml': lines('services:', '  web:', '    image: nginx:1.27-alpine', '  db:', '    image: postgres:16'),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:3:12', 'compose.yaml:5:12']);
    assert.equal(findings[0]!.message, 'service "web" runs as root: no user is set and image "nginx:1.27-alpine" runs as root by default');
    assert.equal(findings[0]!.severity, 'medium');
    assert.match(findings[1]!.message, /starts as root .* but its entrypoint switches to an unprivileged user for the server/);
    assert.equal(findings[1]!.severity, 'info');
  });

  it('does not guess: an image it cannot see is info, saying so; a Dockerfile entrypoint with gosu or su-exec is honoured', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  app:',
        '    image: example.org/team/app:2.1',
        '  built:',
        '    build: ./built',
        '  custom:',
        '    build: ./custom',
      ),
      'built/Dockerfile': lines('FROM debian:12', 'COPY entrypoint.sh /usr/local/bin/', 'ENTRYPOINT ["entrypoint.sh"]'),
      'built/entrypoint.sh': lines('#!/bin/sh', 'exec gosu app "$@"'),
      'custom/Dockerfile': lines('FROM example.org/base:1', 'CMD ["serve"]'),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:3:12', 'compose.yaml:5:5', 'compose.yaml:7:5']);
    assert.ok(findings.every((f) => f.severity === 'info'));
    assert.match(findings[0]!.message, /cannot see which user image "example\.org\/team\/app:2\.1" runs as/);
    assert.match(findings[1]!.message, /entrypoint switches to an unprivileged user/);
    assert.match(findings[2]!.message, /does not know the user of its base image example\.org\/base:1/);
  });

  it('invalid: a local Dockerfile without USER, ending as root, or a target stage that is root', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  api:',
        '    build: ./api',
        '  worker:',
        '    build:',
        '      context: ./worker',
        '  dev:',
        '    build:',
        '      context: ./dev',
        '      target: debug',
        '    image: dev:local',
      ),
      'api/Dockerfile': lines('FROM node:22 AS build', 'USER node', 'FROM python:3.12-slim', 'CMD ["python", "app.py"]'),
      'worker/Dockerfile': lines('FROM alpine:3.20', 'USER app', 'USER \\', '  0'),
      'dev/Dockerfile': lines('FROM alpine:3.20 AS debug', 'USER root', 'FROM alpine:3.20', 'USER app'),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:3:5', 'compose.yaml:5:5', 'compose.yaml:8:5']);
    assert.equal(
      findings[0]!.message,
      'service "api" runs as root: no user is set and the final stage of api/Dockerfile has no USER, so it keeps the root user of python:3.12-slim',
    );
    assert.equal(
      findings[1]!.message,
      'service "worker" runs as root: no user is set and the final stage of worker/Dockerfile ends with USER 0 (line 3)',
    );
    assert.equal(
      findings[2]!.message,
      'service "dev" runs as root: no user is set and the stage "debug" of dev/Dockerfile ends with USER root (line 2)',
    );
  });
});
