import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DEFAULT_PACKAGE_LIMITS, type PackageLimits } from '../../src/agent/config.js';
import { HttpError } from '../../src/http/index.js';
import { detectFormat, unpackPackage } from '../../src/agent/package-extract.js';
import { makeTar, makeZip, type ArchiveEntry } from './helpers/archives.js';

const scratch = mkdtempSync(join(tmpdir(), 'shipshape-pkg-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let counter = 0;
/** Writes the archive, unpacks it into a new folder next to a "victim" folder, returns both. */
async function unpack(archive: Buffer, limits: Partial<PackageLimits> = {}) {
  const base = join(scratch, String(++counter));
  const victim = join(base, 'victim');
  const dest = join(base, 'stack');
  const file = join(base, 'upload.bin');
  await import('node:fs/promises').then((fs) => fs.mkdir(victim, { recursive: true }));
  writeFileSync(file, archive);
  const run = unpackPackage(file, dest, { ...DEFAULT_PACKAGE_LIMITS, ...limits });
  return { run, dest, victim, base };
}

async function refused(archive: Buffer, status: number, message: RegExp, limits: Partial<PackageLimits> = {}) {
  const { run, dest, victim, base } = await unpack(archive, limits);
  await assert.rejects(run, (err: unknown) => {
    assert.ok(err instanceof HttpError, `expected an HttpError, got ${String(err)}`);
    assert.equal(err.statusCode, status, err.message);
    assert.match(err.message, message);
    return true;
  });
  assert.equal(existsSync(dest), false, 'the half-unpacked folder is removed');
  assert.deepEqual(readdirSync(victim), [], 'nothing was written outside the package folder');
  assert.deepEqual(readdirSync(base).sort(), ['upload.bin', 'victim']);
}

const formats: [string, (entries: ArchiveEntry[]) => Promise<Buffer>][] = [
  ['zip', async (entries) => makeZip(entries)],
  ['tar.gz', (entries) => makeTar(entries)],
  ['tar', (entries) => makeTar(entries, { gzip: false })],
];

describe('unpackPackage', () => {
  for (const [format, make] of formats) {
    describe(format, () => {
      test('unpacks files, folders, executables and links that stay inside', async () => {
        const { run, dest } = await unpack(
          await make([
            { name: 'compose.yaml', data: 'services: {}\n' },
            { name: 'app', type: 'directory' },
            { name: 'app/run.sh', data: '#!/bin/sh\n', mode: 0o755 },
            { name: 'app/current', type: 'symlink', data: 'run.sh' },
            { name: 'top', type: 'symlink', data: 'app/../compose.yaml' },
          ]),
        );
        const result = await run;
        assert.equal(result.format, format);
        assert.equal(result.files, 2);
        assert.equal(result.links, 2);
        assert.equal(readFileSync(join(dest, 'compose.yaml'), 'utf8'), 'services: {}\n');
        assert.equal(statSync(join(dest, 'app/run.sh')).mode & 0o111, 0o111);
        assert.equal(readlinkSync(join(dest, 'app/current')), 'run.sh');
        assert.equal(readFileSync(join(dest, 'top'), 'utf8'), 'services: {}\n');
      });

      test('refuses a ../ entry (zip slip)', async () => {
        await refused(await make([{ name: 'ok.txt', data: 'x' }, { name: '../victim/pwned', data: 'x' }]), 422, /\.\.|relative path/);
      });

      test('refuses an absolute path', async () => {
        await refused(await make([{ name: `${scratch}/abs-pwned`, data: 'x' }]), 422, /absolute/);
        assert.equal(existsSync(join(scratch, 'abs-pwned')), false);
      });

      test('refuses a symlink out of the folder, and anything written through it', async () => {
        await refused(
          await make([
            { name: 'escape', type: 'symlink', data: '../victim' },
            { name: 'escape/pwned', data: 'x' },
          ]),
          422,
          /escape|outside|file and a folder|another entry/,
        );
        await refused(await make([{ name: 'escape', type: 'symlink', data: '../victim' }]), 422, /outside the package/);
      });

      test('refuses an absolute symlink', async () => {
        await refused(await make([{ name: 'etc', type: 'symlink', data: '/etc' }]), 422, /absolute/);
      });

      test('refuses a link that escapes only through another link', async () => {
        // lexically "sub/up/.." is sub/, inside; followed, up is the root and .. its parent.
        await refused(
          await make([
            { name: 'sub', type: 'directory' },
            { name: 'sub/up', type: 'symlink', data: '..' },
            { name: 'sneaky', type: 'symlink', data: 'sub/up/../victim' },
          ]),
          422,
          /sneaky points outside/,
        );
      });

      test('refuses more entries than the limit', async () => {
        const entries = Array.from({ length: 30 }, (_, i) => ({ name: `f${i}`, data: '' }));
        await refused(await make(entries), 413, /more than 20 entries/, { maxEntries: 20 });
      });

      test('refuses content past the unpacked size limit', async () => {
        await refused(await make([{ name: 'big', data: Buffer.alloc(64 * 1024, 1) }]), 413, /past the limit|more than the limit/, {
          maxExpandedBytes: 32 * 1024,
        });
      });
    });
  }

  test('refuses a zip bomb by its ratio', async () => {
    const zip = makeZip([{ name: 'zeros', data: Buffer.alloc(8 * 2 ** 20) }], { deflate: true });
    assert.ok(zip.length < 40 * 1024, `a well-compressed bomb (${zip.length} bytes)`);
    await refused(zip, 413, /times its size/);
  });

  test('refuses a tar.gz bomb by its ratio', async () => {
    const tgz = await makeTar([{ name: 'zeros', data: Buffer.alloc(8 * 2 ** 20) }]);
    await refused(tgz, 413, /times its size/);
  });

  test('refuses an archive larger than the archive limit before reading it', async () => {
    await refused(makeZip([{ name: 'a', data: Buffer.alloc(4096, 7) }]), 413, /archive is larger/, { maxArchiveBytes: 1024 });
  });

  test('refuses a zip that lies about its sizes', async () => {
    const zip = makeZip([{ name: 'liar', data: 'x'.repeat(100) }]);
    // Central directory says 10 bytes uncompressed; the data holds 100.
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE(10, central + 24);
    await refused(zip, 422, /could not be read/);
  });

  test('refuses devices and fifos', async () => {
    await refused(await makeTar([{ name: 'pipe', type: 'fifo' }]), 422, /fifo/);
  });

  test('refuses a hard link to something outside the package', async () => {
    await refused(await makeTar([{ name: 'passwd', type: 'link', data: '../../../etc/passwd' }]), 422, /\.\./);
    await refused(await makeTar([{ name: 'passwd', type: 'link', data: '/etc/passwd' }]), 422, /absolute/);
  });

  test('keeps a hard link to a file of the package', async () => {
    const { run, dest } = await unpack(await makeTar([{ name: 'a', data: 'A' }, { name: 'b', type: 'link', data: 'a' }]));
    await run;
    assert.equal(readFileSync(join(dest, 'b'), 'utf8'), 'A');
    assert.equal(lstatSync(join(dest, 'b')).isFile(), true);
  });

  test('refuses the same path twice rather than overwriting', async () => {
    await refused(await makeTar([{ name: 'a', data: '1' }, { name: 'a', data: '2' }]), 422, /twice/);
  });

  test('refuses what is not an archive', async () => {
    await refused(Buffer.from('just some text, not an archive at all'), 422, /not a tar, tar.gz or zip/);
  });

  test('detects formats by content', async () => {
    assert.equal(detectFormat(makeZip([])), 'zip');
    assert.equal(detectFormat(await makeTar([{ name: 'a', data: '' }])), 'tar.gz');
    assert.equal(detectFormat(await makeTar([{ name: 'a', data: '' }], { gzip: false })), 'tar');
    assert.equal(detectFormat(Buffer.from('PK')), undefined);
  });

  test('leaves nothing behind when dest already exists', async () => {
    const base = join(scratch, 'exists');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(base, 'stack'), { recursive: true }));
    writeFileSync(join(base, 'a.zip'), makeZip([{ name: 'a', data: 'x' }]));
    await assert.rejects(unpackPackage(join(base, 'a.zip'), join(base, 'stack'), DEFAULT_PACKAGE_LIMITS), /EEXIST/);
    assert.deepEqual(readdirSync(join(base, 'stack')), []);
  });
});
