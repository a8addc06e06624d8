import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/dockerfile/dockerfile-latest-base.js';
import { places, runRule } from '../../harness.js';

const compose = 'services:\n  app:\n    build: .\n';

describe('dockerfile-latest-base', () => {
  it('valid: versioned tags, digests, scratch, earlier stages and ARGs with pinned defaults', () => {
    const dockerfile =
      'ARG NODE=20.11\nFROM node:${NODE}-alpine AS deps\nFROM deps AS build\nFROM scratch\nFROM python@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nFROM registry.local:5000/team/app:1.2\n';
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': compose, Dockerfile: dockerfile } }), []);
  });

  it('valid: an ARG without a default is only known at build time and is not judged', () => {
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': compose, Dockerfile: 'ARG BASE\nFROM ${BASE}\n' } }), []);
  });

  it('invalid: no tag, latest, and floating tags such as lts-alpine, at each FROM', () => {
    const findings = runRule(rule, {
      files: { 'compose.yaml': compose, Dockerfile: 'FROM golang AS build\nFROM registry.local:5000/base:latest\nFROM node:lts-alpine\n' },
    });
    assert.deepEqual(places(findings), ['Dockerfile:1:1', 'Dockerfile:2:1', 'Dockerfile:3:1']);
    assert.deepEqual(findings.map((f) => [f.service, f.severity]), [['app', 'medium'], ['app', 'medium'], ['app', 'medium']]);
    assert.equal(findings[0]?.message, 'Dockerfile: FROM golang has no tag: every build of service "app" may start from a different image');
    assert.equal(findings[1]?.fix, 'pin the base image to a version, e.g. FROM registry.local:5000/base:<version>, or to a digest (registry.local:5000/base@sha256:…)');
    assert.match(findings[2]?.message ?? '', /floating tag "lts-alpine"/);
  });

  it('invalid: ARG defaults are followed, and a service build arg can make the image float', () => {
    const files = {
      'compose.yaml': 'services:\n  pinned:\n    build: .\n  floating:\n    build:\n      context: .\n      args:\n        TAG: latest\n',
      Dockerfile: '# syntax=docker/dockerfile:1\nARG TAG=3.12\nFROM python:${TAG}\n',
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['Dockerfile:3:1']);
    assert.equal(findings[0]?.service, 'floating');
    assert.deepEqual(places(runRule(rule, { files: { 'compose.yaml': compose, Dockerfile: 'ARG IMAGE=nginx\nFROM $IMAGE\n' } })), ['Dockerfile:2:1']);
  });
});
