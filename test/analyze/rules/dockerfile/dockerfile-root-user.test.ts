import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/dockerfile/dockerfile-root-user.js';
import { places, runRule } from '../../harness.js';

const compose = (service = 'build: .') => `services:\n  app:\n    ${service}\n`;

describe('dockerfile-root-user', () => {
  it('valid: a non-root USER in the final stage, also inherited from an earlier stage', () => {
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': compose(), Dockerfile: 'FROM node:20\nUSER root\nRUN make\nUSER node\n' } }), []);
    assert.deepEqual(
      runRule(rule, { files: { 'compose.yaml': compose(), Dockerfile: 'FROM node:20 AS base\nUSER 1000:1000\nFROM base\nCMD ["node"]\n' } }),
      [],
    );
  });

  it('valid: the service sets a non-root user, or the base image is a known non-root one', () => {
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': 'services:\n  app:\n    build: .\n    user: "1000"\n', Dockerfile: 'FROM node:20\n' } }), []);
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': compose(), Dockerfile: 'FROM golang:1.22 AS b\nFROM gcr.io/distroless/static-debian12:nonroot\n' } }), []);
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': compose(), Dockerfile: 'FROM nginxinc/nginx-unprivileged:1.27\n' } }), []);
  });

  it('valid: no Dockerfile to read (image only, or a missing file) gives nothing', () => {
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': 'services:\n  a: {image: x:1}\n  b: {build: ./nothing}\n' } }), []);
  });

  it('invalid: no USER at all, reported at the FROM of the final stage', () => {
    const findings = runRule(rule, { files: { 'compose.yaml': compose(), Dockerfile: 'FROM golang:1.22 AS build\nUSER nobody\nRUN go build\n\nFROM debian:12-slim\nCOPY --from=build /out /app\n' } });
    assert.deepEqual(places(findings), ['Dockerfile:5:1']);
    assert.deepEqual(findings.map((f) => [f.service, f.severity, f.rule]), [['app', 'medium', 'dockerfile-root-user']]);
    assert.equal(findings[0]?.message, 'Dockerfile: the final stage never sets USER, so service "app" runs as root');
  });

  it('invalid: the last USER is root or 0, reported at that USER, once for two services', () => {
    const findings = runRule(rule, {
      files: {
        'compose.yaml': 'services:\n  a:\n    build: ./svc\n  b:\n    build:\n      context: svc\n',
        'svc/Dockerfile': 'FROM python:3.12\nUSER app\n  USER 0:0\n',
      },
    });
    assert.deepEqual(places(findings), ['svc/Dockerfile:3:3']);
    assert.equal(findings[0]?.service, 'a');
    assert.match(findings[0]?.message ?? '', /ends with USER 0:0/);
  });

  it('invalid: the build target decides the final stage; a service with a root user still counts', () => {
    const findings = runRule(rule, {
      files: {
        'compose.yaml': 'services:\n  dev:\n    build: {context: ., target: dev}\n  prod:\n    build: {context: ., dockerfile: Dockerfile}\n    user: root\n',
        Dockerfile: 'FROM node:20 AS dev\nRUN npm i\nFROM node:20-slim AS prod\nUSER node\nFROM prod AS debug\nUSER root\n',
      },
    });
    assert.deepEqual(places(findings), ['Dockerfile:1:1', 'Dockerfile:6:1']);
    assert.deepEqual(findings.map((f) => f.service), ['dev', 'prod']);
  });
});
