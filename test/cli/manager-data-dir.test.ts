import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { openDatabase, restoreDatabase } from '../../src/manager/index.js';

const run = promisify(execFile);
const CLI = join(process.cwd(), 'bin', 'shipshape.js');

/** DATA_DIR / --data-dir (docs/deploy.md, "npm start's data"): where the manager's SQLite database is. */
describe('the manager data folder', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'shipshape-data-dir-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  const manager = async (args: string[], env: Record<string, string> = {}) => {
    try {
      const { stdout } = await run(process.execPath, [CLI, 'manager', ...args], { cwd: scratch, env: { ...process.env, DATABASE_URL: '', DATA_DIR: '', ...env }, timeout: 60_000 });
      return { code: 0, out: stdout };
    } catch (err) {
      const e = err as { code: number; stderr: string };
      return { code: e.code, out: e.stderr };
    }
  };

  it('finds the database in DATA_DIR or --data-dir, and DATABASE_URL wins over both', async () => {
    const dir = join(scratch, 'elsewhere');
    const db = await openDatabase(`sqlite:${join(dir, 'shipshape.db')}`);
    await db.close();
    const byFlag = await manager(['backup', '--data-dir', dir, '--to', join(scratch, 'a.jsonl')]);
    assert.equal(byFlag.code, 0, byFlag.out);
    assert.ok(byFlag.out.includes(join(dir, 'shipshape.db')), byFlag.out);
    const byEnv = await manager(['backup', '--to', join(scratch, 'b.jsonl')], { DATA_DIR: dir });
    assert.equal(byEnv.code, 0, byEnv.out);
    const byDefault = await manager(['backup', '--to', join(scratch, 'c.jsonl')]);
    assert.equal(byDefault.code, 1);
    assert.match(byDefault.out, new RegExp(`no database at ${join(scratch, 'data', 'shipshape.db')}`), 'the default is ./data');
    const url = await manager(['backup', '--to', join(scratch, 'd.jsonl')], { DATA_DIR: join(scratch, 'nothing'), DATABASE_URL: `sqlite:${join(dir, 'shipshape.db')}` });
    assert.equal(url.code, 0, url.out);
  });

  it('writes a backup to standard output with --to -, its summary to standard error, and it restores', async () => {
    const dir = join(scratch, 'streamed');
    const db = await openDatabase(`sqlite:${join(dir, 'shipshape.db')}`);
    await db.run("INSERT INTO settings (key, value) VALUES ('k', 'v')");
    await db.close();
    const { stdout, stderr } = await run(process.execPath, [CLI, 'manager', 'backup', '--data-dir', dir, '--to', '-'], { cwd: scratch, maxBuffer: 64 * 2 ** 20 });
    assert.match(stderr, /Backed up .* to standard output/);
    const file = join(scratch, 'streamed.jsonl');
    writeFileSync(file, stdout);
    const restored = await restoreDatabase(`sqlite:${join(scratch, 'restored', 'shipshape.db')}`, file);
    assert.equal(restored.counts.settings, 1);
  });
});
