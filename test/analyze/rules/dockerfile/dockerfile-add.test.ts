import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/dockerfile/dockerfile-add.js';
import { places, runRule } from '../../harness.js';

const compose = 'services:\n  app:\n    build: .\n';

describe('dockerfile-add', () => {
  it('valid: COPY, ADD of a URL, a git repository, a local archive, or a variable', () => {
    const dockerfile =
      'FROM alpine:3.20\nCOPY app.py /app/\nADD https://example.com/tool.tgz /opt/\nADD --checksum=sha256:abc https://example.com/x /x\n' +
      'ADD git@github.com:moby/buildkit.git /src\nADD rootfs.tar.xz /\nADD vendor.tgz /vendor/\nADD ${SOURCE} /src\n';
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': compose, Dockerfile: dockerfile } }), []);
  });

  it('invalid: ADD of local files, shell and exec form, with the COPY to write instead', () => {
    const findings = runRule(rule, {
      files: { 'compose.yaml': compose, Dockerfile: 'FROM nginx:1.27\nADD nginx.conf /etc/nginx/nginx.conf\n  add --chown=nginx ["site one", "/srv/"]\n' },
    });
    assert.deepEqual(places(findings), ['Dockerfile:2:1', 'Dockerfile:3:3']);
    assert.deepEqual(findings.map((f) => [f.service, f.severity]), [['app', 'medium'], ['app', 'medium']]);
    assert.equal(findings[0]?.message, 'Dockerfile: ADD nginx.conf /etc/nginx/nginx.conf copies local files with ADD, which also fetches URLs and unpacks archives');
    assert.equal(findings[0]?.fix, 'use COPY instead: COPY nginx.conf /etc/nginx/nginx.conf');
  });

  it('invalid: a mix of a local file and a URL is still reported only when every source is local', () => {
    const findings = runRule(rule, { files: { 'compose.yaml': compose, Dockerfile: 'FROM alpine:3.20\nADD a.txt https://x/y /dst/\nADD a.txt b.txt /dst/\n' } });
    assert.deepEqual(places(findings), ['Dockerfile:3:1']);
  });
});
