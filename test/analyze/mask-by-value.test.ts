import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FORMATS, RULES, analyze, render, type Format } from '../../src/analyze/index.js';
import { buildContext } from '../../src/analyze/context.js';
import { LONG, secretValues } from '../../src/analyze/secret-values.js';
import { loadProject } from '../../src/compose/index.js';
import { fixturePath } from '../helpers/fixtures.js';
import { writeTree } from '../helpers/tmp.js';

// Masking is by value: whatever a secret rule or heuristic found, and whatever a secret-named
// variable holds, appears in no output format. Checked on every fixture of the repository.

/** The secret values of every analyzed environment, found again from the files themselves. */
function secretsOf(root: string, report: ReturnType<typeof analyze>['report']): Set<string> {
  const values = new Set<string>();
  for (const project of report.projects) {
    const dir = join(root, project.dir);
    for (const env of project.environments) {
      const load = loadProject({ workingDir: dir, files: env.files.map((f) => join(dir, f)), env: {} });
      if (!load.project) continue;
      const ctx = buildContext({ dir, environment: { name: env.name, files: env.files }, load: { ...load, project: load.project } });
      for (const v of secretValues(ctx)) values.add(v);
    }
  }
  return values;
}

const escape = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const printed = (text: string, value: string) =>
  value.length >= LONG ? text.includes(value) : new RegExp(`(?<![A-Za-z0-9])${escape(value)}(?![A-Za-z0-9])`).test(text);

function assertNothingPrinted(root: string, minimumSecrets: number): void {
  const { report } = analyze({ root, rules: RULES, env: {}, version: 'test' });
  const secrets = secretsOf(root, report);
  assert.ok(secrets.size >= minimumSecrets, `found only ${secrets.size} secret values to look for`);
  for (const format of Object.keys(FORMATS) as Format[]) {
    const text = render(format, report, RULES);
    const leaked = [...secrets].filter((s) => printed(text, s));
    assert.deepEqual(leaked.map((s) => `${s.slice(0, 2)}… (${s.length} chars)`), [], `${format} prints secret values`);
  }
}

describe('masking by value', () => {
  it('prints no secret value of any fixture under test/fixtures, in any format', () => {
    assertNothingPrinted(fixturePath(), 5);
  });

  it('masks a generated password wherever it appears, whatever the variable or file that carries it', () => {
    const root = writeTree({
      'compose.yaml': [
        'services:',
        '  db:',
        '    image: mariadb:11.4',
        '    environment:',
        '      MARIADB_ROOT_PASSWORD: Qm7vX2pL9sK4wR8t',
        '      INIT_SCRIPT_ARGS: --user=root --pass Qm7vX2pL9sK4wR8t',
        '    command: ["--init-connect=SET @p=\'Qm7vX2pL9sK4wR8t\'"]',
        '    healthcheck: {test: ["CMD", "mariadb-admin", "ping", "-pQm7vX2pL9sK4wR8t"]}',
        '  app:',
        '    image: example/app:1.0',
        '    environment:',
        '      DATABASE_URL: mysql://root:Qm7vX2pL9sK4wR8t@db:3306/app',
        '      UPSTREAM: http://db',
        '',
      ].join('\n'),
    });
    assertNothingPrinted(root, 1);
  });
});
