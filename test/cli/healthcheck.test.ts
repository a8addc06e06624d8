import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CLI = join(process.cwd(), 'bin', 'shipshape.js');

async function healthcheck(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, 'healthcheck', ...args], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** `shipshape healthcheck` (docs/deploy.md, "The image"): a container's health check without a shell. */
describe('shipshape healthcheck', () => {
  let server: http.Server;
  let port = 0;
  before(async () => {
    server = http.createServer((request, response) => {
      response.statusCode = request.url === '/health' ? 200 : 503;
      response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('exits 0 when /health answers 200, and 1 when it answers otherwise or nothing listens', async () => {
    const healthy = await healthcheck(`http://127.0.0.1:${port}/health`);
    assert.equal(healthy.code, 0, healthy.stderr);
    const unavailable = await healthcheck(`http://127.0.0.1:${port}/other`);
    assert.equal(unavailable.code, 1);
    assert.match(unavailable.stderr, /answered 503/);
    const closed = await new Promise<number>((resolve) => {
      const probe = http.createServer().listen(0, '127.0.0.1', () => {
        const free = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(free));
      });
    });
    const nothing = await healthcheck(`http://127.0.0.1:${closed}/health`);
    assert.equal(nothing.code, 1);
    assert.match(nothing.stderr, /ECONNREFUSED/);
  });

  it('asks only this machine', async () => {
    const remote = await healthcheck('http://example.com/health');
    assert.equal(remote.code, 2);
    assert.match(remote.stderr, /must name this machine/);
    assert.equal((await healthcheck('file:///etc/passwd')).code, 2);
  });
});
