import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { writeTree } from '../helpers/tmp.js';

const bin = fileURLToPath(new URL('../../../bin/shipshape.js', import.meta.url));
// No engine: the files alone decide (DOCKER_HOST points at nothing that answers).
const run = (args: string[], cwd?: string) =>
  spawnSync(process.execPath, [bin, 'harden', ...args], { encoding: 'utf8', cwd, env: { PATH: process.env.PATH ?? '', DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });

const WEAK = 'services:\n  db:\n    image: postgres:16.1\n    ports:\n      - "5432:5432"\n  web:\n    image: nginx:1.25.3\n    ports:\n      - "80:80"\n';

describe('shipshape harden', () => {
  it('writes compose.hardened.yml beside the compose file, leaves the file alone, and prints the findings delta', () => {
    const dir = writeTree({ 'compose.yaml': WEAK });
    const result = run([dir]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(readFileSync(join(dir, 'compose.yaml'), 'utf8'), WEAK, 'the user\'s file is untouched');
    const overlay = readFileSync(join(dir, 'compose.hardened.yml'), 'utf8');
    assert.match(overlay, /^# Hardened overlay written by `shipshape harden`/);
    assert.match(overlay, /# no-cap-drop: /);
    assert.match(result.stdout, /findings: \d+ → \d+ \(\d+ fixed/);
    assert.match(result.stdout, /security score [\d.]+ → [\d.]+/);
  });

  it('-o writes elsewhere; a project file, an unknown environment or a missing folder is a usage error (exit 2)', () => {
    const dir = writeTree({ 'compose.yaml': WEAK });
    assert.equal(run([dir, '-o', join(dir, 'hard.yml')]).status, 0);
    assert.ok(existsSync(join(dir, 'hard.yml')));
    const own = run([dir, '-o', join(dir, 'compose.yaml')]);
    assert.equal(own.status, 2);
    assert.match(own.stderr, /never rewrites them/);
    assert.equal(readFileSync(join(dir, 'compose.yaml'), 'utf8'), WEAK);
    writeFileSync(join(dir, 'notes.yml'), 'mine: true\n');
    const foreign = run([dir, '-o', join(dir, 'notes.yml')]);
    assert.equal(foreign.status, 2);
    assert.match(foreign.stderr, /was not written by harden/);
    assert.equal(readFileSync(join(dir, 'notes.yml'), 'utf8'), 'mine: true\n');
    assert.equal(run([dir, '-o', join(dir, 'hard.yml')]).status, 0, 'an overlay harden wrote is replaced');
    const env = run([dir, '--env', 'staging']);
    assert.equal(env.status, 2);
    assert.match(env.stderr, /no environment "staging"/);
    assert.equal(run([join(dir, 'missing')]).status, 2);
  });

  it('--verify without an engine is an error, never a stack trace', () => {
    const dir = writeTree({ 'compose.yaml': WEAK });
    const result = run([dir, '--verify']);
    assert.ok(result.status === 1 || result.status === 2, `exit ${result.status}`);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
    assert.match(result.stderr, /shipshape: /);
  });
});
