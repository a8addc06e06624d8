import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { parseBuildInfo } from '../../src/image/catalog/go.js';
import { readNpmLockfile } from '../../src/image/catalog/npm.js';
import { readHeader, readRpmSqlite } from '../../src/image/catalog/rpm.js';
import { goBinary } from './fixtures.js';

/** An rpm header blob: index entries, then the data they point into. */
function header(tags: [number, number, string | number][]): Buffer {
  const data: Buffer[] = [];
  const index: Buffer[] = [];
  let offset = 0;
  for (const [tag, type, value] of tags) {
    const bytes = typeof value === 'number' ? Buffer.alloc(4) : Buffer.from(`${value}\0`);
    if (typeof value === 'number') bytes.writeUInt32BE(value);
    const entry = Buffer.alloc(16);
    entry.writeUInt32BE(tag, 0);
    entry.writeUInt32BE(type, 4);
    entry.writeUInt32BE(offset, 8);
    entry.writeUInt32BE(1, 12);
    index.push(entry);
    data.push(bytes);
    offset += bytes.length;
  }
  const head = Buffer.alloc(8);
  head.writeUInt32BE(tags.length, 0);
  head.writeUInt32BE(offset, 4);
  return Buffer.concat([head, ...index, ...data]);
}

describe('package catalogs', () => {
  it('reads rpm headers: epoch, release and the source rpm, and leaves gpg keys out', () => {
    assert.deepEqual(
      readHeader(header([[1000, 6, 'openssl-libs'], [1001, 6, '3.0.7'], [1002, 6, '24.el9'], [1003, 4, 1], [1014, 6, 'ASL 2.0'], [1044, 6, 'openssl-3.0.7-24.el9.src.rpm']])),
      { type: 'rpm', name: 'openssl-libs', version: '1:3.0.7-24.el9', source: { name: 'openssl', version: '1:3.0.7-24.el9' }, licenses: ['ASL 2.0'] },
    );
    assert.equal(readHeader(header([[1000, 6, 'gpg-pubkey'], [1001, 6, 'abc']])), undefined);
    assert.equal(readHeader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])), undefined, 'a header claiming too many entries');
  });

  it('reads an rpmdb.sqlite', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipshape-rpm-test-'));
    try {
      const file = join(dir, 'rpmdb.sqlite');
      const db = new Database(file);
      db.exec('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)');
      const insert = db.prepare('INSERT INTO Packages (blob) VALUES (?)');
      insert.run(header([[1000, 6, 'bash'], [1001, 6, '5.1.8'], [1002, 6, '9.el9']]));
      insert.run(header([[1000, 6, 'zlib'], [1001, 6, '1.2.11'], [1002, 6, '40.el9']]));
      db.close();
      assert.deepEqual(readRpmSqlite(readFileSync(file)).map((p) => `${p.name} ${p.version}`), ['bash 5.1.8-9.el9', 'zlib 1.2.11-40.el9']);
      assert.deepEqual(readRpmSqlite(Buffer.from('not a database')), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads npm v1 lockfiles, skipping versions that are not from the registry', () => {
    const lock = JSON.stringify({ lockfileVersion: 1, dependencies: { a: { version: '1.0.0', dependencies: { b: { version: '2.0.0' } } }, c: { version: 'file:../c' } } });
    assert.deepEqual(readNpmLockfile(lock).map((p) => `${p.name}@${p.version}`), ['a@1.0.0', 'b@2.0.0']);
    assert.deepEqual(readNpmLockfile('{ not json'), []);
  });

  it('reads Go build information, with replacements, and ignores what is not', () => {
    const binary = goBinary();
    const at = binary.indexOf(Buffer.from('\xff Go buildinf:', 'latin1'));
    assert.deepEqual(parseBuildInfo(binary.subarray(at)).map((p) => `${p.name}@${p.version}`), ['stdlib@v1.21.4', 'golang.org/x/net@v0.17.0', 'github.com/new/lib@v1.2.0']);
    const old = Buffer.from(binary.subarray(at));
    old[15] = 0;
    assert.deepEqual(parseBuildInfo(old), [], 'the pointer form of Go < 1.18 is not read');
    assert.deepEqual(parseBuildInfo(Buffer.concat([binary.subarray(at, at + 32), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])])), [], 'a length past the end');
  });
});
