import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRule } from '../../../../src/analyze/rules/create-rule.js';
import { builtImages, dockerfilesOf, type DockerfileUse } from '../../../../src/analyze/rules/dockerfile/shared.js';
import { runRule } from '../../harness.js';

/** Runs `dockerfilesOf` (twice, to see the cache) inside a rule, on a throwaway project. */
function uses(files: Record<string, string>): { first: DockerfileUse[]; again: DockerfileUse[]; images: string[][] } {
  let first: DockerfileUse[] = [];
  let again: DockerfileUse[] = [];
  let images: string[][] = [];
  const probe = createRule({
    id: 'probe',
    severity: 'info',
    category: 'dockerfile',
    docs: { summary: '', why: '', fix: '', example: '' },
    check: (ctx) => {
      first = dockerfilesOf(ctx);
      again = dockerfilesOf(ctx);
      images = first.flatMap((use) => builtImages(ctx, use).map((i) => [i.stage.name ?? `#${i.stage.index}`, ...i.services]));
      return [];
    },
  });
  runRule(probe, { files });
  return { first, again, images };
}

describe('dockerfilesOf', () => {
  it('reads each existing Dockerfile once, with the services that build it, in file order', () => {
    const { first, again, images } = uses({
      'compose.yaml':
        'services:\n  a: {build: ./app}\n  b: {build: {context: app, dockerfile: Dockerfile, target: dev}}\n' +
        '  c: {build: {context: app, dockerfile: other.Dockerfile}}\n  d: {build: ./missing}\n' +
        '  e: {build: "https://github.com/docker/buildx.git"}\n  f: {image: "x:1"}\n  g: {build: {context: app, dockerfile_inline: "FROM x"}}\n',
      'app/Dockerfile': 'FROM node:20 AS dev\nFROM node:20-slim\n',
      'app/other.Dockerfile': 'FROM alpine:3.20\n',
    });
    assert.deepEqual(
      first.map((u) => [u.path.replace(/^.*\/app\//, 'app/'), u.context.replace(/^.*\//, ''), u.services, u.parsed.stages.length]),
      [
        ['app/Dockerfile', 'app', ['a', 'b'], 2],
        ['app/other.Dockerfile', 'app', ['c'], 1],
      ],
    );
    assert.equal(again, first);
    assert.deepEqual(images, [['#1', 'a'], ['dev', 'b'], ['#0', 'c']]);
  });
});
