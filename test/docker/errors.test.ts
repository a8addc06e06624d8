import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DockerApiError,
  DockerConflictError,
  DockerError,
  DockerNotFoundError,
  DockerUnavailableError,
} from '../../src/docker/index.js';
import { toDockerError } from '../../src/docker/errors.js';

/** What docker-modem rejects with for an error status. */
function modemError(statusCode: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) unexpected - ${message} `), { statusCode, json: { message } });
}

describe('toDockerError', () => {
  it('maps statuses to typed errors with the engine’s own message', () => {
    const notFound = toDockerError(modemError(404, 'No such container: x'), 'inspect container x', 'unix:///s');
    assert.ok(notFound instanceof DockerNotFoundError);
    assert.equal(notFound.message, 'inspect container x: No such container: x');
    assert.equal((notFound as DockerApiError).status, 404);
    const conflict = toDockerError(modemError(409, 'name already in use'), 'create container x', 'unix:///s');
    assert.ok(conflict instanceof DockerConflictError);
    const other = toDockerError(modemError(500, 'boom'), 'start container x', 'unix:///s');
    assert.ok(other instanceof DockerApiError && !(other instanceof DockerNotFoundError));
    assert.equal((other as DockerApiError).status, 500);
  });

  it('reads the engine message from a Buffer body and strips docker-modem’s prefix otherwise', () => {
    const fromBuffer = toDockerError(Object.assign(new Error('x'), { statusCode: 400, json: Buffer.from('bad thing\n') }), 'op', 'e');
    assert.equal(fromBuffer.message, 'op: bad thing');
    const noBody = toDockerError(Object.assign(new Error('(HTTP code 502) unexpected - gateway down '), { statusCode: 502 }), 'op', 'e');
    assert.equal(noBody.message, 'op: gateway down');
  });

  it('calls socket errors an unavailable engine and says what to check', () => {
    for (const [code, hint] of [
      ['ENOENT', /no such socket/],
      ['ECONNREFUSED', /connection refused/],
      ['EACCES', /permission denied/],
    ] as const) {
      const err = toDockerError(Object.assign(new Error(`connect ${code}`), { code }), 'ping the Docker engine', 'unix:///var/run/docker.sock');
      assert.ok(err instanceof DockerUnavailableError, code);
      assert.match(err.message, /^cannot reach the Docker engine at unix:\/\/\/var\/run\/docker.sock/);
      assert.match(err.message, hint);
    }
  });

  it('wraps anything else as a DockerError and passes DockerErrors through', () => {
    const plain = toDockerError(new Error('weird'), 'op', 'e');
    assert.ok(plain instanceof DockerError);
    assert.equal(plain.message, 'op: weird');
    assert.equal(toDockerError(plain, 'other', 'e'), plain);
  });
});
