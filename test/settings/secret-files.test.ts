import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readSecretFiles } from '../../src/settings/index.js';

describe('NAME_FILE settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shipshape-secret-files-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a value from its file, dropping one trailing newline, and leaves other names alone', () => {
    writeFileSync(join(dir, 'url'), 'postgres://u:p@db/x\n');
    writeFileSync(join(dir, 'key'), 'two lines\nkept\n\n');
    const { env, problems } = readSecretFiles({ DATABASE_URL_FILE: join(dir, 'url'), SERVER_KEY_FILE: join(dir, 'key'), OTHER_FILE: join(dir, 'url') }, ['DATABASE_URL', 'SERVER_KEY', 'JWT_SECRET']);
    assert.deepEqual(problems, []);
    assert.equal(env.DATABASE_URL, 'postgres://u:p@db/x');
    assert.equal(env.SERVER_KEY, 'two lines\nkept\n');
    assert.equal(env.OTHER, undefined, 'only the names asked for');
    assert.equal(env.JWT_SECRET, undefined);
  });

  it('refuses a file it cannot read and a value given twice, naming the variable and never the value', () => {
    writeFileSync(join(dir, 'secret'), 'hunter2-hunter2');
    const { problems } = readSecretFiles(
      { JWT_SECRET_FILE: join(dir, 'missing'), ADMIN_PASSWORD: 'hunter2-hunter2', ADMIN_PASSWORD_FILE: join(dir, 'secret') },
      ['JWT_SECRET', 'ADMIN_PASSWORD'],
    );
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /^JWT_SECRET_FILE names a file that cannot be read: .*missing \(ENOENT\)$/);
    assert.match(problems[1]!, /^ADMIN_PASSWORD and ADMIN_PASSWORD_FILE are both set/);
    assert.ok(problems.every((p) => !p.includes('hunter2')));
  });
});
