import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  baseImage,
  effectiveUser,
  finalStage,
  hasHealthcheck,
  installedPackages,
  installsPackage,
  keyValues,
  parseDockerfile,
  pipelines,
  programWords,
  runScript,
  stageChain,
  type Instruction,
} from '../../../src/analyze/dockerfile/index.js';

const last = <T>(items: T[]): T => items[items.length - 1] as T;
const instruction = (text: string): Instruction => last(parseDockerfile(`FROM x:1\n${text}`).instructions);

describe('Dockerfile queries', () => {
  const multi = parseDockerfile(
    'ARG VERSION=20\nFROM node:${VERSION}-alpine AS base\nUSER node\nHEALTHCHECK CMD ["wget", "-qO-", "localhost"]\n' +
      'FROM base AS dev\nHEALTHCHECK NONE\nFROM base AS prod\nRUN echo\nFROM scratch AS bare\n',
  );
  const [base, dev, prod, bare] = multi.stages;

  it('finalStage: the target stage (case-insensitive) or the last one; undefined for an unknown target', () => {
    assert.equal(finalStage(multi), bare);
    assert.equal(finalStage(multi, 'PROD'), prod);
    assert.equal(finalStage(multi, 'nope'), undefined);
    assert.equal(finalStage(parseDockerfile('')), undefined);
  });

  it('stageChain and effectiveUser follow FROM <earlier stage>', () => {
    assert.deepEqual(stageChain(prod!).map((s) => s.name), ['base', 'prod']);
    assert.deepEqual(effectiveUser(prod!), { user: 'node', instruction: base!.instructions[0] });
    assert.equal(effectiveUser(bare!), null);
    const switched = parseDockerfile('FROM a:1\nUSER app\nRUN x\nUSER root:root\n').stages[0]!;
    assert.equal(effectiveUser(switched)?.user, 'root:root');
    assert.equal(effectiveUser(switched)?.instruction.line, 4);
  });

  it('baseImage substitutes global ARGs (build args win) and says when it cannot', () => {
    assert.deepEqual(
      { ...baseImage(prod!), from: baseImage(prod!).from.line },
      { image: 'node:20-alpine', resolved: true, from: 2 },
    );
    assert.equal(baseImage(prod!, { VERSION: '22' }).image, 'node:22-alpine');
    assert.equal(baseImage(prod!, { VERSION: null }).image, 'node:20-alpine');
    const args = parseDockerfile('ARG REGISTRY\nARG IMAGE=${REGISTRY:-docker.io}/library/python\nFROM $IMAGE:3.12\nFROM ${UNDECLARED}app\nFROM ${REGISTRY}/x\n');
    assert.deepEqual(baseImage(args.stages[0]!).image, 'docker.io/library/python:3.12');
    assert.equal(baseImage(args.stages[0]!).resolved, true);
    assert.equal(baseImage(args.stages[1]!).resolved, false);
    assert.equal(baseImage(args.stages[2]!).resolved, false);
    assert.deepEqual(baseImage(args.stages[2]!, { REGISTRY: 'ghcr.io' }), { image: 'ghcr.io/x', resolved: true, from: args.stages[2]!.from });
  });

  it('hasHealthcheck: inherited, and HEALTHCHECK NONE turns it off', () => {
    assert.deepEqual([base, dev, prod, bare].map((s) => hasHealthcheck(s!)), [true, false, true, false]);
  });

  it('installedPackages reads apt-get, apt, apk, dnf, microdnf, yum and pip installs, pins removed', () => {
    assert.deepEqual(
      installedPackages(instruction('RUN apt-get update && DEBIAN_FRONTEND=noninteractive sudo apt-get -o Dpkg::Use-Pty=0 install -y --no-install-recommends curl=7.88.1-10 ca-certificates')),
      ['curl', 'ca-certificates'],
    );
    assert.deepEqual(installedPackages(instruction('RUN apk add --no-cache wget~=1.21 bash; pip3 install --no-cache-dir requests==2.31 "uvicorn[standard]"')), ['wget', 'bash', 'requests', 'uvicorn']);
    assert.deepEqual(installedPackages(instruction('RUN microdnf install -y curl-minimal && yum install -y jq && python3 -m pip install httpie')), ['curl-minimal', 'jq', 'httpie']);
    assert.deepEqual(installedPackages(instruction('RUN curl -fsSL https://x/install.sh -o /tmp/i.sh && apt-get remove curl')), []);
    assert.deepEqual(installedPackages(instruction('RUN ["apt-get", "install", "-y", "wget"]')), ['wget']);
  });

  it('installsPackage also counts a copied binary, and only in the stages given', () => {
    const parsed = parseDockerfile('FROM alpine:3 AS tools\nRUN apk add curl\nFROM gcr.io/distroless/static\nCOPY --from=busybox:1.36 /bin/wget /usr/bin/wget\n');
    const [tools, final] = parsed.stages;
    assert.equal(installsPackage([tools!], 'curl'), true);
    assert.equal(installsPackage([final!], 'curl'), false);
    assert.equal(installsPackage([final!], 'wget'), true);
    assert.equal(installsPackage(stageChain(final!), 'WGET'), true);
  });

  it('runScript: shell form, heredocs read by a shell, sh -c in exec form', () => {
    assert.equal(runScript(instruction('RUN make && make install')), 'make && make install');
    assert.equal(runScript(instruction('RUN <<EOF\napt-get update\nEOF\n')), '\napt-get update');
    assert.equal(runScript(instruction('RUN <<EOT bash -e\nset -x\nEOT\n')), ' bash -e\nset -x');
    assert.equal(runScript(instruction('RUN python3 <<EOF\nimport os\nEOF\n')), 'python3 ');
    assert.equal(runScript(instruction('RUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n')), '');
    assert.equal(runScript(instruction('RUN ["/bin/bash", "-ec", "curl x | sh"]')), 'curl x | sh');
    assert.equal(runScript(instruction(`RUN ["echo", "a | b", "it's"]`)), `'echo' 'a | b' 'it'\\''s'`);
  });

  it('pipelines split lists and pipes, keep quoted and substituted text in words, drop comments', () => {
    assert.deepEqual(pipelines('a x | b "y | z" && c $(d | e) || f; g & h # i | j\nk 2>&1 | l'), [
      [['a', 'x'], ['b', 'y | z']],
      [['c', '$(d | e)']],
      [['f']],
      [['g']],
      [['h']],
      [['k', '2>&1'], ['l']],
    ]);
    assert.deepEqual(pipelines("echo 'a;b' \\\n  c"), [[['echo', 'a;b', 'c']]]);
    assert.deepEqual(programWords(['X=1', 'sudo', '-u', 'root', '-E', 'env', 'Y=2', '/usr/bin/apt-get', 'install']), ['apt-get', 'install']);
  });

  it('keyValues reads ENV (both forms), ARG and LABEL', () => {
    assert.deepEqual(keyValues(instruction('ENV A=1 B="two words" C=')), [
      { key: 'A', value: '1' },
      { key: 'B', value: 'two words' },
      { key: 'C', value: '' },
    ]);
    assert.deepEqual(keyValues(instruction('ENV GREETING hello  "big" world')), [{ key: 'GREETING', value: 'hello big world' }]);
    assert.deepEqual(keyValues(instruction('ARG A B=2')), [{ key: 'A', value: null }, { key: 'B', value: '2' }]);
    assert.deepEqual(keyValues(instruction('LABEL org.opencontainers.image.title="My app"')), [{ key: 'org.opencontainers.image.title', value: 'My app' }]);
  });
});
