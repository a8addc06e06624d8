'use strict';
const { readFileSync, statSync } = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

/**
 * Runs a bundle of the CLI (`dist/shipshape*.cjs`, scripts/build-bundle.mjs) with the V8 code
 * cache the build made for it (`<bundle>.cache`), so that a short command does not spend its time
 * compiling the CLI again (docs/benchmarks.md, "The CLI is bundled"). Node 20 caches the code of
 * no module by itself; a script compiled through `vm` takes a cache.
 *
 * The cache is read, never written: the build makes it, and the installed CLI may sit on a
 * read-only file system. V8 refuses a cache made by another V8 version or with other flags, and
 * one whose source has another length; one older than the bundle is not offered at all.
 */
function loadBundle(file) {
  // The build escapes the bundle to ASCII, which latin1 reads as a plain copy: faster than UTF-8.
  const source = readFileSync(file, 'latin1');
  const cachedData = freshCache(`${file}.cache`, file);
  // No `import()` can run in the bundle (it would need vm's experimental loader hook): what it
  // loads from outside, it requires (src/cli/server-modules.ts).
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(file), module, file, path.dirname(file));
  return { exports: module.exports, script, cached: cachedData !== undefined && !script.cachedDataRejected };
}

function freshCache(cacheFile, file) {
  try {
    if (statSync(cacheFile).mtimeMs < statSync(file).mtimeMs) return undefined;
    return readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

module.exports = { loadBundle };
