import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { writeTree } from '../helpers/tmp.js';

const bin = fileURLToPath(new URL('../../../bin/shipshape.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [bin, 'analyze', ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
interface JsonReport {
  version: number;
  projects: { dir: string; environments: { name: string; findings: { rule: string; severity: string; line: number }[]; scores: Record<string, number> }[] }[];
}
const json = (args: string[]): JsonReport => JSON.parse(run([...args, '--format', 'json']).stdout) as JsonReport;
const rules = (r: JsonReport) => r.projects.flatMap((p) => p.environments.flatMap((e) => e.findings.map((f) => f.rule)));

const PRIVILEGED = 'services:\n  app:\n    image: app:1.2\n    privileged: true\n';
const CLEAN = 'services:\n  app:\n    image: app:1.2\n';

describe('shipshape analyze', () => {
  it('exits 1 when a finding reaches --fail-on, 0 otherwise, and writes the JSON contract', () => {
    const dir = writeTree({ 'compose.yaml': PRIVILEGED });
    assert.equal(run([dir]).status, 1);
    assert.equal(run([dir, '--fail-on', 'never']).status, 0);
    const report = json([dir]);
    assert.equal(report.version, 1);
    assert.deepEqual(Object.keys(report.projects[0]!.environments[0]!).sort(), ['files', 'findings', 'graph', 'inventory', 'name', 'scores']);
    assert.ok(rules(report).includes('privileged'));
    const clean = writeTree({ 'compose.yaml': CLEAN });
    assert.equal(run([clean, '--fail-on', 'critical']).status, 0);
  });

  it('writes every format to --output without ANSI codes when not on a terminal', () => {
    const dir = writeTree({ 'compose.yaml': PRIVILEGED });
    for (const format of ['text', 'md', 'json', 'sarif', 'html']) {
      const out = join(dir, `report.${format}`);
      const r = run([dir, '--format', format, '--output', out, '--fail-on', 'never']);
      assert.equal(r.status, 0, r.stderr);
      const text = readFileSync(out, 'utf8');
      assert.ok(text.length > 100, format);
      assert.doesNotMatch(text, /\x1b\[/, format);
    }
  });

  it('honors .shipshape.yml (disable, re-grade) and refuses an unknown rule with its line', () => {
    const dir = writeTree({ 'compose.yaml': PRIVILEGED, '.shipshape.yml': 'rules:\n  privileged: low\n  writable-rootfs: off\n' });
    const report = json([dir]);
    const findings = report.projects[0]!.environments[0]!.findings;
    assert.equal(findings.find((f) => f.rule === 'privileged')?.severity, 'low');
    assert.ok(!findings.some((f) => f.rule === 'writable-rootfs'));
    const bad = writeTree({ 'compose.yaml': CLEAN, '.shipshape.yml': 'rules:\n  no-such-rule: off\n' });
    const r = run([bad]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /\.shipshape\.yml:2:3: error: unknown rule "no-such-rule"/);
  });

  it('honors an inline shipshape-ignore on the line or the line above', () => {
    const dir = writeTree({
      'compose.yaml': 'services:\n  app:\n    image: app:1.2\n    # shipshape-ignore privileged needs raw sockets for the lab\n    privileged: true\n',
    });
    assert.ok(!rules(json([dir])).includes('privileged'));
  });

  it('hides the findings of a --baseline report but not new ones', () => {
    const dir = writeTree({ 'compose.yaml': PRIVILEGED });
    const baseline = join(dir, 'baseline.json');
    writeFileSync(baseline, run([dir, '--format', 'json']).stdout);
    assert.deepEqual(rules(json([dir, '--baseline', baseline])), []);
    writeFileSync(join(dir, 'compose.yaml'), PRIVILEGED + '    pid: host\n');
    assert.deepEqual(rules(json([dir, '--baseline', baseline])), ['host-namespace']);
    const bad = run([dir, '--baseline', join(dir, 'compose.yaml')]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /not a shipshape JSON report/);
  });

  it('explains a rule, lists them all, and refuses an unknown one', () => {
    const r = run(['--explain', 'docker-socket-mount']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^docker-socket-mount \(security, critical\)/);
    assert.match(r.stdout, /Fix:/);
    assert.ok(run(['--explain', 'all']).stdout.split('\n').length > 50);
    assert.equal(run(['--explain', 'nope']).status, 2);
  });

  it('analyzes every environment of a directory and names them', () => {
    const dir = writeTree({
      'docker-compose.yml': 'services:\n  app:\n    image: app:1.2\n    user: "1000:1000"\n',
      'docker-compose.dev.yml': 'services:\n  app:\n    user: root\n',
    });
    const report = json([dir]);
    assert.deepEqual(report.projects[0]!.environments.map((e) => e.name), ['base', 'dev']);
    const dev = report.projects[0]!.environments[1]!;
    assert.ok(dev.findings.some((f) => f.rule === 'dev-override-weakens-security'));
    assert.deepEqual(json([dir, '--env', 'dev']).projects[0]!.environments.map((e) => e.name), ['dev']);
    // A typo in a CI gate must not pass: exit 2, naming the environments there are.
    const typo = run([dir, '--env', 'nope']);
    assert.equal(typo.status, 2);
    assert.match(typo.stderr, /no environment named "nope"; the environments here are: base, dev/);
    assert.equal(typo.stdout, '');
  });

  it('analyzes the services of a --profile only when asked', () => {
    const dir = writeTree({ 'compose.yaml': `${CLEAN}  debug:\n    image: dbg:1\n    privileged: true\n    profiles: [debug]\n` });
    assert.ok(!rules(json([dir])).includes('privileged'));
    assert.ok(rules(json([dir, '--profile', 'debug'])).includes('privileged'));
  });

  it('never judges host paths by the machine that runs it: ~ stays ~, paths outside the project are not missing', () => {
    const dir = writeTree({
      'compose.yaml':
        'services:\n  app:\n    image: app:1.2\n    volumes: ["~/.config/app:/config:ro", "/srv/nowhere/data:/data", "./here.conf:/etc/here.conf:ro"]\n' +
        '    env_file: [/opt/nowhere/app.env]\nsecrets:\n  key: {file: ~/keys/key.pem}\n',
    });
    const report = json([dir]);
    const env = report.projects[0]!.environments[0]! as unknown as { findings: { rule: string; message: string }[]; inventory: unknown };
    const missing = env.findings.filter((f) => ['missing-bind-source', 'missing-file-reference'].includes(f.rule));
    assert.deepEqual(missing.map((f) => `${f.rule}: ${f.message.includes('here.conf')}`), ['missing-bind-source: true']);
    const text = JSON.stringify(report);
    assert.ok(!text.includes(process.env.HOME ?? '/root'), 'the analyzing user\'s home never appears');
    assert.ok(text.includes('~/.config/app'));
  });

  it('analyzes a compose file given as the path, with its folder\'s config', () => {
    const dir = writeTree({ 'stack.yaml': PRIVILEGED, '.shipshape.yml': 'rules:\n  privileged: off\n' });
    const r = run([join(dir, 'stack.yaml'), '--format', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as JsonReport;
    assert.ok(!rules(report).includes('privileged'));
    assert.equal(report.projects[0]!.dir, '.');
  });

  it('exits 2 on a missing directory, an unknown format or --fail-on', () => {
    assert.equal(run(['/nonexistent/dir']).status, 2);
    assert.equal(run(['.', '--format', 'toString']).status, 2);
    assert.equal(run(['.', '--fail-on', 'sometimes']).status, 2);
  });
});
