import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import { tarStream, type TarEntry } from '../../src/docker/index.js';

const tar = (args: string[], input: Buffer) => spawnSync('tar', args, { input, encoding: 'utf8' });

describe('tarStream', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shipshape-tar-'));
  const onDisk = join(dir, 'big.bin');
  const big = Buffer.alloc(1500, 'x');
  writeFileSync(onDisk, big);
  const longName = `${'deep/'.repeat(40)}file.txt`;
  const longLink = `/${'target/'.repeat(20)}end`;
  const entries: TarEntry[] = [
    { name: 'app', type: 'directory', mode: 0o755 },
    { name: 'app/hello.txt', type: 'file', mode: 0o644, content: Buffer.from('hello\n') },
    { name: 'app/big.bin', type: 'file', mode: 0o600, content: { path: onDisk, size: big.length } },
    { name: 'app/link', type: 'symlink', mode: 0o777, linkname: 'hello.txt' },
    { name: longName, type: 'file', mode: 0o644, content: Buffer.from('far down\n') },
    { name: 'app/long-link', type: 'symlink', mode: 0o777, linkname: longLink },
    { name: `${'a'.repeat(120)}.txt`, type: 'file', mode: 0o644, content: Buffer.alloc(0) },
  ];

  it('writes an archive GNU tar lists entry by entry, long names included', async () => {
    const archive = await buffer(tarStream(entries));
    assert.equal(archive.length % 512, 0);
    const listed = tar(['-t'], archive);
    assert.equal(listed.status, 0, listed.stderr);
    assert.deepEqual(listed.stdout.trim().split('\n'), ['app/', 'app/hello.txt', 'app/big.bin', 'app/link', longName, 'app/long-link', `${'a'.repeat(120)}.txt`]);
    const verbose = tar(['-tv'], archive).stdout;
    assert.match(verbose, /app\/link -> hello\.txt/);
    assert.ok(verbose.includes(`app/long-link -> ${longLink}`));
    assert.match(verbose, /-rw------- .* 1500 .*app\/big\.bin/);
  });

  it('keeps file contents byte for byte', async () => {
    const archive = await buffer(tarStream(entries));
    assert.equal(tar(['-xO', 'app/hello.txt'], archive).stdout, 'hello\n');
    assert.equal(tar(['-xO', 'app/big.bin'], archive).stdout, big.toString());
    assert.equal(tar(['-xO', longName], archive).stdout, 'far down\n');
  });

  it('fails the stream when a file on disk is not the size it was listed with', async () => {
    const wrong: TarEntry[] = [{ name: 'x', type: 'file', mode: 0o644, content: { path: onDisk, size: 10 } }];
    await assert.rejects(buffer(tarStream(wrong)), /grew while it was being archived/);
  });
});
