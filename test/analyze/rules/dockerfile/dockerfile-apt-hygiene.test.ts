import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/dockerfile/dockerfile-apt-hygiene.js';
import { places, runRule } from '../../harness.js';

const compose = 'services:\n  app:\n    build: .\n';

describe('dockerfile-apt-hygiene', () => {
  it('valid: update, install --no-install-recommends and clean in one RUN (shell, heredoc, cache mount)', () => {
    const dockerfile =
      'FROM debian:12-slim\n' +
      'RUN apt-get update \\\n  && apt-get install -y --no-install-recommends curl \\\n  && rm -rf /var/lib/apt/lists/*\n' +
      'RUN <<EOF\nset -e\napt-get update\napt-get install -y --no-install-recommends git\nrm -rf /var/lib/apt/lists/*\nEOF\n' +
      'RUN --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get -o APT::Install-Recommends=false install -y jq\n';
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': compose, Dockerfile: dockerfile } }), []);
  });

  it('valid: recommends turned off in apt.conf by an earlier RUN', () => {
    const dockerfile =
      "FROM debian:12-slim\nRUN echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/99norecommends\n" +
      'RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n';
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': compose, Dockerfile: dockerfile } }), []);
  });

  it('valid: size problems in a builder stage whose layers do not ship', () => {
    const dockerfile = 'FROM debian:12 AS build\nRUN apt-get update && apt-get install -y build-essential\nFROM debian:12-slim\nCOPY --from=build /out /app\n';
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': compose, Dockerfile: dockerfile } }), []);
  });

  it('invalid: install without --no-install-recommends and without cleaning the lists', () => {
    const findings = runRule(rule, { files: { 'compose.yaml': compose, Dockerfile: 'FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y curl\n' } });
    assert.deepEqual(places(findings), ['Dockerfile:2:1']);
    assert.deepEqual(findings.map((f) => [f.service, f.severity]), [['app', 'medium']]);
    assert.equal(
      findings[0]?.message,
      'Dockerfile: RUN apt-get update && apt-get install -y curl installs without --no-install-recommends, keeps /var/lib/apt/lists in the layer',
    );
    assert.equal(findings[0]?.fix, 'add --no-install-recommends to apt-get install; end the same RUN with && rm -rf /var/lib/apt/lists/*');
  });

  it('invalid: apt-get upgrade, and apt-get update in a RUN of its own (also in a builder stage)', () => {
    const findings = runRule(rule, {
      files: {
        'compose.yaml': compose,
        Dockerfile:
          'FROM debian:12 AS build\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends gcc\n' +
          'FROM debian:12-slim\nRUN apt-get update && apt-get dist-upgrade -y && rm -rf /var/lib/apt/lists/*\n',
      },
    });
    assert.deepEqual(places(findings), ['Dockerfile:2:1', 'Dockerfile:5:1']);
    assert.match(findings[0]?.message ?? '', /runs apt-get update in a RUN of its own/);
    assert.match(findings[1]?.message ?? '', /runs apt-get dist-upgrade$/);
    assert.equal(findings[1]?.fix, 'drop apt-get dist-upgrade and use a newer base image');
  });

  it('invalid: a heredoc script run by bash is read like a shell-form RUN', () => {
    const findings = runRule(rule, {
      files: { 'compose.yaml': compose, Dockerfile: 'FROM rust:1.79\nRUN <<EOT bash\n  set -ex\n  apt-get update\n  apt-get install -y \\\n    git clang\nEOT\n' },
    });
    assert.deepEqual(places(findings), ['Dockerfile:2:1']);
  });
});
