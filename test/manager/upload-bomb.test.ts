import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { createDeflateRaw, crc32 } from 'node:zlib';
import { ADMIN, composeZip, multipart, rawZip } from './helpers.js';

const ZEROS_BYTES = 700 * 2 ** 20;
const MIB = 2 ** 20;

/** 700 MB of zeros deflated as a stream: the test never holds them, only the < 1 MB they pack to. */
async function zerosZip(): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 9 });
  const chunks: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise((resolve, reject) => deflate.on('end', resolve).on('error', reject));
  const zeros = Buffer.alloc(MIB);
  let crc = 0;
  for (let written = 0; written < ZEROS_BYTES; written += MIB) {
    crc = crc32(zeros, crc);
    if (!deflate.write(zeros)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  const body = Buffer.concat(chunks);
  return rawZip([
    { name: 'compose.yaml', data: Buffer.from('services:\n  web:\n    image: nginx:1.27-alpine\n') },
    { name: 'data/zeros.bin', data: body, deflated: { crc }, declaredSize: ZEROS_BYTES },
  ]);
}

/** The manager in a process of its own, so that its memory can be measured alone. */
const CHILD = `
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const { buildManager, managerConfig } = await import(process.argv[1]);
const dir = mkdtempSync(join(tmpdir(), 'shipshape-bomb-'));
const config = managerConfig({ databaseUrl: 'sqlite:' + join(dir, 'm.db'), adminEmail: process.argv[2], adminPassword: process.argv[3] });
const manager = await buildManager({ config, logger: false, monitor: false });
await manager.app.listen({ host: '127.0.0.1', port: 0 });
console.log(JSON.stringify({ port: manager.app.server.address().port }));
process.stdin.on('end', async () => { await manager.app.close(); process.exit(0); });
process.stdin.resume();
`;

function status(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(match, `no ${field} for ${pid}`);
  return Number(match[1]) * 1024;
}

describe('a zip bomb at the manager', () => {
  let child: ChildProcess;
  let base: string;
  let key: string;

  before(async () => {
    child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, new URL('../../src/manager/index.js', import.meta.url).href, ADMIN.email, ADMIN.password], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const firstLine = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the manager did not start within 60 s')), 60_000);
      createInterface({ input: child.stdout! }).once('line', (line) => {
        clearTimeout(timer);
        resolve(line);
      });
      child.once('exit', (code) => reject(new Error(`the manager exited with ${code}`)));
    });
    base = `http://127.0.0.1:${(JSON.parse(firstLine) as { port: number }).port}`;
    const login = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    assert.equal(login.status, 200);
    key = ((await login.json()) as { admin_key: string }).admin_key;
  });
  after(async () => {
    child.stdin?.end();
    await new Promise((resolve) => child.once('exit', resolve));
  });

  const launch = async (zip: Buffer) => {
    const form = multipart('file', 'package.zip', zip);
    const response = await fetch(`${base}/containers/launch?user_id=u`, {
      method: 'POST',
      headers: { 'x-admin-key': key, 'content-type': form.contentType },
      body: form.body,
    });
    return { status: response.status, body: (await response.json()) as { detail: string } };
  };

  it('refuses ~700 MB of zeros packed in under 1 MB, with the manager growing by less than 50 MiB', async (t) => {
    const bomb = await zerosZip();
    assert.ok(bomb.length < MIB, `the bomb is ${bomb.length} bytes`);
    // A package that loads the analyzer first, so that what is measured is the bomb alone.
    const ordinary = await launch(composeZip());
    assert.equal(ordinary.status, 503, JSON.stringify(ordinary.body));
    const pid = child.pid!;
    // Resets the peak (VmHWM) to the present size.
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    const baseline = status(pid, 'VmRSS');
    const refused = await launch(bomb);
    const growth = status(pid, 'VmHWM') - baseline;
    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    assert.match(refused.body.detail, /unpacks to more than/);
    t.diagnostic(`zip bomb: ${bomb.length} bytes packed, ${ZEROS_BYTES} declared; manager peak RSS growth ${(growth / MIB).toFixed(1)} MiB`);
    assert.ok(growth < 50 * MIB, `the manager grew by ${(growth / MIB).toFixed(1)} MiB`);
  });
});
