import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dockerfileHealth, dockerfileInstructions, editDistance } from '../../../../src/analyze/rules/validation/shared.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('validation/shared', () => {
  it('dockerfileInstructions joins continuation lines and drops comments', () => {
    assert.deepEqual(dockerfileInstructions(lines('# syntax=docker/dockerfile:1', 'FROM alpine:3.20', 'RUN apk add \\', '  # a comment inside', '    curl', '', 'CMD ["sh"]')), [
      'FROM alpine:3.20',
      'RUN apk add  curl',
      'CMD ["sh"]',
    ]);
  });

  it('dockerfileHealth follows the built stage and the stages it is built from', () => {
    const text = lines(
      'FROM --platform=$BUILDPLATFORM node:20 AS Base',
      'healthcheck --interval=5s CMD curl -f http://localhost/',
      'FROM base AS dev',
      'FROM node:20 AS prod',
      'FROM 0 AS from-index',
      'FROM prod AS quiet',
      'HEALTHCHECK NONE',
    );
    assert.equal(dockerfileHealth(text, 'dev').healthcheck, true);
    assert.equal(dockerfileHealth(text, 'DEV').healthcheck, true);
    assert.equal(dockerfileHealth(text, 'prod').healthcheck, false);
    assert.equal(dockerfileHealth(text, 'from-index').healthcheck, true);
    assert.equal(dockerfileHealth(text).healthcheck, false);
    assert.equal(dockerfileHealth(text, 'missing').healthcheck, false);
    assert.equal(dockerfileHealth('FROM a AS a\nFROM a AS b\n', 'b').healthcheck, false);
  });

  it('editDistance counts insertions, deletions and substitutions', () => {
    assert.equal(editDistance('databse', 'database'), 1);
    assert.equal(editDistance('redis', 'redis'), 0);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });
});
