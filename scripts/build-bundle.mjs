#!/usr/bin/env node
// Bundles the CLI after tsc and build-schema (`npm run build`):
//
//   dist/shipshape.mjs          exports main(argv), as dist/src/cli/index.js does
//   dist/shipshape-*.mjs        one chunk per command, and the code commands share
//
// Node 20 spends much of a short command's time finding, reading and linking modules: `config`
// alone needs ~40 ES modules plus ~80 CommonJS files of yaml and commander. Bundled, it starts
// about 40 ms sooner (docs/benchmarks.md). One file for the whole CLI would not do: V8 parses
// all of it, and `config` would pay for every other command. So each command is a chunk of its
// own, loaded when src/cli/main.ts imports it. The chunks sit beside dist/shipshape.mjs, so that
// a path relative to `import.meta.url` means the same in each of them (agent-command.ts finds
// the compiled modules in dist/src/ that way). bin/shipshape.js runs the bundle unless the
// modules in dist/src are newer.
//
// The generated schema validator (dist/src/compose/schema/validate.js) goes into the bundle.
// ajv does not: schema.ts loads it with a require of its own only when it has to compile the
// schema, and so does the validator for its small run-time helpers.

import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(repoRoot, 'dist', 'src', 'cli', 'index.js');
const outdir = path.join(repoRoot, 'dist');
const NAME = 'shipshape';

// Chunk names change with their content: the previous build's must not pile up.
for (const file of readdirSync(outdir)) {
  if (file === `${NAME}.mjs` || (file.startsWith(`${NAME}-`) && file.endsWith('.mjs'))) rmSync(path.join(outdir, file));
}

try {
  const result = await build({
    entryPoints: { [NAME]: entry },
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: `${NAME}-[name]-[hash]`,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // yaml and commander are CommonJS and require node's built-in modules; an ES module has no
    // `require` of its own.
    banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.values(result.metafile.outputs);
  const kib = (outputs.reduce((sum, output) => sum + output.bytes, 0) / 1024).toFixed(0);
  process.stdout.write(`build-bundle: wrote dist/${NAME}.mjs and ${outputs.length - 1} chunks beside it (${kib} KiB)\n`);
} catch (error) {
  process.stderr.write(`build-bundle: ${error.message}\n`);
  process.exit(1);
}
