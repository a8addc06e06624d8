#!/usr/bin/env node
// Writes docs/rules/<id>.md for every analyzer rule from its metadata, after `tsc` (`npm run build`):
// the rule's prose is written once, in src/analyze/rules/<category>/<id>.ts; the page's
// hand-written notes (below the notes mark) are kept. A page without a rule is an error.
// `--check` writes nothing and exits 1 when a page is not what the metadata makes.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const docsDir = path.join(repoRoot, 'docs', 'rules');
const { RULES, pageNotes, ruleDocsPage } = await import(pathToFileURL(path.join(repoRoot, 'dist', 'src', 'analyze', 'index.js')).href);
const check = process.argv.includes('--check');

const stale = [];
for (const rule of RULES) {
  const file = path.join(docsDir, `${rule.id}.md`);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  const page = ruleDocsPage(rule, pageNotes(current));
  if (page === current) continue;
  stale.push(path.relative(repoRoot, file));
  if (!check) writeFileSync(file, page);
}
const ids = new Set(RULES.map((r) => r.id));
const orphans = readdirSync(docsDir).filter((f) => f.endsWith('.md') && f !== 'README.md' && !ids.has(f.slice(0, -3)));
if (orphans.length > 0) {
  process.stderr.write(`docs/rules: pages without a rule: ${orphans.join(', ')}; remove them or add the rule\n`);
  process.exit(1);
}
if (check && stale.length > 0) {
  process.stderr.write(`rule pages not generated from the metadata: ${stale.join(', ')}; run npm run build\n`);
  process.exit(1);
}
