import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/validation/missing-build-context.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('missing-build-context', () => {
  it('valid: an existing context, a git URL, an image-only service', () => {
    const files = {
      'compose.yaml': lines('services:', '  api:', '    build: ./api', '  remote:', '    build: https://github.com/docker/welcome.git#main', '  db:', '    image: postgres:16'),
      'api/Dockerfile': 'FROM alpine:3.20\n',
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: the context directory is missing (short and long syntax)', () => {
    const files = { 'compose.yaml': lines('services:', '  api:', '    build: ./services/api', '  web:', '    build:', '      context: ./web', '      dockerfile: Dockerfile') };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:3:12', 'compose.yaml:6:16']);
    assert.equal(findings[0]!.message, 'service "api" builds from ./services/api, which does not exist');
    assert.equal(findings[0]!.severity, 'critical');
    assert.match(findings[0]!.fix!, /correct build.context/);
  });

  it('invalid: the context is a file', () => {
    const files = { 'compose.yaml': lines('services:', '  api:', '    build: ./Dockerfile'), Dockerfile: 'FROM alpine:3.20\n' };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:3:12']);
    assert.match(findings[0]!.message, /is a file, not a directory/);
  });
});
