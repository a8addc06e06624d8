#!/usr/bin/env node
// Bundles the CLI into one file, after tsc and build-schema (`npm run build`):
//
//   dist/shipshape.mjs   exports main(argv), as dist/src/cli/index.js does
//
// Node 20 spends much of a short command's time finding, reading and linking modules: the CLI
// is ~45 ES modules plus ~100 CommonJS files of yaml and commander. One file starts about 40 ms
// sooner (docs/benchmarks.md). bin/shipshape.js runs it unless the modules are newer.
//
// The generated schema validator (dist/src/compose/schema/validate.js) goes into the bundle.
// ajv does not: schema.ts loads it with a require of its own only when it has to compile the
// schema, and so does the validator for its small run-time helpers.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(repoRoot, 'dist', 'src', 'cli', 'index.js');
const outfile = path.join(repoRoot, 'dist', 'shipshape.mjs');

try {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // yaml and commander are CommonJS and require node's built-in modules; an ES module has no
    // `require` of its own.
    banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
    metafile: true,
    logLevel: 'warning',
  });
  const bytes = result.metafile.outputs[path.relative(process.cwd(), outfile)]?.bytes;
  const size = bytes === undefined ? '' : ` (${(bytes / 1024).toFixed(0)} KiB)`;
  process.stdout.write(`build-bundle: wrote ${path.relative(repoRoot, outfile)}${size}\n`);
} catch (error) {
  process.stderr.write(`build-bundle: ${error.message}\n`);
  process.exit(1);
}
