import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/dockerfile/dockerfile-shell-form.js';
import { places, runRule } from '../../harness.js';

const compose = 'services:\n  app:\n    build: .\n';

describe('dockerfile-shell-form', () => {
  it('valid: exec form, `exec` in shell form, overridden earlier instructions and builder stages', () => {
    const dockerfile =
      'FROM maven:3.9 AS build\nCMD mvn spring-boot:run\nFROM eclipse-temurin:21-jre AS base\nENTRYPOINT java -jar /app.jar\nCMD start\n' +
      'FROM base\nENTRYPOINT ["java", "-jar", "/app.jar"]\nCMD exec java -version\n';
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': compose, Dockerfile: dockerfile } }), []);
  });

  it('valid: the compose service replaces the CMD, or the ENTRYPOINT (which also drops the CMD)', () => {
    const dockerfile = 'FROM node:20\nENTRYPOINT node\nCMD node server.js\n';
    const files = { 'compose.yaml': 'services:\n  app:\n    build: .\n    entrypoint: ["node"]\n', Dockerfile: dockerfile };
    assert.deepEqual(runRule(rule, { files }), []);
    const cmdOnly = { 'compose.yaml': 'services:\n  app:\n    build: .\n    command: node server.js\n', Dockerfile: 'FROM node:20\nCMD node server.js\n' };
    assert.deepEqual(runRule(rule, { files: cmdOnly }), []);
  });

  it('invalid: shell-form CMD of the final image, inherited from an earlier stage, with the exec form to use', () => {
    const findings = runRule(rule, {
      files: { 'compose.yaml': compose, Dockerfile: 'FROM eclipse-temurin:21-jre AS base\nCMD java -jar /app.jar\nFROM base\nRUN true\n' },
    });
    assert.deepEqual(places(findings), ['Dockerfile:2:1']);
    assert.deepEqual(findings.map((f) => [f.service, f.severity]), [['app', 'medium']]);
    assert.equal(
      findings[0]?.message,
      'Dockerfile: CMD of service "app" is in shell form: /bin/sh is PID 1 and does not forward SIGTERM, so stopping the container kills the application after the timeout',
    );
    assert.equal(findings[0]?.fix, 'use the exec form: CMD ["java", "-jar", "/app.jar"]');
  });

  it('invalid: shell-form ENTRYPOINT and CMD, the fix keeping a shell when the command needs one', () => {
    const findings = runRule(rule, {
      files: { 'compose.yaml': compose, Dockerfile: 'FROM node:20\nENTRYPOINT ./docker-entrypoint.sh\nCMD node server.js > /var/log/app.log\n' },
    });
    assert.deepEqual(places(findings), ['Dockerfile:2:1', 'Dockerfile:3:1']);
    assert.equal(findings[0]?.fix, 'use the exec form: ENTRYPOINT ["./docker-entrypoint.sh"]');
    assert.equal(findings[1]?.fix, 'use the exec form: CMD ["/bin/sh", "-c", "exec node server.js > /var/log/app.log"]');
  });
});
