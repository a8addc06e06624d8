import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/dockerfile/dockerfile-curl-pipe-shell.js';
import { places, runRule } from '../../harness.js';

const compose = 'services:\n  app:\n    build: .\n';

describe('dockerfile-curl-pipe-shell', () => {
  it('valid: downloads saved, checked and then run; piping into tools that do not execute it', () => {
    const dockerfile =
      'FROM debian:12-slim\n' +
      'RUN curl -fsSLo /tmp/i.sh https://x/i.sh && echo "abc  /tmp/i.sh" | sha256sum -c - && sh /tmp/i.sh\n' +
      'RUN curl -fsSL https://x/tool.tar.gz | tar -xz -C /usr/local/bin\n' +
      'RUN curl -s https://api.github.com/repos/a/b/releases/latest | python3 -c "import sys, json; print(json.load(sys.stdin))"\n' +
      'RUN wget -qO- https://x/key.asc | gpg --dearmor > /usr/share/keyrings/x.gpg\n' +
      'RUN echo "curl https://x | sh" > /README\n' +
      'RUN bash -c \'V=$(curl -s https://x/version) && echo $V\'\n';
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': compose, Dockerfile: dockerfile } }), []);
  });

  it('invalid: curl | sh, wget -O- | sudo bash, sh -c "$(curl …)", heredoc and exec forms', () => {
    const findings = runRule(rule, {
      files: {
        'compose.yaml': compose,
        Dockerfile:
          'FROM debian:12-slim AS build\n' +
          'RUN curl -sSf https://sh.rustup.rs | sh -s -- -y\n' +
          'RUN set -e; wget -O- https://x/install | sudo -E bash -\n' +
          'RUN sh -c "$(curl -fsSL https://raw.githubusercontent.com/ohmyzsh/ohmyzsh/master/tools/install.sh)"\n' +
          'RUN <<EOF\napt-get update\ncurl -fsSL https://deb.nodesource.com/setup_20.x | bash -\nEOF\n' +
          'RUN ["/bin/sh", "-c", "curl -L https://x | python3 -"]\n' +
          'FROM debian:12-slim\n',
      },
    });
    assert.deepEqual(places(findings), ['Dockerfile:2:1', 'Dockerfile:3:1', 'Dockerfile:4:1', 'Dockerfile:5:1', 'Dockerfile:9:1']);
    assert.deepEqual(new Set(findings.map((f) => `${f.service} ${f.severity}`)), new Set(['app high']));
    assert.deepEqual(
      findings.map((f) => f.message.replace('Dockerfile: RUN pipes a script downloaded with ', '')),
      ['curl into sh, unverified', 'wget into bash, unverified', 'curl into sh, unverified', 'curl into bash, unverified', 'curl into python3, unverified'],
    );
  });
});
