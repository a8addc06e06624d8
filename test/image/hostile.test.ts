import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { IMAGE_RULES, imageReport, render } from '../../src/analyze/index.js';
import { tarStream, type TarEntry } from '../../src/docker/index.js';
import { tarDir as dir, tarFile as file } from '../helpers/test-image.js';
import { AdvisoryDatabaseError, AdvisoryIndex, inventoryImage, loadAdvisories, parseAdvisory, readImageArchive, renderCycloneDx, renderSbomTable, renderSpdx, scanSbom, type ImageSbom } from '../../src/image/index.js';
import { readRpmSqlite } from '../../src/image/catalog/rpm.js';
import { writeZip } from '../../src/manager/package/index.js';
import { GITHUB_TOKEN } from './fixtures.js';

/**
 * Images built by someone hostile (docs/security.md, "Images and advisories"), fed to the reader
 * as `docker save` archives assembled here. Each attack below made the reader hang, blow up or
 * report wrongly before its fix.
 */

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function layer(entries: Iterable<TarEntry>): Promise<Buffer> {
  return collect(tarStream(entries));
}

/** A `docker save` archive of layers (tar or gzip bytes), bottom first, its manifest last unless told. */
function archive(layers: Buffer[], options: { manifestFirst?: boolean } = {}): Readable {
  const names = layers.map((_, i) => `blobs/sha256/layer${i}`);
  const manifest = file('manifest.json', JSON.stringify([{ Config: 'config.json', RepoTags: ['hostile:latest'], Layers: names }]));
  const blobs = layers.map((data, i) => file(names[i]!, data));
  const config = file('config.json', JSON.stringify({ config: { Env: ['PATH=/bin'] } }));
  return tarStream(options.manifestFirst ? [manifest, config, ...blobs] : [config, ...blobs, manifest]);
}

const OS_RELEASE = file('etc/os-release', 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12"\n');
const DPKG = file('var/lib/dpkg/status', 'Package: openssl\nStatus: install ok installed\nVersion: 3.0.11-1\n');

function sbomOf(inventory: Awaited<ReturnType<typeof inventoryImage>>, name: string): ImageSbom {
  return { image: { name, id: 'sha256:0123456789abcdef0123' }, createdAt: new Date(0).toISOString(), os: inventory.os, packages: inventory.packages, secrets: inventory.secrets, layers: inventory.layers, skipped: inventory.skipped };
}

describe('hostile images: what later layers put in place', () => {
  for (const [what, replacement] of [
    ['a folder', [dir('var/lib/dpkg/status')]],
    ['a link', [{ name: 'var/lib/dpkg/status', type: 'symlink', mode: 0o777, linkname: '/dev/null' } as TarEntry]],
    ['a file where its folder was', [file('var/lib/dpkg', 'not a folder')]],
  ] as const) {
    it(`drops the packages of a database that a later layer replaced by ${what}`, async () => {
      const inventory = await inventoryImage(archive([await layer([OS_RELEASE, DPKG]), await layer(replacement)]));
      assert.deepEqual(inventory.packages.map((p) => p.name), []);
    });
  }

  it('still lists the packages when the later layer only adds beside them, and when the manifest comes first', async () => {
    for (const manifestFirst of [false, true]) {
      const inventory = await inventoryImage(archive([await layer([OS_RELEASE, DPKG]), await layer([dir('var/lib/dpkg/info')])], { manifestFirst }));
      assert.deepEqual(inventory.packages.map((p) => `${p.ecosystem} ${p.name}`), ['Debian:12 openssl']);
    }
  });

  it('reports a secret whose file a later layer replaced by a folder as removed, never in clear', async () => {
    const inventory = await inventoryImage(archive([await layer([file('root/notes.txt', `token ${GITHUB_TOKEN}\n`)]), await layer([dir('root/notes.txt')])]));
    assert.equal(inventory.secrets.length, 1);
    assert.equal(inventory.secrets[0]!.removed, true);
    assert.ok(!JSON.stringify(inventory).includes(GITHUB_TOKEN));
  });

  it('checks many whiteouts against many found files in linear time', async () => {
    const files = Array.from({ length: 20_000 }, (_, i) => file(`app/node_modules/p${i}/package.json`, '{}'));
    const whiteouts = Array.from({ length: 200_000 }, (_, i) => file(`gone/.wh.f${i}`, ''));
    const image = archive([gzipSync(await layer(files)), gzipSync(await layer(whiteouts))]);
    const started = Date.now();
    const inventory = await inventoryImage(image);
    // Quadratic before (4·10⁹ path comparisons: minutes); linear now, seconds even on a loaded machine.
    assert.ok(Date.now() - started < 60_000, `took ${Date.now() - started} ms`);
    assert.equal(inventory.layers.length, 2);
  });

  it('refuses an archive that floods it with JSON blobs, which are kept until the manifest comes', async () => {
    const blob = Buffer.from(JSON.stringify('x'.repeat(7 * 2 ** 20)));
    const blobs = Array.from({ length: 8 }, (_, i) => file(`blobs/sha256/json${i}`, blob));
    const source = tarStream([...blobs, file('manifest.json', JSON.stringify([{ Layers: [] }]))]);
    await assert.rejects(readImageArchive(source, async () => {}), /more than 33554432 bytes of JSON/);
  });

  it('ignores whiteouts that name `.` or `..` instead of deleting the folder above', async () => {
    const inventory = await inventoryImage(archive([await layer([OS_RELEASE, DPKG]), await layer([file('var/lib/dpkg/status.d/.wh...', ''), file('var/lib/dpkg/.wh..', '')])]));
    assert.deepEqual(inventory.packages.map((p) => p.name), ['openssl']);
  });
});

describe('hostile images: compression and ZIP bombs', () => {
  it('refuses a gzip layer that inflates past its bound instead of inflating gigabytes', async () => {
    // A tar header for a 2 GiB file of zeros, the zeros as 32 gzip members of 64 MiB each (2 MiB sent).
    const iterator = tarStream([{ name: 'zeros', type: 'file', mode: 0o644, content: { path: '/dev/null', size: 2 ** 31 } }])[Symbol.asyncIterator]();
    const header = (await iterator.next()).value as Buffer;
    await iterator.return?.();
    const member = gzipSync(Buffer.alloc(64 * 2 ** 20));
    const bomb = Buffer.concat([gzipSync(header.subarray(0, 512)), ...Array.from({ length: 32 }, () => member), gzipSync(Buffer.alloc(1024))]);
    await assert.rejects(readImageArchive(archive([bomb]), async () => {}), /compression bomb/);
  });

  it('stops inflating a jar whose nested jars inflate past the bound of one archive', async () => {
    const zeros = Buffer.alloc(60 * 2 ** 20);
    const jar = writeZip([
      ...Array.from({ length: 20 }, (_, i) => ({ path: `BOOT-INF/lib/zeros${i}.jar`, data: zeros })),
      { path: 'META-INF/maven/com.example/app/pom.properties', data: Buffer.from('groupId=com.example\nartifactId=app\nversion=1.0\n') },
    ]);
    const inventory = await inventoryImage(archive([await layer([file('app/app.jar', jar)])]));
    assert.match(inventory.skipped.find((s) => s.path === 'app/app.jar')?.reason ?? '', /more than 268435456 bytes/);
  });

  it('stops inflating jars once the image\'s archives together passed the bound of one image', async () => {
    const jar = writeZip(Array.from({ length: 4 }, (_, i) => ({ path: `lib/zeros${i}.jar`, data: Buffer.alloc(60 * 2 ** 20) })));
    const inventory = await inventoryImage(archive([await layer(Array.from({ length: 6 }, (_, i) => file(`app/a${i}.jar`, jar)))]));
    assert.match(inventory.skipped.map((s) => s.reason).join('\n'), /for the image's archives/);
  });

  it('reads pom.properties with a long run of spaces in linear time', async () => {
    const pom = (i: number) => writeZip([{ path: `META-INF/maven/g/a${i}/pom.properties`, data: Buffer.from(`groupId=g\nartifactId=a${i}\nversion=1${' '.repeat(60_000)}x\n`) }]);
    const jar = writeZip(Array.from({ length: 8 }, (_, i) => ({ path: `lib/a${i}.jar`, data: pom(i) })));
    const started = Date.now();
    const inventory = await inventoryImage(archive([await layer([file('app/app.jar', jar)])]));
    // The old multiline regular expression took ~16 s per file here.
    assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
    assert.equal(inventory.packages.length, 8);
  });
});

describe('hostile images: files and databases', () => {
  it('searches a config file of one long line for secrets in linear time, and masks what it finds', async () => {
    const text = `password=a${' '.repeat(400_000)}b\nother ${GITHUB_TOKEN} ${'x '.repeat(200_000)}\n`;
    const started = Date.now();
    const inventory = await inventoryImage(archive([await layer([file('app/settings.conf', text)])]));
    assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
    assert.deepEqual(inventory.secrets.map((s) => `${s.line} ${s.what} ${s.masked}`), ['2 a GitHub token gh***']);
  });

  it('keeps at most 500,000 package entries per image, however many lockfiles repeat them', async () => {
    const packages = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`node_modules/p${i}`, { version: '1.0.0' }]));
    const lock = JSON.stringify({ lockfileVersion: 3, packages });
    const files = Array.from({ length: 60 }, (_, i) => file(`app${i}/package-lock.json`, lock));
    const inventory = await inventoryImage(archive([gzipSync(await layer(files))]));
    assert.equal(inventory.packages.length, 10_000);
    assert.equal(inventory.skipped.filter((s) => /more than 500000 packages/.test(s.reason)).length, 10);
  });

  it('reads only a plain Packages table from rpmdb.sqlite: no view, no generated column', () => {
    const root = mkdtempSync(join(tmpdir(), 'shipshape-hostile-rpm-'));
    try {
      const header = rpmHeader();
      const hex = header.toString('hex');
      const build = (name: string, sql: string[]) => {
        const db = new Database(join(root, name));
        for (const statement of sql) db.exec(statement);
        db.close();
        return readFileSync(join(root, name));
      };
      const plain = build('plain.sqlite', ['CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB NOT NULL)', `INSERT INTO Packages (blob) VALUES (x'${hex}')`]);
      assert.deepEqual(readRpmSqlite(plain).map((p) => p.name), ['bash']);
      const view = build('view.sqlite', [`CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) SELECT x'${hex}' AS blob FROM c`]);
      assert.deepEqual(readRpmSqlite(view), []);
      const generated = build('generated.sqlite', [`CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB GENERATED ALWAYS AS (x'${hex}') VIRTUAL)`, 'INSERT INTO Packages (hnum) VALUES (1)']);
      assert.deepEqual(readRpmSqlite(generated), []);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('shows hostile names in every report as text: no terminal escape, no HTML, no broken line, no secret', async () => {
    const evil = 'evil\u001b]0;owned\u0007\u001b[2J\n<img src=x onerror=alert(1)>';
    const lock = JSON.stringify({ lockfileVersion: 3, packages: { [`node_modules/${evil}`]: { version: '1.0.0' } } });
    const inventory = await inventoryImage(archive([await layer([file('app/package-lock.json', lock), file(`app/${evil}.txt`, `key ${GITHUB_TOKEN}\n`)])]));
    const sbom = sbomOf(inventory, `img${evil}`);
    const table = renderSbomTable(sbom);
    assert.ok(!table.includes('\u001b') && !table.includes('\u0007'), table);
    assert.equal(table.split('\n').length, 5, table);
    const index = new AdvisoryIndex();
    index.add(parseAdvisory({ id: `GHSA-${evil}`, summary: evil, affected: [{ package: { ecosystem: 'npm', name: evil }, versions: ['1.0.0'] }] }));
    const report = imageReport(sbom.image.name, scanSbom(sbom, index), '0.0.0');
    const outputs: Record<string, string> = { table, cyclonedx: renderCycloneDx(sbom, '0'), spdx: renderSpdx(sbom, '0') };
    for (const format of ['text', 'md', 'html', 'sarif', 'json'] as const) outputs[format] = render(format, report, IMAGE_RULES, { color: false });
    for (const [format, text] of Object.entries(outputs)) {
      assert.ok(!text.includes(GITHUB_TOKEN), `${format} shows the secret`);
      if (format !== 'cyclonedx' && format !== 'spdx' && format !== 'sarif' && format !== 'json') assert.ok(!text.includes('\u001b'), `${format} carries an escape sequence`);
      if (format === 'html') assert.ok(!text.includes('<img'), 'html carries HTML');
      // Markdown shows HTML as text when it is escaped or inside a code span.
      if (format === 'md') assert.ok(!/(?<!\\)<img/.test(text.replace(/`[^`\n]*`/g, '')), 'md carries HTML');
    }
    assert.ok(report.projects[0]!.environments[0]!.findings.some((f) => f.rule === 'image-vulnerability'));
  });
});

describe('hostile advisory databases', () => {
  it('refuses a ZIP whose entries would inflate past its bound before inflating any', async () => {
    const root = mkdtempSync(join(tmpdir(), 'shipshape-hostile-osv-'));
    try {
      const path = join(root, 'all.zip');
      writeFileSync(path, repeatedZip(300, Buffer.alloc(15 * 2 ** 20, 0x20)));
      const started = Date.now();
      await assert.rejects(loadAdvisories(path), /ZIP bomb/);
      // Inflating the 4.5 GB took tens of seconds before; the central directory alone is read now.
      assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses a single JSON file too large to read as one string with a clear error', async () => {
    const root = mkdtempSync(join(tmpdir(), 'shipshape-hostile-osv-'));
    try {
      const path = join(root, 'all.json');
      writeFileSync(path, '');
      truncateSync(path, 600 * 2 ** 20);
      await assert.rejects(loadAdvisories(path), (err: Error) => err instanceof AdvisoryDatabaseError && /larger than 268435456 bytes/.test(err.message));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** A ZIP of `count` JSON entries that all share one deflated body (a few MiB holding gigabytes). */
function repeatedZip(count: number, data: Buffer): Buffer {
  const body = deflateRawSync(data);
  const crc = crc32(data);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const name = Buffer.from(`osv/a${i}.json`);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** An rpm header for bash 5.2.15-3 (index entries, then the strings they point at). */
function rpmHeader(): Buffer {
  const values: [number, string][] = [[1000, 'bash'], [1001, '5.2.15'], [1002, '3']];
  const index: Buffer[] = [];
  const data: Buffer[] = [];
  let offset = 0;
  for (const [tag, value] of values) {
    const entry = Buffer.alloc(16);
    entry.writeUInt32BE(tag, 0);
    entry.writeUInt32BE(6, 4);
    entry.writeUInt32BE(offset, 8);
    entry.writeUInt32BE(1, 12);
    index.push(entry);
    const bytes = Buffer.from(`${value}\0`);
    data.push(bytes);
    offset += bytes.length;
  }
  const head = Buffer.alloc(8);
  head.writeUInt32BE(values.length, 0);
  head.writeUInt32BE(offset, 4);
  return Buffer.concat([head, ...index, ...data]);
}
