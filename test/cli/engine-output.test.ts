import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logPrinter } from '../../src/cli/log-printer.js';
import { createProgressRenderer } from '../../src/cli/progress-renderer.js';
import { table } from '../../src/cli/ps-command.js';
import type { ContainerStatus, ProgressEvent } from '../../src/engine/index.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, out: { isTTY, columns: 80, write: (t: string) => chunks.push(t) } };
}

const create = (name: string, status: ProgressEvent['status']): ProgressEvent => ({ kind: 'container', name, service: 'web', action: 'create', status });

describe('progress renderer', () => {
  it('prints one plain line per change when not on a terminal', () => {
    const { chunks, out } = sink(false);
    const r = createProgressRenderer(out, { title: 'Running' });
    r.onProgress({ kind: 'network', name: 'demo_default', action: 'create', status: 'working' });
    r.onProgress({ kind: 'network', name: 'demo_default', action: 'create', status: 'done' });
    r.onProgress({ kind: 'image', name: 'demo-api', service: 'api', action: 'build', status: 'working', detail: 'Step 1/3' });
    r.onProgress({ kind: 'container', name: 'demo-db-1', service: 'db', action: 'wait-healthy', status: 'error', detail: 'unhealthy' });
    r.done();
    assert.deepEqual(chunks, [
      'Network demo_default  Creating\n',
      'Network demo_default  Created\n',
      'Container demo-db-1  Error: unhealthy\n',
    ]);
  });

  it('redraws one line per resource in place on a terminal', () => {
    const { chunks, out } = sink(true);
    const r = createProgressRenderer(out, { title: 'Running', color: false });
    r.onProgress(create('demo-web-1', 'working'));
    r.onProgress(create('demo-db-1', 'working'));
    r.onProgress(create('demo-web-1', 'done'));
    r.done();
    r.done();
    assert.equal(chunks.length, 1, 'drawn once when done, not once per event');
    const lines = chunks[0]!.replace(/\x1b\[2K/g, '').split('\n');
    assert.equal(lines[0], '[+] Running 1/2');
    assert.match(lines[1]!, /^ ✔ Container demo-web-1 {2}Created +\d+\.\ds$/);
    assert.match(lines[2]!, /^ ⠙ Container demo-db-1 {3}Creating +\d+\.\ds$/);
    r.onProgress(create('demo-db-1', 'done'));
  });
});

describe('logPrinter', () => {
  it('pads prefixes to the longest and colours them only when asked', () => {
    const out: string[] = [];
    const print = logPrinter({ write: (t: string) => out.push(t) }, ['web-1', 'worker-12'], false);
    print({ prefix: 'web-1', line: 'GET /' });
    print({ prefix: 'worker-12', line: 'tick' });
    assert.deepEqual(out, ['web-1      | GET /\n', 'worker-12  | tick\n']);
    const colored: string[] = [];
    logPrinter({ write: (t: string) => colored.push(t) }, [], true)({ prefix: 'a', line: 'x' });
    assert.deepEqual(colored, ['\x1b[36ma  |\x1b[0m x\n']);
  });
});

describe('ps table', () => {
  it('lines the columns up as docker compose ps does', () => {
    const now = 1_700_000_100_000;
    const container = (name: string, service: string, publishers: ContainerStatus['publishers']): ContainerStatus => ({
      id: name,
      name,
      project: 'demo',
      service,
      number: 1,
      image: 'app:1',
      command: 'httpd -f -p 80 -h /www',
      created: 1_700_000_000,
      state: 'running',
      status: 'Up 2 minutes',
      health: '',
      exitCode: undefined,
      publishers,
    });
    assert.equal(
      table([container('demo-db-1', 'db', []), container('demo-web-1', 'web', [{ url: '127.0.0.1', publishedPort: 8080, targetPort: 80, protocol: 'tcp' }])], now),
      [
        'NAME         IMAGE   COMMAND                  SERVICE   CREATED         STATUS         PORTS',
        'demo-db-1    app:1   "httpd -f -p 80 -h /…"   db        2 minutes ago   Up 2 minutes',
        'demo-web-1   app:1   "httpd -f -p 80 -h /…"   web       2 minutes ago   Up 2 minutes   127.0.0.1:8080->80/tcp',
        '',
      ].join('\n'),
    );
  });
});
