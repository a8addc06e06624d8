#!/usr/bin/env node
// `shipshape config` against `docker-compose config` (Debian's v1), and the compose model's
// in-process load time, on the awesome-compose corpus. Run after `npm run build` (`npm run bench`
// does both). Everything is local; nothing is downloaded.
//
//   node bench/config.mjs [--runs N] [--files N]
//
// 1. Start-up, one small file: `node -e 0` (Node's floor), the CLI as the modules tsc emits, and
//    the CLI bundled (dist/shipshape-analyzer.cjs with its code cache, as bin/shipshape.js runs `config`), 3N runs each, alternating.
// 2. Per file, whole process: `node bin/shipshape.js config -f F` and `docker-compose -f F config`
//    run alternately, N times each (default 7), with `node -e 0` in the same rotation. Reported:
//    median per file, the median of all runs, and the ratio. Files docker-compose refuses because
//    a build directory is missing (the corpus holds compose files only) run from a temporary copy
//    with those directories created empty; files it refuses for another reason, or that a run
//    fails on, are listed and left out.
// 3. In process: a fresh `node` imports dist/src/compose/index.js and calls loadProject on every
//    awesome-compose file: a cold first round, then 5 more; three such processes.
//
// Output is Markdown, ready for docs/benchmarks.md.

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpus = path.join(repoRoot, 'test', 'fixtures', 'corpus', 'awesome-compose');
const cli = path.join(repoRoot, 'bin', 'shipshape.js');
const IN_PROCESS_ROUNDS = 5;
const IN_PROCESS_PROCESSES = 3;
// The start-up comparison's file: small, and accepted by docker-compose as it is.
const STARTUP_SAMPLE = 'flask-redis';
// docker-compose names one missing build directory per run; no sample has more than a few.
const MAX_DIRECTORIES_CREATED = 10;

if (process.argv[2] === '--in-process') {
  await inProcess();
} else {
  await main();
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const files = corpusFiles().slice(0, options.files);
  if (!existsSync(path.join(repoRoot, 'dist', 'src', 'compose', 'index.js'))) fail('dist/ is missing: run `npm run build` first');

  print(`## shipshape config vs docker-compose config\n`);
  print(`load average at start: ${loadAverage()}\n`);
  startup(files.find((f) => f.includes(`${path.sep}${STARTUP_SAMPLE}${path.sep}`)) ?? files[0], options.runs * 3);
  const oracle = oracleVersion();
  if (oracle) {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'shipshape-bench-'));
    try {
      perFile(files, options.runs, scratch, oracle);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  } else {
    print('docker-compose is not installed (Debian: `apt-get install docker-compose`); the per-file comparison is skipped.\n');
  }

  print(`## compose model in process (${files.length} awesome-compose files, one process)\n`);
  const results = [];
  for (let i = 0; i < IN_PROCESS_PROCESSES; i++) {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--in-process', ...files], { encoding: 'utf8' });
    if (child.status !== 0) fail(`in-process run failed:\n${child.stderr}`);
    results.push(JSON.parse(child.stdout));
  }
  const of = (key) => median(results.map((r) => r[key]));
  print(`Median of ${IN_PROCESS_PROCESSES} fresh processes; ms.\n`);
  print('| measure | ms |');
  print('| --- | ---: |');
  print(`| import dist/src/compose/index.js | ${ms(of('importMs'))} |`);
  print(`| first round, cold (${files.length} files) | ${ms(of('coldMs'))} |`);
  print(`| import and first round | ${ms(median(results.map((r) => r.importMs + r.coldMs)))} |`);
  print(`| later rounds (median of ${IN_PROCESS_ROUNDS} after the first) | ${ms(median(results.flatMap((r) => r.roundsMs)))} |`);
  print('');
  const withErrors = [...new Set(results.flatMap((r) => r.filesWithErrors))];
  print(`Files with error diagnostics: ${withErrors.length === 0 ? 'none' : withErrors.join(', ')}. ` +
    `Schema validator: ${[...new Set(results.map((r) => r.validator))].join(', ')}.`);
  print(`\nload average at end: ${loadAverage()}`);
}

/**
 * One file, whole process: Node's floor, the CLI as the modules tsc emits, and the CLI bundled
 * (what bin/shipshape.js runs after `npm run build`). Both CLIs start from the same `-e` stub.
 */
function startup(file, runs) {
  const stub = (module) => `import { main } from ${JSON.stringify(pathToFileURL(module).href)}; process.exitCode = await main(process.argv.slice(1));`;
  const bundleStub = (file) =>
    `import { loadBundle } from ${JSON.stringify(pathToFileURL(path.join(repoRoot, 'bin', 'load-bundle.js')).href)}; ` +
    `process.exitCode = await loadBundle(${JSON.stringify(file)}).exports.main(process.argv.slice(1));`;
  const variants = [
    ['node -e 0', ['-e', '0']],
    ['CLI as tsc modules', ['--input-type=module', '-e', stub(path.join(repoRoot, 'dist', 'src', 'cli', 'index.js'))]],
  ];
  const bundle = path.join(repoRoot, 'dist', 'shipshape-analyzer.cjs');
  if (existsSync(bundle)) variants.push(['CLI bundled', ['--input-type=module', '-e', bundleStub(bundle)]]);
  const times = variants.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < variants.length; k++) {
      const v = (i + k) % variants.length;
      const [label, args] = variants[v];
      const isCli = label !== 'node -e 0';
      const failure = timed(times[v], process.execPath, isCli ? [...args, 'config', '-f', file] : args);
      if (failure) fail(`${label}: ${failure}`);
    }
  }
  print(`### start-up: \`config -f ${path.relative(repoRoot, file)}\`, ${runs} runs each, alternating; ms\n`);
  print('| how | median | min |');
  print('| --- | ---: | ---: |');
  for (const [v, [label]] of variants.entries()) print(`| ${label} | ${ms(median(times[v]))} | ${ms(Math.min(...times[v]))} |`);
  print('');
}

/** Runs both tools on every file docker-compose accepts, alternately, and prints the table. */
function perFile(files, runs, scratch, oracle) {
  const rows = [];
  const skipped = [];
  const failed = [];
  const all = { shipshape: [], oracle: [], node: [] };
  for (const [index, original] of files.entries()) {
    const sample = path.basename(path.dirname(original));
    progress(`[${index + 1}/${files.length}] ${sample}`);
    const prepared = acceptedInput(original, scratch);
    if (prepared.refused) {
      skipped.push(`${sample} (${prepared.refused})`);
      continue;
    }
    const file = prepared.file;
    const times = { shipshape: [], oracle: [], node: [] };
    let failure;
    const commands = [
      () => timed(times.shipshape, process.execPath, [cli, 'config', '-f', file]),
      () => timed(times.oracle, 'docker-compose', ['-f', file, 'config']),
      () => timed(times.node, process.execPath, ['-e', '0']),
    ];
    for (let i = 0; i < runs && !failure; i++) {
      // Each takes its turn going first, so that all see the same machine load.
      for (let c = 0; c < commands.length && !failure; c++) failure = commands[(i + c) % commands.length]();
    }
    // A failed run times an error path, not the work: the file is reported, not timed.
    if (failure) {
      failed.push(`${sample}: ${failure}`);
      continue;
    }
    for (const key of Object.keys(all)) all[key].push(...times[key]);
    rows.push({ sample, copied: prepared.copied, shipshape: median(times.shipshape), oracle: median(times.oracle), node: median(times.node) });
  }
  progress('');
  if (rows.length === 0) {
    print(`No file could be timed. ${[...skipped, ...failed].join('; ')}\n`);
    return;
  }

  print(`${oracle}; node ${process.version}; ${runs} runs of each per file, alternating; wall time of the whole process, ms.\n`);
  print('| file | shipshape | docker-compose | ratio | node -e 0 |');
  print('| --- | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const name = `${r.sample}${r.copied ? ' *' : ''}`;
    print(`| ${name} | ${ms(r.shipshape)} | ${ms(r.oracle)} | ${ratio(r.shipshape, r.oracle)} | ${ms(r.node)} |`);
  }
  const overall = { shipshape: median(all.shipshape), oracle: median(all.oracle), node: median(all.node) };
  print(`| **all ${rows.length} files (median of all runs)** | **${ms(overall.shipshape)}** | **${ms(overall.oracle)}** | **${ratio(overall.shipshape, overall.oracle)}** | ${ms(overall.node)} |`);
  print('');
  print(`\\* run from a temporary copy with its missing build directories created empty.`);
  if (skipped.length > 0) print(`Left out, refused by docker-compose: ${skipped.join('; ')}.`);
  if (failed.length > 0) print(`Left out, a run failed: ${failed.join('; ')}.`);
  print(`\nNode's own start (\`node -e 0\`) is ${ratio(overall.node, overall.oracle)} of docker-compose's time; ` +
    `shipshape takes ${ms(overall.shipshape - overall.node)} ms more than that.\n`);
}

/**
 * The file to run both tools on: the original when docker-compose accepts it, else a copy of its
 * sample directory with the build directories docker-compose asks for created empty.
 */
function acceptedInput(original, scratch) {
  let check = runOracle(original);
  if (check.status === 0) return { file: original, copied: false };
  const sampleDir = path.dirname(original);
  const copyDir = path.join(scratch, path.basename(sampleDir));
  cpSync(sampleDir, copyDir, { recursive: true });
  const file = path.join(copyDir, path.basename(original));
  check = runOracle(file);
  for (let created = 0; created < MAX_DIRECTORIES_CREATED; created++) {
    const missing = /build path (.+?) either does not exist/.exec(check.stderr)?.[1];
    const inside = missing !== undefined && path.resolve(missing).startsWith(copyDir + path.sep);
    if (!inside) break;
    mkdirSync(missing, { recursive: true });
    check = runOracle(file);
    if (check.status === 0) return { file, copied: true };
  }
  // docker-compose says what is wrong on its first lines, then where to read more.
  const reason = check.stderr.trim().split('\n').slice(0, 2).join(' ') || `exit ${check.status}`;
  return { refused: reason.length > 120 ? `${reason.slice(0, 119)}…` : reason };
}

function runOracle(file) {
  return spawnSync('docker-compose', ['-f', file, 'config', '-q'], { encoding: 'utf8' });
}

/** Adds the wall time of one whole run, in ms, to `times`; returns why it failed, if it did. */
function timed(times, command, args) {
  const start = process.hrtime.bigint();
  const run = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
  if (run.status === 0) return undefined;
  const last = run.stderr.trim().split('\n').at(-1) ?? '';
  return `${path.basename(command)} exited ${run.status ?? run.signal}${last ? `: ${last.slice(0, 120)}` : ''}`;
}

/** The child: loads every file in one fresh process and reports the timings as JSON. */
async function inProcess() {
  const files = process.argv.slice(3);
  const importStart = performance.now();
  const compose = await import(pathToFileURL(path.join(repoRoot, 'dist', 'src', 'compose', 'index.js')).href);
  const importMs = performance.now() - importStart;
  const schema = await import(pathToFileURL(path.join(repoRoot, 'dist', 'src', 'compose', 'schema.js')).href);
  const round = () => {
    const start = performance.now();
    const failed = [];
    for (const file of files) {
      const result = compose.loadProject({ files: [file] });
      if (!result.project || compose.hasErrors(result.diagnostics)) failed.push(path.basename(path.dirname(file)));
    }
    return { ms: performance.now() - start, failed };
  };
  const cold = round();
  const roundsMs = Array.from({ length: IN_PROCESS_ROUNDS }, () => round().ms);
  const validator = schema.schemaValidatorOrigin?.() ?? 'unknown';
  process.stdout.write(JSON.stringify({ importMs, coldMs: cold.ms, roundsMs, filesWithErrors: cold.failed, validator }));
}

/** Each sample's compose file (compose.yaml or compose.yml), in name order. */
function corpusFiles() {
  if (!existsSync(corpus)) fail(`corpus not found: ${corpus}`);
  return readdirSync(corpus, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => ['compose.yaml', 'compose.yml'].map((name) => path.join(corpus, entry.name, name)).find((f) => existsSync(f)))
    .filter((file) => file !== undefined)
    .sort();
}

function oracleVersion() {
  const run = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8' });
  return run.status === 0 ? `docker-compose ${run.stdout.trim()}` : undefined;
}

function parseOptions(argv) {
  const options = { runs: 7, files: Infinity };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag !== '--runs' && flag !== '--files') fail(`unknown option ${argv[i]}; use --runs N, --files N`);
    const value = Number(inline ?? argv[++i]);
    if (!Number.isInteger(value) || value < 1 || value > 1000) fail(`${flag} takes a whole number from 1 to 1000`);
    options[flag.slice(2)] = value;
  }
  return options;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function ms(value) {
  return value.toFixed(0);
}

function ratio(part, whole) {
  return `${(part / whole).toFixed(2)}×`;
}

function loadAverage() {
  return `${os.loadavg().map((l) => l.toFixed(2)).join(', ')} (${os.availableParallelism()} CPUs)`;
}

/** One line on a terminal, rewritten in place; nothing in a log. */
function progress(text) {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
}

function print(line) {
  process.stdout.write(`${line}\n`);
}

function fail(message) {
  process.stderr.write(`bench/config: ${message}\n`);
  process.exit(1);
}
