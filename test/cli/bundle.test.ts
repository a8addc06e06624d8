import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { writeTree } from '../helpers/tmp.js';

// What bin/shipshape.js runs after `npm run build`: the bundles and their code caches
// (scripts/build-bundle.mjs, docs/benchmarks.md "The CLI is bundled").
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const whole = join(repoRoot, 'dist', 'shipshape.cjs');
const analyzer = join(repoRoot, 'dist', 'shipshape-analyzer.cjs');
const loader = pathToFileURL(join(repoRoot, 'bin', 'load-bundle.js')).href;
const modules = pathToFileURL(join(repoRoot, 'dist', 'src', 'cli', 'index.js')).href;

/** Runs the CLI in a fresh node, from a bundle through bin/load-bundle.js or from the modules tsc emits. */
function cli(from: string, args: string[], cwd: string) {
  const start =
    from !== 'modules'
      ? `const { loadBundle } = await import(${JSON.stringify(loader)}); const loaded = loadBundle(${JSON.stringify(from)}); ` +
        `process.on('exit', () => process.stderr.write(loaded.cached ? '\\ncode cache: used\\n' : '\\ncode cache: refused\\n')); const { main } = loaded.exports;`
      : `const { main } = await import(${JSON.stringify(modules)});`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', `${start} process.exitCode = await main(process.argv.slice(1));`, '--', ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
}

const STACK = {
  'compose.yaml':
    'services:\n  web:\n    build: .\n    ports: ["8080:80"]\n    environment:\n      DB_URL: postgres://app:${DB_PASSWORD:-s3cr3t-Pa55}@db/app\n    depends_on: [db]\n' +
    '  db:\n    image: postgres:16\n    ports: ["5432:5432"]\n    environment:\n      POSTGRES_HOST_AUTH_METHOD: trust\n',
  'compose.override.yaml': 'services:\n  web:\n    environment:\n      DEBUG: "1"\n',
  Dockerfile: 'FROM node:20\nCOPY . /app\nCMD ["node", "/app/server.js"]\n',
};

describe('the bundled CLI', () => {
  it('is built as two bundles, each with a code cache that this node accepts', () => {
    const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    for (const bundle of [whole, analyzer]) {
      assert.ok(existsSync(bundle), `${bundle} is missing: \`npm run build\` makes it`);
      assert.ok(statSync(`${bundle}.cache`).mtimeMs >= statSync(bundle).mtimeMs, 'the code cache is older than the bundle');
      const run = cli(bundle, ['--version'], repoRoot);
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stderr, /code cache: used/);
      assert.equal(run.stdout.trim(), version);
    }
    // The analyzer's bundle leaves the engine, the image reader and the servers out.
    assert.ok(statSync(analyzer).size < statSync(whole).size * 0.9);
  });

  it('prints what the modules print, for analyze in every format and for config, from both bundles', () => {
    const dir = writeTree(STACK);
    for (const args of [
      ['analyze', '.', '--format', 'json'],
      ['analyze', '.', '--format', 'sarif'],
      ['analyze', '.', '--format', 'md'],
      ['analyze', '.', '--format', 'html'],
      ['analyze', '.'],
      ['config'],
    ]) {
      const fromModules = cli('modules', args, dir);
      assert.ok(fromModules.stdout.length > 0, args.join(' '));
      for (const bundle of [whole, analyzer]) {
        const fromBundle = cli(bundle, args, dir);
        assert.equal(fromBundle.status, fromModules.status, `${args.join(' ')}: ${fromBundle.stderr}`);
        assert.equal(fromBundle.stdout, fromModules.stdout, args.join(' '));
      }
    }
  });

  it('refuses a code cache that does not belong to the bundle, and still runs', () => {
    // A cache is checked by V8 (version, flags, source length) and by age here; a foreign one
    // of the right age is refused by V8 and the CLI compiles from source.
    const run = spawnSync(process.execPath, ['--stack-size=1000', '--input-type=module', '-e',
      `const { loadBundle } = await import(${JSON.stringify(loader)}); const loaded = loadBundle(${JSON.stringify(whole)}); ` +
      `process.stderr.write('cached: ' + loaded.cached); process.exitCode = await loaded.exports.main(['--version']);`], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, 'cached: false');
    assert.match(run.stdout, /^\d+\.\d+\.\d+/);
  });
});
