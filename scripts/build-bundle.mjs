#!/usr/bin/env node
// Bundles the CLI after tsc and build-schema (`npm run build`):
//
//   dist/shipshape.cjs                   the whole CLI: exports main(argv), as dist/src/cli/index.js does
//   dist/shipshape-analyzer.cjs          `analyze` and `config` only (src/cli/analyzer-main.ts)
//   dist/shipshape*.cjs.cache            V8's code cache for each, made by running a few commands,
//                                        after the build id the bundle's first line carries
//
// Node 20 spends most of a short command's time finding, reading, linking and compiling modules:
// `config` alone needs ~40 ES modules plus ~80 CommonJS files of yaml and commander, and V8
// compiles all of it again on every start, because Node 20 caches the code of no module.
// bin/shipshape.js therefore runs one CommonJS file through `vm.Script` with a code cache
// (bin/load-bundle.js): V8 then reads the compiled functions instead of parsing and compiling
// them (docs/benchmarks.md, "The CLI is bundled"). Each command's modules run only when the
// command does (esbuild wraps what src/cli/commands.ts imports lazily). The analyzer's commands,
// which a CI gate runs on every change, get a bundle of their own: a fifth smaller to read and to
// load from the cache.
//
// The manager and the agent stay out: they are loaded from dist/src by a specifier esbuild cannot
// follow (src/cli/server-modules.ts says why). The generated schema validator goes in: the
// bundle's src/compose/generated-validator.js imports it instead of requiring it at run time.
// ajv does not: schema.ts loads it with a require of its own only when it has to compile the
// schema, and so does the validator for its small run-time helpers.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(repoRoot, 'dist');
const validator = path.join(dist, 'src', 'compose', 'schema', 'validate.js');

/** Each bundle and the compiled module it starts from. */
const BUNDLES = [
  { file: 'shipshape.cjs', entry: 'index.js' },
  { file: 'shipshape-analyzer.cjs', entry: 'analyzer-main.js' },
];

/**
 * What the training runs execute for the caches. scripts/training/ is always there; the rest
 * only in a checkout (the image's build stage copies no tests): more code compiled, a fuller cache.
 */
const TRAINING = [
  ['analyze', 'scripts/training', '--format', 'json'],
  ['analyze', 'scripts/training', '--format', 'md'],
  ['config', '-f', 'scripts/training/compose.yaml'],
  ['analyze', 'test/fixtures/realworld', '--format', 'json'],
  ['analyze', 'deploy'],
];

/** Replaces src/compose/generated-validator.js with a module that imports the generated validator. */
const bundledValidator = {
  name: 'bundled-validator',
  setup(b) {
    b.onResolve({ filter: /generated-validator\.js$/ }, () => ({ path: 'generated-validator', namespace: 'shipshape' }));
    b.onLoad({ filter: /.*/, namespace: 'shipshape' }, () => {
      if (!existsSync(validator)) fail('dist/src/compose/schema/validate.js is missing: run scripts/build-schema.mjs first');
      return {
        contents: `import * as validator from ${JSON.stringify(validator)};\nexport function loadGeneratedValidator() { return validator; }\n`,
        resolveDir: dist,
      };
    });
  },
};

async function bundleAndTrain() {
  // The bundles of earlier builds (a split ES-module bundle before these) must not linger.
  for (const file of readdirSync(dist)) {
    if (file.startsWith('shipshape') && /\.(mjs|cjs|cache)$/.test(file)) rmSync(path.join(dist, file));
  }
  const written = [];
  for (const { file, entry } of BUNDLES) {
    const bundle = path.join(dist, file);
    try {
      await build({
        entryPoints: [path.join(dist, 'src', 'cli', entry)],
        outfile: bundle,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        // A CommonJS file has no import.meta: the bundle's own URL stands in, which is what the
        // modules' relative URLs (package.json, dist/src) were written against.
        define: { 'import.meta.url': '__shipshape_bundle_url' },
        // The build id (bin/load-bundle.js): a cache is used only with the bundle it was made for.
        banner: { js: `/* shipshape-build:${randomBytes(16).toString('hex')} */\nvar __shipshape_bundle_url = require('node:url').pathToFileURL(__filename).href;` },
        plugins: [bundledValidator],
        logLevel: 'warning',
      });
    } catch (error) {
      fail(error.message);
    }
    writeFileSync(bundle, asciiOnly(readFileSync(bundle, 'utf8')));
    const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--train', bundle], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
      // V8 refuses a cache made under other flags: it is made under node's defaults, which is
      // what `shipshape` runs with (a build under NODE_OPTIONS=--max-old-space-size=… would
      // otherwise ship caches nobody can use).
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    if (run.status !== 0) fail(`training the code cache of dist/${file} failed (see above)`);
    const kib = (name) => (statSync(name).size / 1024).toFixed(0);
    written.push(`dist/${file} (${kib(bundle)} KiB, code cache ${kib(`${bundle}.cache`)} KiB)`);
  }
  process.stderr.write(`build-bundle: wrote ${written.join(' and ')}\n`);
}

/**
 * esbuild writes strings as ASCII but leaves other characters of comments and regular expressions
 * as they are; escaped, the whole file is ASCII, which bin/load-bundle.js reads as latin1 (a copy,
 * not UTF-8 decoding). `\\uXXXX` means the same code unit in a string, a template, an identifier
 * and a regular expression, and nothing in a comment.
 */
function asciiOnly(source) {
  return source.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Runs in a child process of its own, with its output discarded: compiles the bundle as the CLI
 * does, runs the training commands in it, and saves the code of every function they compiled.
 */
async function train(bundle) {
  const { loadBundle } = await import('../bin/load-bundle.js');
  const { exports, script } = loadBundle(bundle);
  for (const argv of TRAINING) {
    const input = path.join(repoRoot, argv[1] === '-f' ? argv[2] : argv[1]);
    if (!existsSync(input)) {
      if (input.includes(`${path.sep}training`)) fail(`${path.relative(repoRoot, input)} is missing`);
      continue;
    }
    // 1 is the gate refusing the findings it was shown; 2 and above is a command that went wrong.
    const code = await exports.main(argv);
    if (code > 1) fail(`\`shipshape ${argv.join(' ')}\` exited ${code}`);
  }
  const id = /^\/\* shipshape-build:([0-9a-f]{32}) \*\//.exec(readFileSync(bundle, 'latin1'))?.[1];
  if (id === undefined) fail(`dist/${path.basename(bundle)} has no build id on its first line`);
  writeFileSync(`${bundle}.cache`, Buffer.concat([Buffer.from(id, 'latin1'), script.createCachedData()]));
}

function fail(message) {
  process.stderr.write(`build-bundle: ${message}\n`);
  process.exit(1);
}

if (process.argv[2] === '--train') await train(process.argv[3]);
else await bundleAndTrain();
