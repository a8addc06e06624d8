import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { rewrite } from '../../src/cli/env-credentials.js';
import { writeTree } from '../helpers/tmp.js';

const bin = fileURLToPath(new URL('../../../bin/shipshape.js', import.meta.url));
const run = (args: string[], cwd: string) =>
  spawnSync(process.execPath, [bin, 'secrets', 'generate', ...args], { encoding: 'utf8', cwd, env: { PATH: process.env.PATH ?? '' } });
const mode = (path: string) => statSync(path).mode & 0o777;

const COMPOSE = [
  'services:',
  '  db:',
  '    image: postgres:16',
  '    secrets: [db_password, api_key, token]',
  'secrets:',
  '  db_password:',
  '    file: ./secrets/db_password.txt',
  '  api_key:',
  '    file: ./secrets/deep/api_key.txt',
  '  token:',
  '    environment: TOKEN',
  '',
].join('\n');

describe('shipshape secrets generate', () => {
  it('creates each missing secret file with a strong random value, mode 0600 in 0700 folders, and never prints it', () => {
    const dir = writeTree({ 'compose.yaml': COMPOSE });
    const r = run([], dir);
    assert.equal(r.status, 0, r.stderr);
    const a = readFileSync(join(dir, 'secrets/db_password.txt'), 'utf8');
    const b = readFileSync(join(dir, 'secrets/deep/api_key.txt'), 'utf8');
    for (const value of [a, b]) assert.match(value, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, b);
    assert.equal(mode(join(dir, 'secrets/db_password.txt')), 0o600);
    assert.equal(mode(join(dir, 'secrets/deep/api_key.txt')), 0o600);
    assert.equal(mode(join(dir, 'secrets')), 0o700);
    assert.equal(mode(join(dir, 'secrets/deep')), 0o700);
    assert.match(r.stdout, /^created secrets\/db_password\.txt \(secret "db_password"\)/m);
    assert.match(r.stdout, /^created secrets\/deep\/api_key\.txt \(secret "api_key"\)/m);
    for (const value of [a, b]) assert.ok(!r.stdout.includes(value) && !r.stderr.includes(value));
    // Run again: nothing is overwritten.
    const again = run([], dir);
    assert.equal(again.status, 0);
    assert.match(again.stdout, /^kept {4}secrets\/db_password\.txt/m);
    assert.equal(readFileSync(join(dir, 'secrets/db_password.txt'), 'utf8'), a);
  });

  it('creates the files an overlay beside the base names (a hardened overlay)', () => {
    const dir = writeTree({
      'compose.yaml': 'services:\n  db:\n    image: postgres:16\n',
      'compose.hardened.yml': 'services:\n  db:\n    secrets: [db_password]\nsecrets:\n  db_password:\n    file: ./secrets/db_password.txt\n',
    });
    const r = run([], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(readFileSync(join(dir, 'secrets/db_password.txt'), 'utf8'), /^[A-Za-z0-9_-]{43}$/);
  });

  it('keeps an existing secret file as it is', () => {
    const dir = writeTree({ 'compose.yaml': COMPOSE, 'secrets/db_password.txt': 'mine\n' });
    const r = run([dir], process.cwd());
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(dir, 'secrets/db_password.txt'), 'utf8'), 'mine\n');
    assert.ok(existsSync(join(dir, 'secrets/deep/api_key.txt')));
  });

  it('refuses a file outside the project with its place, and then creates nothing', () => {
    const dir = writeTree({ 'app/compose.yaml': COMPOSE.replace('./secrets/deep/api_key.txt', '../outside/api_key.txt') });
    const r = run([], join(dir, 'app'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^compose\.yaml:9:11: error: secret "api_key": file .*outside\/api_key\.txt is outside the project folder; no secret file was created$/m);
    assert.deepEqual(readdirSync(dir).sort(), ['app']);
    assert.deepEqual(readdirSync(join(dir, 'app')), ['compose.yaml']);
  });

  it('refuses a path through a link, or a link as the file, even one pointing inside', () => {
    const outside = writeTree({});
    const dir = writeTree({ 'compose.yaml': COMPOSE, 'real/.keep': '' });
    symlinkSync(outside, join(dir, 'secrets'));
    const r = run([], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /secret "db_password": file secrets\/db_password\.txt (goes through the link secrets|is outside the project folder)/);
    assert.deepEqual(readdirSync(outside), []);

    const inside = writeTree({ 'compose.yaml': COMPOSE, 'store/.keep': '' });
    mkdirSync(join(inside, 'secrets'));
    symlinkSync(join(inside, 'store', 'pw.txt'), join(inside, 'secrets', 'db_password.txt'));
    const linked = run([], inside);
    assert.equal(linked.status, 2);
    assert.match(linked.stderr, /secret "db_password": file secrets\/db_password\.txt goes through the link secrets\/db_password\.txt/);
    assert.ok(!existsSync(join(inside, 'store', 'pw.txt')));
    assert.ok(!existsSync(join(inside, 'secrets', 'deep')));
  });

  it('--env-file replaces the weak values default-credential flags, keeps a backup, comments and order, prints no value', () => {
    const env = [
      '# database',
      'export POSTGRES_USER=postgres',
      'POSTGRES_PASSWORD=changeme # weak',
      'DATABASE_URL="postgres://postgres:changeme@db:5432/app"',
      'APP_SECRET=changeme',
      'GREETING=hello',
      '',
    ].join('\n');
    const dir = writeTree({
      'compose.yaml': 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: ${POSTGRES_USER}\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n  app:\n    image: app:1.2\n    environment:\n      DATABASE_URL: ${DATABASE_URL}\n',
      '.env': env,
    });
    chmodSync(join(dir, '.env'), 0o640);
    const r = run(['--env-file', '.env'], dir);
    assert.equal(r.status, 0, r.stderr);
    const after = readFileSync(join(dir, '.env'), 'utf8').split('\n');
    assert.equal(after[0], '# database');
    assert.equal(after[1], 'export POSTGRES_USER=postgres');
    const password = /^POSTGRES_PASSWORD=([A-Za-z0-9_-]{43}) # weak$/.exec(after[2]!)?.[1];
    assert.ok(password, after[2]);
    // The same weak value gets the same new value everywhere, in a URL only its password.
    assert.equal(after[3], `DATABASE_URL="postgres://postgres:${password}@db:5432/app"`);
    assert.equal(after[4], `APP_SECRET=${password}`);
    assert.equal(after[5], 'GREETING=hello');
    assert.equal(mode(join(dir, '.env')), 0o640);
    const backups = readdirSync(dir).filter((f) => f.startsWith('.env.bak-'));
    assert.equal(backups.length, 1);
    assert.match(backups[0]!, /^\.env\.bak-\d{8}T\d{6}Z$/);
    assert.equal(readFileSync(join(dir, backups[0]!), 'utf8'), env);
    assert.equal(mode(join(dir, backups[0]!)), 0o640);
    assert.match(r.stdout, /^\.env: replaced POSTGRES_PASSWORD, .*DATABASE_URL.* with strong random values; the old file is \.env\.bak-/m);
    assert.ok(!r.stdout.includes(password!) && !r.stdout.includes('changeme'));
  });

  it('--env-file refuses a file the project does not read, and a read-only .env, changing nothing', () => {
    const dir = writeTree({ 'compose.yaml': COMPOSE, '.env': 'DB_PASSWORD=changeme\n', 'other.env': 'DB_PASSWORD=changeme\n' });
    const other = run(['--env-file', 'other.env'], dir);
    assert.equal(other.status, 2);
    assert.match(other.stderr, /other\.env: is not the \.env or an env_file of a project here/);
    chmodSync(join(dir, '.env'), 0o444);
    const ro = run(['--env-file', '.env'], dir);
    assert.equal(ro.status, 2);
    assert.match(ro.stderr, /\.env: is read-only \(mode 0444\)/);
    assert.equal(readFileSync(join(dir, '.env'), 'utf8'), 'DB_PASSWORD=changeme\n');
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.bak-')), []);
  });

  it('refuses a compose file compose cannot load, and a secret path that is a folder', () => {
    const broken = writeTree({ 'compose.yaml': `${COMPOSE}secrets:\n  again: {file: ./x}\n` });
    const r = run([], broken);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^(shipshape: )?compose\.yaml:12:1: error: .*mapping key "secrets" already defined/m);
    assert.match(r.stderr, /fix the compose file first; no secret file was created/);
    assert.ok(!existsSync(join(broken, 'secrets')));
    const folder = writeTree({ 'compose.yaml': COMPOSE, 'secrets/db_password.txt/.keep': '' });
    const f = run([], folder);
    assert.equal(f.status, 2);
    assert.match(f.stderr, /^compose\.yaml:7:11: error: secret "db_password": file secrets\/db_password\.txt exists and is not a regular file/m);
    assert.ok(!existsSync(join(folder, 'secrets', 'deep')));
  });

  it('refuses an unknown environment', () => {
    const dir = writeTree({ 'compose.yaml': COMPOSE });
    const r = run(['--env', 'nope'], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no environment named "nope"/);
    assert.ok(!existsSync(join(dir, 'secrets')));
  });

  it('rewrites only the flagged assignments, keeping quotes, CRLF and lines it cannot read', () => {
    const text = 'A="weak1"\r\nB=\'weak1\'\r\nC="multi\r\nline"\r\nD_PASSWORD=weak1\r\nE_USER=weak1\r\n';
    const { text: out, variables } = rewrite(text, new Set([1, 3]));
    const lines = out.split('\r\n');
    const fresh = /^A="([A-Za-z0-9_-]{43})"$/.exec(lines[0]!)?.[1];
    assert.ok(fresh, lines[0]);
    assert.equal(lines[1], "B='weak1'");
    assert.equal(lines[2], 'C="multi');
    assert.equal(lines[4], `D_PASSWORD=${fresh}`);
    assert.equal(lines[5], 'E_USER=weak1');
    assert.deepEqual(variables, ['A', 'D_PASSWORD']);
  });
});
