import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/dockerfile/dockerfile-missing-healthcheck.js';
import { places, runRule } from '../../harness.js';

describe('dockerfile-missing-healthcheck', () => {
  it('valid: a HEALTHCHECK in the final image (also inherited), or one on the service, or disabled on purpose', () => {
    const inherited = 'FROM node:20 AS base\nHEALTHCHECK CMD ["node", "healthcheck.js"]\nFROM base\n';
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': 'services:\n  app:\n    build: .\n', Dockerfile: inherited } }), []);
    const service = 'services:\n  app:\n    build: .\n    healthcheck:\n      test: ["CMD", "wget", "-qO-", "http://localhost:3000/"]\n  worker:\n    build: .\n    healthcheck:\n      disable: true\n';
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': service, Dockerfile: 'FROM node:20\n' } }), []);
  });

  it('invalid: no HEALTHCHECK and none on the service, at the final FROM, named after the first service without one', () => {
    const findings = runRule(rule, {
      files: {
        'compose.yaml': 'services:\n  checked:\n    build: .\n    healthcheck:\n      test: ["CMD", "true"]\n  web:\n    build: .\n  web2:\n    build: .\n',
        Dockerfile: 'FROM node:20 AS build\nHEALTHCHECK CMD true\nFROM nginx:1.27-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\n',
      },
    });
    assert.deepEqual(places(findings), ['Dockerfile:3:1']);
    assert.deepEqual(findings.map((f) => [f.service, f.severity]), [['web', 'medium']]);
    assert.equal(findings[0]?.message, 'Dockerfile: the image of service "web" has no HEALTHCHECK and the service defines no healthcheck');
  });

  it('invalid: HEALTHCHECK NONE turns off an inherited check and is reported where it is written', () => {
    const findings = runRule(rule, {
      files: { 'compose.yaml': 'services:\n  app:\n    build: .\n', Dockerfile: 'FROM node:20 AS base\nHEALTHCHECK CMD true\nFROM base\nHEALTHCHECK NONE\n' },
    });
    assert.deepEqual(places(findings), ['Dockerfile:4:1']);
    assert.match(findings[0]?.message ?? '', /HEALTHCHECK NONE disables/);
  });

  it('does not guess the base image: its known HEALTHCHECK is inherited (valid), an unknown base is info at 1:1', () => {
    const files = {
      'compose.yaml': 'services:\n  vault:\n    build: ./vault\n  app:\n    build: ./app\n',
      'vault/Dockerfile': 'FROM vaultwarden/server:1.32.0\nCOPY config.json /data/\n',
      'app/Dockerfile': 'FROM example.org/base:2\nCOPY . /app\n',
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['app/Dockerfile:1:1']);
    assert.equal(findings[0]!.severity, 'info');
    assert.match(findings[0]!.message, /cannot see whether the base image example\.org\/base:2 has one/);
  });
});
