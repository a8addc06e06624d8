#!/usr/bin/env node
// Bundles the web dashboard (`npm run build`, after tsc has type-checked it with
// src/web/app/tsconfig.json): src/web/app/main.tsx and the CSS it imports become
// dist/src/web/assets/app.js and app.css, which the manager serves at /ui/ (src/web/index.ts).
// Everything is in these two files: no CDN, no font, nothing fetched from elsewhere, so the
// page's Content-Security-Policy can allow 'self' only (docs/dashboard.md).

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(repoRoot, 'dist', 'src', 'web', 'assets');
mkdirSync(outdir, { recursive: true });

try {
  const result = await build({
    entryPoints: { app: path.join(repoRoot, 'src', 'web', 'app', 'main.tsx') },
    outdir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.entries(result.metafile.outputs).map(([file, output]) => `${path.basename(file)} ${(output.bytes / 1024).toFixed(0)} KiB`);
  const leaked = Object.keys(result.metafile.inputs).filter((input) => input.includes('node_modules/typebox'));
  if (leaked.length > 0) throw new Error(`the dashboard bundle pulled in typebox (${leaked[0]}): import contract types with \`import type\``);
  process.stdout.write(`build-dashboard: wrote ${outputs.join(', ')} to dist/src/web/assets/\n`);
} catch (error) {
  process.stderr.write(`build-dashboard: ${error.message}\n`);
  process.exit(1);
}
