'use strict';
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

/** The commands run from the analyzer's bundle: the keys of ANALYZER_COMMANDS in src/cli/commands.ts. */
const ANALYZER_COMMANDS = ['analyze', 'config'];

/**
 * The bundle for a command line: the analyzer's for its commands, the whole CLI's otherwise. The
 * command is the first word that is not an option, as src/cli/run-cli.ts reads it.
 */
function bundleFor(argv) {
  const command = argv.find((arg) => !arg.startsWith('-'));
  return ANALYZER_COMMANDS.includes(command) ? 'shipshape-analyzer.cjs' : 'shipshape.cjs';
}

/**
 * `/* shipshape-build:<id> *\/`, the first line of every bundle; its cache file starts with the
 * same id (scripts/build-bundle.mjs).
 */
const BUILD_ID = /^\/\* shipshape-build:([0-9a-f]{32}) \*\//;
const ID_LENGTH = 32;

/**
 * Runs a bundle of the CLI (`dist/shipshape*.cjs`, scripts/build-bundle.mjs) with the V8 code
 * cache the build made for it (`<bundle>.cache`), so that a short command does not spend its time
 * compiling the CLI again (docs/benchmarks.md, "The CLI is bundled"). Node 20 caches the code of
 * no module by itself; a script compiled through `vm` takes a cache.
 *
 * V8 checks a cache against its own version, its flags and the source's length only: a cache of
 * another build of the same length would run that build's code. So each build gives its bundle
 * and its cache one random id, and a cache is offered only with the id of the bundle it is for.
 * The cache is read, never written: the installed CLI may sit on a read-only file system.
 */
function loadBundle(file) {
  // The build escapes the bundle to ASCII, which latin1 reads as a plain copy: faster than UTF-8.
  const source = readFileSync(file, 'latin1');
  const cachedData = cacheFor(source, `${file}.cache`);
  // No `import()` can run in the bundle (it would need vm's experimental loader hook): what it
  // loads from outside, it requires (src/cli/server-modules.ts).
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(file), module, file, path.dirname(file));
  return { exports: module.exports, script, cached: cachedData !== undefined && !script.cachedDataRejected };
}

function cacheFor(source, cacheFile) {
  const id = BUILD_ID.exec(source)?.[1];
  if (id === undefined) return undefined;
  let data;
  try {
    data = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  return data.length > ID_LENGTH && data.toString('latin1', 0, ID_LENGTH) === id ? data.subarray(ID_LENGTH) : undefined;
}

module.exports = { ANALYZER_COMMANDS, bundleFor, loadBundle };
