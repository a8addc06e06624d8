import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/validation/healthy-without-healthcheck.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';
const api = ['services:', '  api:', '    image: api:1.0', '    depends_on:', '      db:', '        condition: service_healthy'];

describe('healthy-without-healthcheck', () => {
  it('valid: the dependency has a healthcheck, or only service_started is awaited', () => {
    const withCheck = lines(...api, '  db:', '    image: postgres:16', '    healthcheck:', '      test: ["CMD", "pg_isready"]');
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': withCheck } }), []);
    const started = lines('services:', '  api:', '    image: api:1.0', '    depends_on: [db]', '  db:', '    image: postgres:16');
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': started } }), []);
  });

  it('valid: the dependency builds from a local Dockerfile with a HEALTHCHECK, also in a parent stage', () => {
    const compose = lines(...api, '  db:', '    build:', '      context: ./db', '      target: runtime');
    const dockerfile = lines('FROM postgres:16 AS base', 'HEALTHCHECK --interval=10s \\', '  CMD pg_isready', 'FROM base AS runtime', 'COPY init.sql /docker-entrypoint-initdb.d/');
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': compose, 'db/Dockerfile': dockerfile } }), []);
  });

  it('invalid: no healthcheck, at the condition, with a fix for the image', () => {
    const findings = runRule(rule, { files: { 'compose.yaml': lines(...api, '  db:', '    image: postgres:16') } });
    assert.deepEqual(places(findings), ['compose.yaml:6:20']);
    assert.equal(findings[0]!.service, 'api');
    assert.equal(findings[0]!.severity, 'high');
    assert.equal(findings[0]!.message, 'service "api" waits for "db" to be healthy, but it has no healthcheck, and image "postgres:16" declares none: "db" never becomes healthy and "api" never starts');
    assert.match(findings[0]!.fix!, /healthcheck: \{test: \["CMD", "pg_isready"\]/);
  });

  it('invalid: the healthcheck is disabled', () => {
    const findings = runRule(rule, { files: { 'compose.yaml': lines(...api, '  db:', '    image: postgres:16', '    healthcheck:', '      disable: true') } });
    assert.deepEqual(places(findings), ['compose.yaml:6:20']);
    assert.match(findings[0]!.message, /its healthcheck is disabled/);
    assert.match(findings[0]!.fix!, /remove `disable: true`/);
  });

  it('invalid: the Dockerfile disables the check in the built stage, or has it only in another stage', () => {
    const compose = lines(...api, '  db:', '    build: ./db');
    const none = lines('FROM postgres:16', 'HEALTHCHECK CMD pg_isready', 'HEALTHCHECK NONE');
    assert.deepEqual(places(runRule(rule, { files: { 'compose.yaml': compose, 'db/Dockerfile': none } })), ['compose.yaml:6:20']);
    const otherStage = lines('FROM postgres:16 AS checked', 'HEALTHCHECK CMD pg_isready', 'FROM postgres:16');
    const findings = runRule(rule, { files: { 'compose.yaml': compose, 'db/Dockerfile': otherStage } });
    assert.match(findings[0]!.message, /db\/Dockerfile has no HEALTHCHECK/);
  });

  it('does not guess: an image Shipshape cannot see is info; an image known to have a HEALTHCHECK is not reported', () => {
    const compose = lines(...api, '  db:', '    image: example.org/team/db:3', '  vault:', '    image: vaultwarden/server:1.32.0');
    const both = lines(...api, '      vault:', '        condition: service_healthy', '  db:', '    image: example.org/team/db:3', '  vault:', '    image: vaultwarden/server:1.32.0');
    const findings = runRule(rule, { files: { 'compose.yaml': compose } });
    assert.deepEqual(places(findings), ['compose.yaml:6:20']);
    assert.equal(findings[0]!.severity, 'info');
    assert.match(findings[0]!.message, /cannot see whether image "example\.org\/team\/db:3" declares one/);
    assert.deepEqual(places(runRule(rule, { files: { 'compose.yaml': both } })), ['compose.yaml:6:20']);
  });
});
