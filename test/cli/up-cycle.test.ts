import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli-process.js';
import { writeTree } from '../helpers/tmp.js';

describe('up with a dependency cycle', () => {
  it('exits 2 at the file:line of the dependency that closes the cycle, before asking the engine anything, where analyze reports it', async () => {
    const dir = writeTree({
      'compose.yaml': [
        'services:',
        '  a:',
        '    image: x',
        '    depends_on: [b]',
        '  b:',
        '    image: x',
        '    depends_on:',
        '      c: {condition: service_started}',
        '  c:',
        '    image: x',
        '    links: [a]',
        '',
      ].join('\n'),
    });
    // No engine answers here: the refusal must come first.
    const run = await runCli(['up', '-d', dir, '-p', 'sscycle'], { DOCKER_HOST: 'unix:///nonexistent/shipshape-cycle.sock' });
    assert.equal(run.status, 2, run.stderr);
    assert.equal(run.stderr, `${join(dir, 'compose.yaml')}:11:13: services depend on each other in a cycle: a → b → c → a; remove one of these dependencies\n`);
    // One service graph: the analyzer's finding points at the same dependency.
    const analyzed = await runCli(['analyze', dir, '--format', 'json', '--fail-on', 'never']);
    const report = JSON.parse(analyzed.stdout) as { projects: { environments: { findings: { rule: string; file: string; line: number; column: number }[] }[] }[] };
    const cycles = report.projects.flatMap((p) => p.environments.flatMap((e) => e.findings.filter((f) => f.rule === 'dependency-cycle')));
    assert.deepEqual(cycles.map((f) => `${f.file}:${f.line}:${f.column}`), ['compose.yaml:11:13']);
  });
});
