import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturePath } from '../helpers/fixtures.js';

/**
 * A stack of test/fixtures/hostile or test/fixtures/ordinary: a compose file whose header
 * comments say what it tries and describe the rest of its package:
 * `# expect: rule[,rule]` (or `bad_package`), `# name: <compose file name>`,
 * `# file <path>: <text with \n>`, `# link <path>: <target>`, `# pad: <bytes>`, `# oneshot: <service>`.
 */
export interface FixtureStack {
  id: string;
  what: string;
  expect: string[];
  /** Every file of the package, by relative path, with @IMAGE@ and @CANARY@ filled in. */
  files: Record<string, string>;
  links: Record<string, string>;
  oneshot: string[];
}

export function fixtureStacks(kind: 'hostile' | 'ordinary', fill: Record<string, string>): FixtureStack[] {
  const dir = fixturePath(kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => parse(f.slice(0, -'.yaml'.length), readFileSync(join(dir, f), 'utf8'), fill));
}

function parse(id: string, text: string, fill: Record<string, string>): FixtureStack {
  const filled = (s: string) => Object.entries(fill).reduce((t, [k, v]) => t.replaceAll(`@${k}@`, v), s);
  const header = text.split('\n').filter((l) => l.startsWith('# '));
  const directive = (key: string) => header.filter((l) => l.startsWith(`# ${key}`)).map((l) => l.slice(key.length + 2));
  const files: Record<string, string> = {};
  const links: Record<string, string> = {};
  for (const line of directive('file ')) {
    const [path, ...rest] = line.split(': ');
    files[path!] = filled(rest.join(': ').replaceAll('\\n', '\n')) + '\n';
  }
  for (const line of directive('link ')) {
    const [path, target] = line.split(': ');
    links[path!] = target!;
  }
  const name = directive('name: ')[0] ?? 'compose.yaml';
  let compose = filled(text);
  const pad = Number(directive('pad: ')[0] ?? 0);
  // Padding after the services, as comment lines, so the ignore comment sits in a file past 1 MiB.
  while (compose.length < pad) compose += `# ${'x'.repeat(1000)}\n`;
  files[name] = compose;
  return {
    id,
    what: (directive('tries: ')[0] ?? directive('ordinary: ')[0] ?? id).trim(),
    expect: (directive('expect: ')[0] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    files,
    links,
    oneshot: (directive('oneshot: ')[0] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  };
}
