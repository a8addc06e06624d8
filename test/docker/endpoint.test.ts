import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpointFromDockerHost, describeEndpoint, DEFAULT_SOCKET } from '../../src/docker/index.js';

describe('endpointFromDockerHost', () => {
  it('defaults to the local socket', () => {
    assert.deepEqual(endpointFromDockerHost(undefined), { kind: 'unix', socketPath: DEFAULT_SOCKET });
    assert.deepEqual(endpointFromDockerHost(''), { kind: 'unix', socketPath: DEFAULT_SOCKET });
  });

  it('reads unix:// and tcp:// addresses', () => {
    assert.deepEqual(endpointFromDockerHost('unix:///run/user/1000/docker.sock'), { kind: 'unix', socketPath: '/run/user/1000/docker.sock' });
    assert.deepEqual(endpointFromDockerHost('tcp://127.0.0.1:2375'), { kind: 'tcp', host: '127.0.0.1', port: 2375 });
    assert.deepEqual(endpointFromDockerHost('tcp://[::1]:2376'), { kind: 'tcp', host: '::1', port: 2376 });
    assert.deepEqual(endpointFromDockerHost('tcp://localhost'), { kind: 'tcp', host: 'localhost', port: 2375 });
    assert.equal(describeEndpoint({ kind: 'tcp', host: '127.0.0.1', port: 2375 }), 'tcp://127.0.0.1:2375');
  });

  it('refuses what it cannot reach rather than guessing', () => {
    assert.match((endpointFromDockerHost('ssh://me@host') as { error: string }).error, /only unix:\/\/ and tcp:\/\//);
    assert.match((endpointFromDockerHost('not a url') as { error: string }).error, /is not an address/);
  });
});
