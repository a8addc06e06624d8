import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { isAscii } from 'node:buffer';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { ANALYZER_COMMANDS } from '../../src/cli/commands.js';
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
      const run = cli(bundle, ['--version'], repoRoot);
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stderr, /code cache: used/);
      assert.equal(run.stdout.trim(), version);
      // bin/load-bundle.js reads it as latin1, and no import() can run in a vm.Script.
      const bytes = readFileSync(bundle);
      assert.ok(isAscii(bytes), `${bundle} is not ASCII`);
      assert.doesNotMatch(bytes.toString('latin1'), /[^\w$.]import\(|import\.meta/);
    }
    // The analyzer's bundle leaves the engine, the image reader and the servers out.
    assert.ok(statSync(analyzer).size < statSync(whole).size * 0.85);
  });

  it('runs the analyzer\'s commands from the analyzer\'s bundle and everything else from the whole CLI', () => {
    const { ANALYZER_COMMANDS: routed, bundleFor } = createRequire(import.meta.url)(fileURLToPath(loader)) as {
      ANALYZER_COMMANDS: string[];
      bundleFor(argv: string[]): string;
    };
    assert.deepEqual([...routed].sort(), Object.keys(ANALYZER_COMMANDS).sort());
    assert.equal(bundleFor(['analyze', '.']), 'shipshape-analyzer.cjs');
    assert.equal(bundleFor(['--no-color', 'config', '-f', 'x.yaml']), 'shipshape-analyzer.cjs');
    for (const argv of [[], ['--help'], ['-v'], ['up', '-d'], ['analyzee'], ['harden', 'analyze']]) assert.equal(bundleFor(argv), 'shipshape.cjs', argv.join(' '));
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

  it('does not use a cache made for another build, nor one V8 refuses, and still runs', () => {
    // Another build's cache: V8 would accept it for a source of the same length, the build id does not.
    const dir = writeTree({});
    const copy = join(dir, 'shipshape.cjs');
    copyFileSync(whole, copy);
    copyFileSync(`${analyzer}.cache`, `${copy}.cache`);
    const foreign = cli(copy, ['--version'], repoRoot);
    assert.equal(foreign.status, 0, foreign.stderr);
    assert.match(foreign.stderr, /code cache: refused/);
    // The right cache under other V8 flags: V8 refuses it and the CLI compiles from source.
    const run = spawnSync(process.execPath, ['--stack-size=1000', '--input-type=module', '-e',
      `const { loadBundle } = await import(${JSON.stringify(loader)}); const loaded = loadBundle(${JSON.stringify(whole)}); ` +
      `process.stderr.write('offered: ' + (loaded.script.cachedDataRejected !== undefined) + ', used: ' + loaded.cached); process.exitCode = await loaded.exports.main(['--version']);`], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, 'offered: true, used: false');
    assert.match(run.stdout, /^\d+\.\d+\.\d+/);
  });
});
