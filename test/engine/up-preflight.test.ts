import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createDockerClient } from '../../src/docker/index.js';
import { EngineError, UnsupportedConfigError, up } from '../../src/engine/index.js';
import { load } from './helpers.js';

// No engine at this address: everything here must fail before the engine is asked anything.
const nowhere = createDockerClient({ host: 'unix:///nonexistent/shipshape-preflight.sock' });

describe('up before it touches the engine', () => {
  it('reports unsupported keys and untranslatable values together, at their file:line', async () => {
    const { project, positionOf, dir } = load('services:\n  web:\n    image: x\n    mem_limit: lots\n    attach: false\n');
    await assert.rejects(up(project, { docker: nowhere, positionOf }), (err: unknown) => {
      assert.ok(err instanceof UnsupportedConfigError);
      const file = join(dir, 'compose.yaml');
      assert.deepEqual(err.message.split('\n'), [
        `${file}:5:13: "attach" is not supported by shipshape up (services.web.attach): attached shipshape up prints the output of every service; leave it out, or follow one service with shipshape logs SERVICE`,
        `${file}:4:16: "lots" is not a memory size`,
      ]);
      return true;
    });
  });

  it('refuses a dependency cycle as bad input, at the dependency that closes it', async () => {
    const { project, positionOf, dir } = load('services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [a]}\n');
    await assert.rejects(up(project, { docker: nowhere, positionOf }), (err: unknown) => {
      assert.ok(err instanceof UnsupportedConfigError);
      assert.equal(err.message, `${join(dir, 'compose.yaml')}:3:30: services depend on each other in a cycle: a → b → a; remove one of these dependencies`);
      return true;
    });
  });

  it('names the engine it could not reach, and has created nothing to roll back', async () => {
    const { project } = load('services:\n  web: {image: x}\n');
    await assert.rejects(up(project, { docker: nowhere }), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.match(err.message, /^cannot reach the Docker engine at unix:\/\/\/nonexistent\/shipshape-preflight\.sock \(no such socket/);
      assert.doesNotMatch(err.message, /rolled back/);
      return true;
    });
  });
});
