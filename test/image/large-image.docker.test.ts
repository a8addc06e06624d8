import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createDockerClient, tarStream, type TarEntry } from '../../src/docker/index.js';
import { writeTree } from '../helpers/tmp.js';

const LARGE_IMAGE = 'shipshape-test/sbom:large';
const GIB = 2 ** 30;
const imageModule = fileURLToPath(new URL('../../src/image/index.js', import.meta.url));
const dockerModule = fileURLToPath(new URL('../../src/docker/index.js', import.meta.url));

/**
 * A 1 GiB image read end to end in a process of its own: its peak memory above what it held
 * before reading shows what the image costs, whatever the rest of the test run is doing.
 */
describe('a 1 GiB image', () => {
  const docker = createDockerClient();
  let dir: string;
  before(async () => {
    dir = writeTree({});
    // Sparse: a gibibyte that costs no disk until the engine stores it.
    const big = join(dir, 'big.bin');
    closeSync(openSync(big, 'w'));
    const fd = openSync(big, 'r+');
    ftruncateSync(fd, GIB);
    closeSync(fd);
    const entries: TarEntry[] = [
      { name: 'etc', type: 'directory', mode: 0o755 },
      { name: 'etc/os-release', type: 'file', mode: 0o644, content: Buffer.from('ID=debian\nVERSION_ID="12"\n') },
      { name: 'data', type: 'directory', mode: 0o755 },
      { name: 'data/big.bin', type: 'file', mode: 0o644, content: { path: big, size: GIB } },
      ...Array.from({ length: 2000 }, (_, i): TarEntry => ({ name: `data/f${i}.txt`, type: 'file', mode: 0o644, content: Buffer.from(`line ${i}\n`.repeat(50)) })),
    ];
    await docker.images.import(tarStream(entries), { repo: 'shipshape-test/sbom', tag: 'large' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is read as a stream: peak memory grows by less than 100 MiB', () => {
    const script = `
      const { imageSbom } = await import(${JSON.stringify(imageModule)});
      const { createDockerClient } = await import(${JSON.stringify(dockerModule)});
      globalThis.gc?.();
      const before = process.memoryUsage().rss;
      const started = Date.now();
      const sbom = await imageSbom(createDockerClient(), ${JSON.stringify(LARGE_IMAGE)});
      const peak = process.resourceUsage().maxRSS * 1024;
      console.log(JSON.stringify({ growth: peak - before, seconds: (Date.now() - started) / 1000, os: sbom.os?.id, layers: sbom.layers.length }));
    `;
    const result = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 600_000 });
    assert.equal(result.status, 0, result.stderr);
    const measured = JSON.parse(result.stdout.trim().split('\n').pop()!) as { growth: number; seconds: number; os: string; layers: number };
    console.log(`1 GiB image: read in ${measured.seconds} s, peak memory growth ${(measured.growth / 2 ** 20).toFixed(1)} MiB`);
    assert.equal(measured.os, 'debian');
    assert.equal(measured.layers, 1);
    assert.ok(measured.growth < 100 * 2 ** 20, `grew by ${(measured.growth / 2 ** 20).toFixed(1)} MiB`);
  });
});
