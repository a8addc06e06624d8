import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { StackJournal, stateOf, type StackRecord } from '../../src/agent/journal.js';

const dir = mkdtempSync(join(tmpdir(), 'shipshape-journal-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const record = (name: string, state: StackRecord['state']): StackRecord => ({
  name,
  state,
  source: 'compose',
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  project_dir: '',
  files: [],
  services: [],
  findings: [],
});

describe('the stack journal', () => {
  const journal = new StackJournal(dir);

  test('writes records whole, owner-only, with nothing left aside', async () => {
    await journal.write(record('shop', 'deploying'));
    await journal.write({ ...record('shop', 'deployed'), services: ['web'] });
    assert.deepEqual(readdirSync(dir), ['shop.json']);
    assert.equal(statSync(join(dir, 'shop.json')).mode & 0o777, 0o600);
    const read = await journal.read('shop');
    assert.deepEqual([read?.state, read?.services], ['deployed', ['web']]);
    await journal.remove('shop');
    assert.equal(await journal.read('shop'), undefined);
  });

  test('records of older agents (no state) are deployed; records that lie about their name, or do not parse, are not believed', async () => {
    const old = record('old', undefined);
    delete old.state;
    await journal.write(old);
    assert.equal(stateOf((await journal.read('old'))!), 'deployed');
    writeFileSync(join(dir, 'liar.json'), JSON.stringify(record('../../etc', 'deploying')));
    writeFileSync(join(dir, 'torn.json'), '{"name": "torn", "sta');
    assert.deepEqual((await journal.all()).map((r) => r.name), ['old']);
    assert.equal(await journal.read('../x'), undefined, 'a name that is not a stack name is never a path');
  });
});
