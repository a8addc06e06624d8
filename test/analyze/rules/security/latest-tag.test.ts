import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/latest-tag.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('latest-tag', () => {
  it('valid: version tags, digests, OS release names, and images built locally', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  a: {image: nginx:1.27-alpine}',
        '  b: {image: postgres:16}',
        '  c: {image: "traefik:v3.1"}',
        '  d: {image: "nginx@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a"}',
        '  e: {image: debian:bookworm-slim}',
        '  f: {image: "registry.example.com:5000/team/app:2.4.1"}',
        '  g: {image: app:latest, build: .}',
      ),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: no tag, latest and other floating tags, at the image', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  web:',
        '    image: nginx',
        '  db:',
        '    image: postgres:latest',
        '  node:',
        '    image: node:lts-alpine',
        '  cache:',
        '    image: redis:alpine',
        '  app:',
        '    image: registry.example.com:5000/app',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:3:12', 'compose.yaml:5:12', 'compose.yaml:7:12', 'compose.yaml:9:12', 'compose.yaml:11:12']);
    assert.deepEqual(findings.map((f) => f.message), [
      'service "web" uses image "nginx" without a tag: it pulls "latest", whatever that is on the day',
      'service "db" uses image "postgres:latest" with a floating tag: "latest" is the moving latest tag',
      'service "node" uses image "node:lts-alpine" with a floating tag: "lts-alpine" names no version and moves whenever upstream publishes',
      'service "cache" uses image "redis:alpine" with a floating tag: "alpine" names no version and moves whenever upstream publishes',
      'service "app" uses image "registry.example.com:5000/app" without a tag: it pulls "latest", whatever that is on the day',
    ]);
    assert.equal(findings[2]!.fix, 'pin a version tag instead of "lts-alpine" (e.g. "node:<version>-alpine"), or a digest');
    assert.ok(findings.every((f) => f.severity === 'medium'));
  });
});
