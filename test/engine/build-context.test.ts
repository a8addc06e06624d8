import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { buffer } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import { buildContext, parseDockerignore } from '../../src/engine/index.js';
import { writeTree } from '../helpers/tmp.js';

const list = async (stream: NodeJS.ReadableStream) =>
  spawnSync('tar', ['-t'], { input: await buffer(stream), encoding: 'utf8' }).stdout.trim().split('\n').sort();

describe('parseDockerignore', () => {
  const rules = parseDockerignore('# comment\nnode_modules\n*.log\n!keep.log\n/build/\n**/secret.txt\ndocs/*.md\n');

  it('excludes by pattern, whole directories, and lets the last matching line win', () => {
    assert.equal(rules.excludes('node_modules', true), true);
    assert.equal(rules.excludes('node_modules/x/index.js', false), true);
    assert.equal(rules.excludes('app.log', false), true);
    assert.equal(rules.excludes('keep.log', false), false);
    assert.equal(rules.excludes('sub/app.log', false), false, '* does not cross /');
    assert.equal(rules.excludes('build/out.js', false), true);
    assert.equal(rules.excludes('a/b/secret.txt', false), true);
    assert.equal(rules.excludes('secret.txt', false), true);
    assert.equal(rules.excludes('docs/readme.md', false), true);
    assert.equal(rules.excludes('docs/sub/readme.md', false), false);
    assert.equal(rules.excludes('src/main.ts', false), false);
    assert.equal(rules.hasExceptions, true);
  });
});

describe('buildContext', () => {
  it('archives the context without what .dockerignore excludes, keeping the Dockerfile', async () => {
    const dir = writeTree({
      Dockerfile: 'FROM scratch\n',
      '.dockerignore': 'Dockerfile\n**/*.log\nnode_modules\n',
      'app/main.sh': 'echo hi\n',
      'app/debug.log': 'x',
      'node_modules/m/index.js': 'x',
    });
    const context = buildContext(dir, 'Dockerfile');
    assert.equal(context.dockerfile, 'Dockerfile');
    assert.deepEqual(await list(context.stream), ['.dockerignore', 'Dockerfile', 'app/', 'app/main.sh']);
  });

  it('puts an inline Dockerfile or one outside the context into the archive', async () => {
    const dir = writeTree({ 'ctx/a.txt': 'a', 'elsewhere/Dockerfile.prod': 'FROM scratch\n' });
    const inline = buildContext(`${dir}/ctx`, undefined, 'FROM scratch\nCOPY a.txt /\n');
    assert.equal(inline.dockerfile, '.shipshape.Dockerfile');
    assert.deepEqual(await list(inline.stream), ['.shipshape.Dockerfile', 'a.txt']);
    const outside = buildContext(`${dir}/ctx`, `${dir}/elsewhere/Dockerfile.prod`);
    assert.equal(outside.dockerfile, '.shipshape.Dockerfile');
    assert.deepEqual(await list(outside.stream), ['.shipshape.Dockerfile', 'a.txt']);
  });
});
