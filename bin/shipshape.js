#!/usr/bin/env node
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadBundle } from './load-bundle.js';

// `npm run build` also bundles the CLI with a code cache (scripts/build-bundle.mjs), which starts
// faster than the modules tsc emits (docs/benchmarks.md). A bundle older than the modules is
// stale: tsc ran alone since.
const bundle = new URL('../dist/shipshape.cjs', import.meta.url);
const modules = new URL('../dist/src/cli/index.js', import.meta.url);

const { main } = isUpToDate(bundle, modules) ? loadBundle(fileURLToPath(bundle)).exports : await import(modules.href);
process.exitCode = await main(process.argv.slice(2));

function isUpToDate(built, source) {
  const mtime = (url) => statSync(url, { throwIfNoEntry: false })?.mtimeMs;
  const builtAt = mtime(built);
  const sourceAt = mtime(source);
  return builtAt !== undefined && (sourceAt === undefined || builtAt >= sourceAt);
}
