#!/usr/bin/env node
// Runs the compiled tests (dist/test/**/*.test.js) with node's test runner. Node 20 does not
// expand globs after `--test`, so the files are listed here.
//
//   node scripts/run-tests.mjs                        every test file
//   node scripts/run-tests.mjs compose/parse cli      only files whose path contains one of these
//   node scripts/run-tests.mjs --test-name-pattern=x  flags starting with `-` go to node as they are
//
// The output ends with node's TAP summary (`# pass N`, `# fail N`), which CI reads, and the exit
// code is node's.

import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const testRoot = path.join(repoRoot, 'dist', 'test');

// Node flags that take their value as the next argument when written without `=`.
const FLAGS_WITH_VALUE = new Set([
  '--test-name-pattern',
  '--test-skip-pattern',
  '--test-concurrency',
  '--test-reporter',
  '--test-reporter-destination',
  '--test-timeout',
  '--test-shard',
]);

// A test stuck on a never-settling promise would otherwise hold CI until its own time limit.
const DEFAULT_TEST_TIMEOUT_MS = 300_000;

function main() {
  const { nodeFlags, filters } = splitArguments(process.argv.slice(2));

  const all = listTestFiles(testRoot);
  if (all.length === 0) {
    fail(`no compiled tests under ${path.relative(repoRoot, testRoot)}/ (run \`npm run build\` first)`);
  }
  const selected = filters.length === 0 ? all : all.filter((file) => matchesAny(file, filters));
  if (selected.length === 0) {
    fail(`no test file matches ${filters.join(', ')} (${all.length} files under ${path.relative(repoRoot, testRoot)}/)`);
  }

  const has = (flag) => nodeFlags.some((given) => given === flag || given.startsWith(`${flag}=`));
  const defaults = [];
  // The spec reporter, node's default on a terminal, prints its summary as `ℹ pass N`; CI
  // looks for the TAP form.
  if (!has('--test-reporter')) defaults.push('--test-reporter=tap');
  // Node's default is one file fewer than there are cores, which on a 2-core CI machine runs the
  // files one at a time although most of them spend their time waiting on child processes or I/O.
  const concurrency = Math.max(2, os.availableParallelism());
  if (!has('--test-concurrency')) defaults.push(`--test-concurrency=${concurrency}`);
  if (!has('--test-timeout')) defaults.push(`--test-timeout=${DEFAULT_TEST_TIMEOUT_MS}`);

  const files = selected.map((file) => path.join(testRoot, file));
  // On stderr: TAP wants its version line first on stdout.
  console.error(`run-tests: ${files.length} of ${all.length} test files` +
    (has('--test-concurrency') ? '' : `, ${concurrency} at a time`));

  const child = spawn(process.execPath, ['--test', ...defaults, ...nodeFlags, ...files], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  // Ctrl-C reaches the test runner directly (same process group); waiting for it lets it print
  // its summary. A SIGTERM aimed at this script alone is passed on.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('error', (error) => fail(`could not start node: ${error.message}`));
  child.on('exit', (code, signal) => {
    process.exit(signal ? 128 + (os.constants.signals[signal] ?? 0) : code ?? 1);
  });
}

function splitArguments(args) {
  const nodeFlags = [];
  const filters = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      filters.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('-')) {
      nodeFlags.push(arg);
      if (FLAGS_WITH_VALUE.has(arg) && i + 1 < args.length) nodeFlags.push(args[++i]);
    } else {
      filters.push(arg);
    }
  }
  return { nodeFlags, filters };
}

/** Paths relative to `root`, with `/` separators, sorted so runs are repeatable. */
function listTestFiles(root, prefix = '') {
  let entries;
  try {
    entries = readdirSync(path.join(root, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  const files = [];
  for (const entry of entries) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      // Fixtures are data, even when they happen to be named like tests.
      if (entry.name !== 'fixtures' && entry.name !== 'node_modules') files.push(...listTestFiles(root, relative));
    } else if (entry.isFile() && entry.name.endsWith('.test.js')) {
      files.push(relative);
    }
  }
  return files.sort();
}

// `compose/parse`, `test/compose/parse.test.ts` and `dist/test/compose/parse.test.js` all name
// the same file, so a path copied from the editor or from a failure works as a filter.
function matchesAny(file, filters) {
  return filters.some((filter) => file.includes(normalizeFilter(filter)));
}

function normalizeFilter(filter) {
  return filter
    .replaceAll('\\', '/')
    .replace(/^\.\//, '')
    .replace(/^dist\//, '')
    .replace(/^test\//, '')
    .replace(/(\.test)?\.(ts|js)$/, '');
}

function fail(message) {
  console.error(`run-tests: ${message}`);
  process.exit(1);
}

main();
