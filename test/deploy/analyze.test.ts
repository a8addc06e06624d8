import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Report as JsonReport } from '../../src/analyze/index.js';

const run = promisify(execFile);
const CLI = join(process.cwd(), 'bin', 'shipshape.js');
const DEPLOY = join(process.cwd(), 'deploy');

async function analyzeJson(dir: string): Promise<JsonReport> {
  // --fail-on never: the assertions below judge, not the exit code.
  const { stdout } = await run(process.execPath, [CLI, 'analyze', dir, '--format', 'json', '--fail-on', 'never'], { maxBuffer: 16 * 2 ** 20 });
  return JSON.parse(stdout) as JsonReport;
}

/** Shipshape rated by itself (docs/deploy.md, "Rated by ourselves"). */
describe('shipshape analyze deploy/', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'shipshape-deploy-analyze-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('finds no critical, high or medium problem, and prod scores at least 9 for security', async () => {
    const report = await analyzeJson(DEPLOY);
    const environments = report.projects.flatMap((p) => p.environments);
    assert.deepEqual(environments.map((e) => e.name).sort(), ['base', 'prod']);
    for (const environment of environments) {
      const serious = environment.findings.filter((f) => ['critical', 'high', 'medium'].includes(f.severity));
      assert.deepEqual(serious.map((f) => `${f.rule} ${f.file}:${f.line}`), [], `${environment.name}: nothing above low`);
    }
    const prod = environments.find((e) => e.name === 'prod')!;
    assert.ok(prod.scores.security >= 9, `prod security ${prod.scores.security}`);
    assert.deepEqual(
      prod.inventory.services.map((s) => [s.name, s.user]).sort(),
      [
        ['agent', '65532:65532'],
        ['manager', '65532:65532'],
        ['postgres', '65532:65532'],
        ['secrets', '65532:65532'],
      ],
    );
  });

  it('hides only the agent\'s Docker socket, by an inline ignore that gives its reason', async () => {
    const ignores = readdirSync(DEPLOY)
      .filter((f) => /\.ya?ml$/.test(f))
      .flatMap((f) => readFileSync(join(DEPLOY, f), 'utf8').split('\n').filter((line) => line.includes('shipshape-ignore')));
    assert.equal(ignores.length, 1);
    const reason = /shipshape-ignore\s+[a-z0-9-]+\s+(.*)$/.exec(ignores[0]!)?.[1] ?? '';
    assert.ok(reason.length > 40, `the ignore says why: "${reason}"`);

    // Without the comment, the analyzer reports exactly that: nothing else is hidden.
    cpSync(DEPLOY, join(scratch, 'deploy'), { recursive: true, filter: (source) => !source.includes('secrets') });
    const compose = join(scratch, 'deploy', 'compose.yaml');
    writeFileSync(compose, readFileSync(compose, 'utf8').replace(/^\s*# shipshape-ignore .*\n/m, ''));
    const bare = await analyzeJson(join(scratch, 'deploy'));
    const base = bare.projects.flatMap((p) => p.environments).find((e) => e.name === 'base')!;
    const serious = base.findings.filter((f) => f.severity !== 'low' && f.severity !== 'info');
    assert.deepEqual(serious.map((f) => [f.rule, f.severity, f.service]), [['docker-socket-mount', 'critical', 'agent']]);
  });
});
