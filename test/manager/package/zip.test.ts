import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readZip, writeZip, ZipError } from '../../../src/manager/index.js';
import { rawZip } from '../helpers.js';

const limits = { maxEntries: 100, maxExpandedBytes: 1_000_000 };

describe('zip packages', () => {
  it('reads back what it writes, stored and deflated, byte for byte the same each time', async () => {
    const entries = [
      { path: 'compose.yaml', data: Buffer.from('services:\n  a:\n    image: nginx\n'.repeat(50)) },
      { path: 'dir/sub/файл.txt', data: Buffer.from([0, 1, 2, 3]) },
      { path: 'empty', data: Buffer.alloc(0) },
    ];
    const zip = writeZip(entries);
    assert.deepEqual(await readZip(zip, limits), entries);
    assert.deepEqual(writeZip(entries), zip);
  });

  it('writes archives other tools read, and reads theirs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipshape-zip-'));
    const ours = join(dir, 'ours.zip');
    writeFileSync(ours, writeZip([{ path: 'compose.yaml', data: Buffer.from('hello') }, { path: 'a/b.txt', data: Buffer.from('x'.repeat(1000)) }]));
    const script = [
      'import sys, zipfile',
      'z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None',
      'print(",".join(f"{i.filename}:{len(z.read(i))}" for i in z.infolist()))',
      'w = zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED); w.writestr("x/y.txt", "python" * 100); w.writestr("dir/", ""); w.close()',
    ].join('\n');
    const python = spawnSync('python3', ['-c', script, ours, join(dir, 'theirs.zip')], { encoding: 'utf8' });
    assert.equal(python.status, 0, python.stderr);
    assert.equal(python.stdout.trim(), 'compose.yaml:5,a/b.txt:1000');
    const theirs = await readZip(readFileSync(join(dir, 'theirs.zip')), limits);
    assert.deepEqual(await readZip(join(dir, 'theirs.zip'), limits), theirs);
    assert.deepEqual(theirs.map((e) => [e.path, e.data.toString()]), [['x/y.txt', 'python'.repeat(100)]]);
  });

  const refuses = (zip: Buffer, pattern: RegExp, l: Parameters<typeof readZip>[1] = limits) =>
    assert.rejects(readZip(zip, l), (err: unknown) => err instanceof ZipError && pattern.test(err.message));

  it('refuses paths that leave the folder', async () => {
    await refuses(rawZip([{ name: '../evil', data: Buffer.from('x') }]), /"\.\." is not allowed/);
    await refuses(rawZip([{ name: 'a/../../evil', data: Buffer.from('x') }]), /"\.\." is not allowed/);
    await refuses(rawZip([{ name: '/etc/passwd', data: Buffer.from('x') }]), /absolute/);
    await refuses(rawZip([{ name: 'C:/windows', data: Buffer.from('x') }]), /absolute/);
    await refuses(rawZip([{ name: 'a\\..\\evil', data: Buffer.from('x') }]), /backslashes/);
  });

  it('refuses links, encrypted entries, odd compression and duplicates', async () => {
    await refuses(rawZip([{ name: 'link', data: Buffer.from('/etc/passwd'), mode: 0o120777 }]), /symbolic links/);
    await refuses(rawZip([{ name: 'secret', data: Buffer.from('x'), flags: 1 }]), /encrypted/);
    await refuses(rawZip([{ name: 'bz', data: Buffer.from('x'), method: 12 }]), /compression method 12/);
    await refuses(rawZip([{ name: 'a', data: Buffer.from('1') }, { name: './a', data: Buffer.from('2') }]), /twice/);
  });

  it('stops size bombs before and while inflating', async () => {
    const bomb = Buffer.alloc(5_000_000);
    await refuses(rawZip([{ name: 'big', data: bomb }]), /unpacks to more than 1000000 bytes/);
    // The header lies about the size: inflating stops at the declared size.
    await refuses(rawZip([{ name: 'liar', data: bomb, declaredSize: 100 }]), /liar/, { maxEntries: 10, maxExpandedBytes: 10_000_000 });
    await refuses(rawZip(Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, data: Buffer.from('x') }))), /5 entries/, { maxEntries: 4, maxExpandedBytes: 100 });
  });

  it('refuses damaged archives with a message, not an exception from deep inside', async () => {
    const zip = writeZip([{ path: 'compose.yaml', data: Buffer.from('x'.repeat(500)) }]);
    await refuses(Buffer.from('not a zip'), /not a ZIP archive/);
    await refuses(zip.subarray(0, zip.length - 30), /not a ZIP archive|truncated|damaged|outside/);
    const corrupt = Buffer.from(zip);
    corrupt[45] = corrupt[45]! ^ 0xff;
    await refuses(corrupt, /compose\.yaml/);
  });
});
