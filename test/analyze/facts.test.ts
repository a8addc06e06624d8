import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { factsOf, imageOf, knownImage } from '../../src/analyze/facts/index.js';
import { RULES } from '../../src/analyze/index.js';
import { dockerfilesOf } from '../../src/analyze/rules/dockerfile/index.js';
import { contextOf } from './project-context.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('facts', () => {
  it('a HEALTHCHECK follows the built stage and the stages it starts from; NONE disables it', () => {
    const dockerfile = lines(
      'FROM --platform=$BUILDPLATFORM node:20 AS Base',
      'healthcheck --interval=5s CMD curl -f http://localhost/',
      'FROM base AS dev',
      'FROM node:20 AS prod',
      'FROM prod AS quiet',
      'HEALTHCHECK NONE',
    );
    const service = (target: string) => `  ${target}:\n    build: {context: ., target: ${target}}\n`;
    const ctx = contextOf({ 'compose.yaml': `services:\n${['dev', 'prod', 'quiet'].map(service).join('')}`, Dockerfile: dockerfile });
    assert.equal(imageOf(ctx, 'dev')?.healthcheck, true);
    assert.equal(imageOf(ctx, 'quiet')?.healthcheck, false);
    // node is in the table of known images, without a HEALTHCHECK.
    assert.equal(imageOf(ctx, 'prod')?.healthcheck, false);
  });

  it('knows an image only from the documented table or a Dockerfile it reads; anything else is unknown', () => {
    assert.deepEqual(knownImage('postgres:16'), { user: 'root', dropsTo: 'postgres', healthcheck: false, tools: { sh: true, bash: true, curl: false, wget: false } });
    assert.equal(knownImage('docker.io/library/nginx:1.27')?.user, 'root');
    assert.equal(knownImage('grafana/grafana:11.2.0')?.user, 'grafana');
    assert.equal(knownImage('lscr.io/linuxserver/plex:latest')?.dropsTo, 'abc');
    assert.equal(knownImage('example.org/team/app:1'), undefined);
    const ctx = contextOf({
      'compose.yaml': lines('services:', '  app:', '    image: example.org/team/app:1', '  api:', '    build: ./api', '  gone:', '    build: ./missing'),
      'api/Dockerfile': lines('FROM example.org/base:2', 'USER 10001', 'HEALTHCHECK CMD ["/app", "health"]'),
    });
    const app = imageOf(ctx, 'app');
    assert.ok(app && app.user === undefined && app.healthcheck === undefined);
    const api = imageOf(ctx, 'api');
    assert.deepEqual(api?.user, { name: '10001', root: false, from: 'USER', line: 2 });
    assert.equal(api?.healthcheck, true);
    assert.equal(imageOf(ctx, 'gone'), undefined);
  });

  it('reads each Dockerfile once per environment, however many services build it and rules ask', () => {
    const dockerfile = lines('FROM alpine:3.20', 'USER app');
    const ctx = contextOf({
      'compose.yaml': lines('services:', '  a:', '    build: .', '  b:', '    build: .', '  c:', '    build: {context: ., target: ""}'),
      Dockerfile: dockerfile,
    });
    for (const rule of RULES) rule.check(ctx);
    const facts = factsOf(ctx);
    assert.equal(factsOf(ctx), facts, 'computed once');
    assert.equal(facts.dockerfiles.uses.length, 1);
    const use = facts.dockerfiles.uses[0]!;
    assert.deepEqual(use.services, ['a', 'b', 'c']);
    // Every reader (the Dockerfile rules, the image facts) holds the same parse.
    assert.equal(dockerfilesOf(ctx)[0], use);
    for (const name of ['a', 'b', 'c']) assert.ok(use.parsed.stages.includes(imageOf(ctx, name)!.built!.stage), name);
  });

  it('honours an entrypoint that drops root: gosu in the compose command, or in the script the Dockerfile copies', () => {
    const ctx = contextOf({
      'compose.yaml': lines('services:', '  a:', '    image: debian:12', '    command: [gosu, app, server]', '  b:', '    build: ./b', '  c:', '    build: ./c'),
      'b/Dockerfile': lines('FROM debian:12', 'COPY start.sh /start.sh', 'ENTRYPOINT ["/start.sh"]'),
      'b/start.sh': lines('#!/bin/sh', 'exec su-exec app "$@"'),
      'c/Dockerfile': lines('FROM debian:12', 'CMD ["server"]'),
    });
    assert.equal(imageOf(ctx, 'a')?.dropsPrivileges, true);
    assert.equal(imageOf(ctx, 'b')?.dropsPrivileges, true);
    assert.equal(imageOf(ctx, 'c')?.dropsPrivileges, false);
  });
});
