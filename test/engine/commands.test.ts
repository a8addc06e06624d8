import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkServiceNames, combinedStatus, EngineError, parseVolume, UnknownServiceError } from '../../src/engine/index.js';
import { load } from './helpers.js';

describe('engine command helpers', () => {
  it('sums container states as compose ls does', () => {
    assert.equal(combinedStatus(['running', 'running']), 'running(2)');
    assert.equal(combinedStatus(['running', 'exited', 'running', 'paused']), 'exited(1), paused(1), running(2)');
    assert.equal(combinedStatus([]), '');
  });

  it('names an unknown service and lists the known ones, profiled ones included', () => {
    const { project } = load('services:\n  web: {image: a}\n  tools: {image: b, profiles: [debug]}\n');
    assert.doesNotThrow(() => checkServiceNames(project, ['web', 'tools']));
    assert.throws(
      () => checkServiceNames(project, ['web', 'nope', 'db']),
      (err: unknown) =>
        err instanceof UnknownServiceError && err.message === 'no such service: "nope", "db" (the project has: tools, web)' && err.unknown.length === 2,
    );
  });

  it('reads run -v as a bind (relative to the project), or a declared volume, and refuses the rest', () => {
    const { project, dir } = load('services:\n  web: {image: a}\nvolumes:\n  data: {}\n');
    assert.deepEqual(parseVolume(project, './out:/out'), { type: 'bind', source: `${dir}/out`, target: '/out', bind: { create_host_path: true } });
    assert.deepEqual(parseVolume(project, '/srv:/srv:ro'), { type: 'bind', source: '/srv', target: '/srv', bind: { create_host_path: true }, read_only: true });
    assert.deepEqual(parseVolume(project, 'data:/var/lib/data'), { type: 'volume', source: 'data', target: '/var/lib/data' });
    for (const [spec, message] of [
      ['nope:/x', /volume "nope" is not declared/],
      ['/a', /is not SOURCE:TARGET/],
      ['/a:relative', /target must be an absolute path/],
      ['/a:/b:rx', /the mode must be ro or rw/],
    ] as const) {
      assert.throws(() => parseVolume(project, spec), (err: unknown) => err instanceof EngineError && message.test(err.message));
    }
  });
});
