#!/usr/bin/env node
'use strict';
// CommonJS (bin/package.json): the entry of every command, where an ES module's loader would
// cost a few milliseconds of start-up for nothing.
const { statSync } = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { bundleFor, loadBundle } = require('./load-bundle.js');

// `npm run build` bundles the CLI with a code cache (scripts/build-bundle.mjs), which starts
// faster than the modules tsc emits (docs/benchmarks.md, "The CLI is bundled"): the analyzer's
// commands from a bundle of their own, the rest from the whole CLI's. A bundle older than the
// modules is stale: tsc ran alone since.
const argv = process.argv.slice(2);
const dist = path.join(__dirname, '..', 'dist');
const bundle = path.join(dist, bundleFor(argv));
const modules = path.join(dist, 'src', 'cli', 'index.js');

run().then(
  (code) => {
    process.exitCode = code;
  },
  // main() reports its own errors; this is a CLI that could not even be loaded.
  (err) => {
    process.stderr.write(`shipshape: internal error: cannot load the CLI: ${err?.message ?? String(err)}\n`);
    process.exitCode = 70;
  },
);

async function run() {
  const { main } = isUpToDate(bundle, modules) ? loadBundle(bundle).exports : await import(pathToFileURL(modules).href);
  return main(argv);
}

function isUpToDate(built, source) {
  const mtime = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs;
  const builtAt = mtime(built);
  const sourceAt = mtime(source);
  return builtAt !== undefined && (sourceAt === undefined || builtAt >= sourceAt);
}
