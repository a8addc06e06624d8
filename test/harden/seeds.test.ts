import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadProject } from '../../src/compose/index.js';
import { hardenProject, resolveTarget } from '../../src/harden/index.js';
import { fixturePath } from '../helpers/fixtures.js';

/** A copy of a seed fixture, so that the overlay is written beside its files and not into test/fixtures. */
function copyOf(seed: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipshape-harden-seed-'));
  cpSync(fixturePath('seeds', seed), dir, { recursive: true });
  return dir;
}

const SECRET_RULES = ['hardcoded-secret', 'default-credential'];

describe('harden on the seed fixtures', () => {
  it('seed 001 (development file): the overlay loads, and the weak database password is gone from the files', async () => {
    const dir = copyOf('001-hardening');
    const target = resolveTarget({ dir });
    const output = join(dir, 'compose.hardened.yml');
    // The overlay requires POSTGRES_PASSWORD (no weak default any more): the deploy's .env sets it.
    const env = { POSTGRES_PASSWORD: 'a-long-random-value-from-dotenv' };
    const { assessment, plan } = await hardenProject({ target, output, env });
    const loaded = loadProject({ workingDir: dir, files: [...target.files, output], env });
    assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
    assert.deepEqual(plan.requiredVariables, ['POSTGRES_PASSWORD']);
    const before = assessment.fixed.filter((f) => SECRET_RULES.includes(f.rule)).length;
    assert.ok(before >= 2, `the default-credential findings are fixed (${before})`);
    assert.deepEqual(assessment.remaining.filter((r) => SECRET_RULES.includes(r.finding.rule)), []);
    assert.deepEqual(assessment.added.map((f) => f.rule), []);
    assert.ok(assessment.after.scores.security >= 8, `security ${assessment.after.scores.security}`);
    // docker-compose v1 reads it once the compose-spec merge tags it predates are removed (docs/harden.md).
    writeFileSync(join(dir, 'v1.yml'), readFileSync(output, 'utf8').replace(/ !(reset|override)\b/g, ''));
    const v1 = spawnSync(process.env.SHIPSHAPE_DOCKER_COMPOSE || '/usr/bin/docker-compose', ['-f', 'docker-compose.yml', '-f', 'v1.yml', 'config', '-q'], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...env },
    });
    assert.equal(v1.status, 0, v1.stderr);
  });

  it('seed 003 (dev environment): the dev file\'s weakening and the password in redis.conf are gone, and the overlay adds no load error', async () => {
    const root = copyOf('003-toolboxai');
    const dir = join(root, 'infrastructure/docker/compose');
    const target = resolveTarget({ dir, env: 'dev' });
    const output = join(dir, 'compose.hardened.yml');
    const { assessment, overlay } = await hardenProject({ target, output, env: {} });
    const rules = (list: { rule: string }[]) => list.map((f) => f.rule);
    assert.ok(rules(assessment.fixed).includes('dev-override-weakens-security'));
    assert.ok(rules(assessment.fixed).includes('hardcoded-secret'));
    const left = assessment.remaining.map((r) => r.finding.rule);
    assert.ok(!left.includes('dev-override-weakens-security'), left.join(', '));
    assert.ok(!left.includes('hardcoded-secret'), left.join(', '));
    assert.ok(!left.includes('internal-network-exposed'), left.join(', '));
    // The base itself does not load cleanly (a repeated merge key, undeclared volumes in the dev
    // file): the overlay must add no error of its own.
    const withOverlay = loadProject({ workingDir: dir, files: [...target.files, output], env: {} });
    const without = loadProject({ workingDir: dir, files: target.files, env: {} });
    const messages = (d: { severity: string; message: string }[]) => d.filter((x) => x.severity === 'error').map((x) => x.message).sort();
    assert.deepEqual(messages(withOverlay.diagnostics), messages(without.diagnostics));
    assert.match(overlay, /# dev-override-weakens-security/);
  });
});
