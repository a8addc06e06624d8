#!/usr/bin/env node
// `shipshape analyze` against dclint (npm `dclint`, a dev dependency) on the awesome-compose
// samples, side by side in one run, and what each tool finds there. Run after `npm run build`
// (`npm run bench` does both). Everything is local; nothing is downloaded.
//
//   node bench/analyze.mjs [--runs N] [--files N] [--inherit-env]
//
// Both tools run in the same environment: this one, without the variables that make Node itself
// do work at every start (NODE_OPTIONS; NODE_EXTRA_CA_CERTS, which has Node parse a certificate
// bundle before any code runs: ~35 ms a process on the machine of docs/benchmarks.md). That cost
// belongs to neither tool, and `node -e 0` is measured the same way. `--inherit-env` keeps them.
//
// 1. Wall time of whole processes, N runs (default 5), medians:
//    - one process for the whole folder: `shipshape analyze DIR --format json` and
//      `dclint DIR -r -f json`;
//    - one process per compose file, for each tool, summed over the files:
//      `shipshape analyze -f FILE --format json` and `dclint FILE -f json`;
//    with `node -e 0` in the same rotation as Node's floor. The tools alternate within each run
//    and take turns going first, so that both see the same machine load. dclint runs through
//    node_modules/dclint/bin/dclint.cjs, what `npx dclint` ends up running, without npx's own
//    start-up.
// 2. What each tool finds, from the first whole-folder run: dclint's rules mapped to shipshape's,
//    counts per rule and per category, the findings only one tool has, and shipshape's findings
//    per rule on the corpus.
//
// Output is Markdown, ready for docs/benchmarks.md.

import { spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpus = path.join(repoRoot, 'test', 'fixtures', 'corpus', 'awesome-compose');
const cli = path.join(repoRoot, 'bin', 'shipshape.js');
const dclintBin = path.join(repoRoot, 'node_modules', 'dclint', 'bin', 'dclint.cjs');
const GOAL = 0.1;

/**
 * dclint's rules (3.x) and what shipshape reports the same problem as. `ours: null` marks what
 * shipshape leaves to dclint, with the reason; `style` rules are about how the file is written,
 * not about what it deploys.
 */
const DCLINT_RULES = {
  'invalid-yaml': { ours: 'yaml-syntax' },
  'invalid-schema': { ours: 'schema' },
  'no-unbound-port-interfaces': { ours: 'unbound-port-interface' },
  'no-duplicate-exported-ports': { ours: 'port-conflict' },
  'no-duplicate-container-names': { ours: 'schema', note: 'compose refuses the project; shipshape reports it under `schema`' },
  'service-container-name-regex': { ours: 'schema', note: 'the compose schema already constrains container names' },
  'no-version-field': { ours: 'obsolete-version' },
  'service-image-require-explicit-tag': { ours: 'latest-tag' },
  'require-project-name-field': { ours: null, kind: 'convention', note: '`name:` is optional: compose names the project after its directory' },
  'no-build-and-image': { ours: null, kind: 'policy', note: 'valid compose: `image:` names the image that `build:` produces' },
  'require-quotes-in-ports': { ours: null, kind: 'style', note: 'quoting: compose reads YAML 1.2, where an unquoted `8080:80` is the same string' },
  'no-quotes-in-volumes': { ours: null, kind: 'style', note: 'quoting' },
  'service-keys-order': { ours: null, kind: 'style', note: 'key order' },
  'services-alphabetical-order': { ours: null, kind: 'style', note: 'key order' },
  'top-level-properties-order': { ours: null, kind: 'style', note: 'key order' },
  'service-dependencies-alphabetical-order': { ours: null, kind: 'style', note: 'list order' },
  'service-ports-alphabetical-order': { ours: null, kind: 'style', note: 'list order' },
};

const options = parseOptions(process.argv.slice(2));
const NODE_START_VARIABLES = ['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS'];
const toolEnv = { ...process.env, NO_COLOR: '1' };
for (const name of nodeStartVariables()) delete toolEnv[name];
// Removed on every exit, fail() included.
const scratchDirs = [];
process.on('exit', () => scratchDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const stdoutFile = path.join(scratch('shipshape-bench-out-'), 'stdout.json');
await main();

async function main() {
  if (!existsSync(path.join(repoRoot, 'dist', 'src', 'analyze', 'index.js'))) fail('dist/ is missing: run `npm run build` first');
  if (!existsSync(dclintBin)) fail('dclint is not installed: run `npm install` (it is a dev dependency)');
  const samples = sampleDirs();
  const root = options.files < samples.length ? copySamples(samples.slice(0, options.files), scratch('shipshape-bench-')) : corpus;
  await report(root, composeFiles(root));
}

function scratch(prefix) {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}

async function report(root, files) {
  const { RULES } = await import(pathToFileURL(path.join(repoRoot, 'dist', 'src', 'analyze', 'index.js')).href);
  const categoryOf = new Map(RULES.map((rule) => [rule.id, rule.category]));

  print(`## analyzer (\`shipshape analyze\`) vs dclint\n`);
  print(`${machine()}\n`);
  print(`shipshape ${packageVersion(repoRoot)} (CLI from ${cliEntry()}), dclint ${packageVersion(path.join(repoRoot, 'node_modules', 'dclint'))}; ` +
    `${files.length} compose files under \`${path.relative(repoRoot, corpus)}\`${root === corpus ? '' : ' (a copy of the first ones)'}; ` +
    `${options.runs} runs, wall time of whole processes in ms, medians. Environment: ${envNote()}. Load average at start: ${loadAverage()}.\n`);

  const timing = measure(root, files);
  printTiming(timing, files.length);

  const ours = flattenShipshape(timing.outputs.shipshape, root);
  const theirs = flattenDclint(timing.outputs.dclint, root);
  checkPerFileAgrees(timing.perFileCounts, ours.length, theirs.length);
  printComparison(ours, theirs, categoryOf);
  printRealWorldCounts(ours, categoryOf, files.length);
  print(`\nLoad average at end: ${loadAverage()}.`);
}

// --- timing ------------------------------------------------------------------------------------

/** The whole folder (discovery finds every sample), or one compose file with `-f`. */
function shipshapeArgs(target, file) {
  return file ? [cli, 'analyze', '-f', target, '--format', 'json'] : [cli, 'analyze', target, '--format', 'json'];
}

function dclintArgs(target, recursive) {
  return [dclintBin, target, ...(recursive ? ['-r'] : []), '-f', 'json'];
}

/** Runs everything `options.runs` times, alternating the tools; keeps the first outputs. */
function measure(root, files) {
  const times = { folder: { shipshape: [], dclint: [] }, perFile: { shipshape: [], dclint: [] }, node: [] };
  const outputs = {};
  const perFileCounts = { shipshape: 0, dclint: 0 };
  for (let run = 0; run < options.runs; run++) {
    const order = run % 2 === 0 ? ['shipshape', 'dclint'] : ['dclint', 'shipshape'];
    progress(`run ${run + 1}/${options.runs}: whole folder`);
    for (const tool of order) {
      const args = tool === 'shipshape' ? shipshapeArgs(root) : dclintArgs(root, true);
      const result = timedJson(tool, args);
      times.folder[tool].push(result.ms);
      if (run === 0) outputs[tool] = result.json;
    }
    const sums = { shipshape: 0, dclint: 0 };
    for (const [index, file] of files.entries()) {
      progress(`run ${run + 1}/${options.runs}: file ${index + 1}/${files.length}`);
      for (const tool of order) {
        const args = tool === 'shipshape' ? shipshapeArgs(file, true) : dclintArgs(file, false);
        const result = timedJson(tool, args);
        sums[tool] += result.ms;
        if (run === 0) perFileCounts[tool] += tool === 'shipshape' ? countShipshape(result.json) : countDclint(result.json);
      }
    }
    times.perFile.shipshape.push(sums.shipshape);
    times.perFile.dclint.push(sums.dclint);
    times.node.push(timed(process.execPath, ['-e', '0']).ms);
  }
  progress('');
  return { times, outputs, perFileCounts };
}

/** One whole process; its stdout must be JSON. Exit 1 means "findings", not failure, for both tools. */
function timedJson(tool, args) {
  const run = timed(process.execPath, args);
  if (run.status !== 0 && run.status !== 1) fail(`${tool} ${args.slice(1).join(' ')} exited ${run.status ?? run.signal}: ${lastLine(run.stderr)}`);
  try {
    return { ms: run.ms, json: JSON.parse(run.stdout) };
  } catch {
    return fail(`${tool} ${args.slice(1).join(' ')} did not print JSON: ${lastLine(run.stderr || run.stdout)}`);
  }
}

/**
 * Runs one whole process with stdout on a file: dclint ends with process.exit(), which cuts
 * output to a pipe at 64 KiB, while writes to a file are synchronous. Both tools get the same.
 */
function timed(command, args) {
  const fd = openSync(stdoutFile, 'w');
  try {
    const start = process.hrtime.bigint();
    const run = spawnSync(command, args, { cwd: repoRoot, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', env: toolEnv });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (run.error) fail(`could not run ${command}: ${run.error.message}`);
    return { ms, status: run.status, signal: run.signal, stdout: readFileSync(stdoutFile, 'utf8'), stderr: run.stderr };
  } finally {
    closeSync(fd);
  }
}

function printTiming({ times }, fileCount) {
  const folder = { shipshape: median(times.folder.shipshape), dclint: median(times.folder.dclint) };
  const perFile = { shipshape: median(times.perFile.shipshape), dclint: median(times.perFile.dclint) };
  const node = median(times.node);
  // The two tools of one run ran next to each other, under the same load: their ratio is steadier
  // than the ratio of the medians when the machine is busy.
  const paired = (mode) => median(times[mode].shipshape.map((value, i) => value / times[mode].dclint[i]));
  print('| mode | shipshape | dclint | shipshape ÷ dclint (medians) | median of per-run ratios | node -e 0 |');
  print('| --- | ---: | ---: | ---: | ---: | ---: |');
  print(`| one process, whole folder | ${ms(folder.shipshape)} | ${ms(folder.dclint)} | **${ratio(folder.shipshape, folder.dclint)}** | ${paired('folder').toFixed(3)}× | ${ms(node)} |`);
  print(`| one process per file, ${fileCount} files, summed | ${ms(perFile.shipshape)} | ${ms(perFile.dclint)} | **${ratio(perFile.shipshape, perFile.dclint)}** | ${paired('perFile').toFixed(3)}× | ${ms(node * fileCount)} |`);
  print(`| one process per file, per file | ${ms(perFile.shipshape / fileCount)} | ${ms(perFile.dclint / fileCount)} | ${ratio(perFile.shipshape, perFile.dclint)} | | ${ms(node)} |`);
  print('');
  print(`All runs, whole folder: shipshape ${list(times.folder.shipshape)}; dclint ${list(times.folder.dclint)}. ` +
    `Per file, summed: shipshape ${list(times.perFile.shipshape)}; dclint ${list(times.perFile.dclint)}.`);
  print('');
  const verdict = (value) => (value <= GOAL ? `meets the goal of ${GOAL}×` : `misses the goal of ${GOAL}×`);
  print(`Whole folder: shipshape takes ${ratio(folder.shipshape, folder.dclint)} of dclint's time (${verdict(folder.shipshape / folder.dclint)}). ` +
    `Per file: ${ratio(perFile.shipshape, perFile.dclint)} (${verdict(perFile.shipshape / perFile.dclint)}); ` +
    `there Node's own start, ${ms(node)} ms a process, is ${ratio(node * fileCount, perFile.dclint)} of dclint's time by itself` +
    (node * fileCount >= GOAL * perFile.dclint ? `, so no Node tool started once per file can reach ${GOAL}×.\n` : '.\n'));
}

// --- findings ----------------------------------------------------------------------------------

/** shipshape's findings as `{rule, file, service, line, severity}` with paths relative to the corpus. */
function flattenShipshape(report, root) {
  const out = [];
  for (const project of report.projects) {
    for (const environment of project.environments) {
      for (const f of environment.findings) {
        const file = path.relative(root, path.resolve(root, project.dir, f.file));
        out.push({ rule: f.rule, severity: f.severity, file, service: f.service, line: f.line, message: f.message });
      }
    }
  }
  return out;
}

function flattenDclint(results, root) {
  const out = [];
  for (const result of results) {
    const file = path.relative(root, path.resolve(repoRoot, result.filePath));
    for (const m of result.messages) {
      const service = typeof m.data?.serviceName === 'string' ? m.data.serviceName : null;
      out.push({ rule: m.rule, category: m.category, type: m.type, file, service, line: m.line, message: m.message });
    }
  }
  return out;
}

function countShipshape(report) {
  return report.projects.reduce((n, p) => n + p.environments.reduce((m, e) => m + e.findings.length, 0), 0);
}

function countDclint(results) {
  return results.reduce((n, r) => n + r.messages.length, 0);
}

function checkPerFileAgrees(perFile, oursTotal, theirsTotal) {
  if (perFile.shipshape !== oursTotal || perFile.dclint !== theirsTotal) {
    print(`Note: run file by file, shipshape found ${perFile.shipshape} findings (${oursTotal} on the folder) and dclint ${perFile.dclint} (${theirsTotal}).\n`);
  }
}

function printComparison(ours, theirs, categoryOf) {
  print('### What each tool finds\n');
  print(`shipshape: ${ours.length} findings from ${new Set(ours.map((f) => f.rule)).size} rules; ` +
    `dclint: ${theirs.length} findings from ${new Set(theirs.map((f) => f.rule)).size} rules.\n`);

  print('| category | shipshape | dclint |');
  print('| --- | ---: | ---: |');
  const ourCategories = countBy(ours, (f) => categoryOf.get(f.rule) ?? 'unknown');
  const theirCategories = countBy(theirs, (f) => f.category ?? 'unknown');
  const rows = [
    ['security', ourCategories.get('security') ?? 0, theirCategories.get('security') ?? 0],
    ['validation (dclint: its YAML and schema errors)', ourCategories.get('validation') ?? 0,
      theirs.filter((f) => f.rule === 'invalid-yaml' || f.rule === 'invalid-schema').length],
    ['reliability', ourCategories.get('reliability') ?? 0, 0],
    ['dockerfile', ourCategories.get('dockerfile') ?? 0, 0],
    ['best practice (dclint)', 0, (theirCategories.get('best-practice') ?? 0)],
    ['style (dclint)', 0, (theirCategories.get('style') ?? 0) - theirs.filter((f) => f.category === 'style' && f.rule.startsWith('invalid-')).length],
  ];
  for (const [name, a, b] of rows) print(`| ${name} | ${a} | ${b} |`);
  print('');

  print('| dclint rule | dclint | shipshape rule | shipshape (whole rule) | same service | only dclint | only shipshape | note |');
  print('| --- | ---: | --- | ---: | ---: | ---: | ---: | --- |');
  const disagreements = [];
  const seenRules = new Set(theirs.map((f) => f.rule));
  const names = [...new Set([...Object.keys(DCLINT_RULES), ...seenRules])];
  for (const name of names) {
    const mapping = DCLINT_RULES[name] ?? { ours: null, kind: 'unmapped', note: 'a dclint rule this script does not know' };
    const mine = theirs.filter((f) => f.rule === name);
    if (!mapping.ours) {
      print(`| \`${name}\` | ${mine.length} | — (${mapping.kind}) | | | ${mine.length} | | ${mapping.note} |`);
      continue;
    }
    const counterpart = ours.filter((f) => f.rule === mapping.ours);
    // Only the part of a broad rule (schema) that answers this dclint rule can be compared.
    const about = { 'no-duplicate-container-names': /container name "/, 'service-container-name-regex': /container_name/ }[name];
    const comparable = about ? counterpart.filter((f) => about.test(f.message)) : counterpart;
    const matched = matchByPlace(mine, comparable);
    print(`| \`${name}\` | ${mine.length} | \`${mapping.ours}\` | ${counterpart.length} | ${matched.both} | ${matched.onlyTheirs.length} | ${matched.onlyOurs.length} | ${mapping.note ?? ''} |`);
    if (matched.onlyTheirs.length > 0 || matched.onlyOurs.length > 0) disagreements.push({ name, ours: mapping.ours, ...matched });
  }
  print('');
  print('"same service": both tools report the rule for the same service of the same file (or the same file, for file-level rules); ' +
    'dclint reports most findings at the line of the key (`ports:`), shipshape at the value, so lines are not compared.\n');

  if (disagreements.length > 0) {
    print('Where the overlapping rules disagree:\n');
    for (const d of disagreements) {
      if (d.onlyTheirs.length > 0) print(`- \`${d.name}\` only (not \`${d.ours}\`): ${describe(d.onlyTheirs)}`);
      if (d.onlyOurs.length > 0) print(`- \`${d.ours}\` only (not \`${d.name}\`): ${describe(d.onlyOurs)}`);
    }
    print('');
  }

  const onlyDclint = theirs.filter((f) => !DCLINT_RULES[f.rule]?.ours);
  const byKind = countBy(onlyDclint, (f) => DCLINT_RULES[f.rule]?.kind ?? 'unmapped');
  print(`Findings of dclint rules shipshape has no counterpart for: ${onlyDclint.length} ` +
    `(${[...byKind].map(([kind, n]) => `${kind} ${n}`).join(', ') || 'none'}).`);
  const mappedOurs = new Set(Object.values(DCLINT_RULES).map((m) => m.ours).filter(Boolean));
  const onlyOurs = ours.filter((f) => !mappedOurs.has(f.rule));
  const ourKinds = countBy(onlyOurs, (f) => categoryOf.get(f.rule) ?? 'unknown');
  print(`Findings of shipshape rules dclint has no counterpart for: ${onlyOurs.length} ` +
    `(${[...ourKinds].map(([kind, n]) => `${kind} ${n}`).join(', ')}), from ${new Set(onlyOurs.map((f) => f.rule)).size} rules.\n`);
}

/** Pairs findings by file and service (file alone when a finding names no service), counting. */
function matchByPlace(theirs, ours) {
  const place = (f) => `${f.file}\0${f.service ?? ''}`;
  const pool = new Map();
  for (const f of ours) pool.set(place(f), [...(pool.get(place(f)) ?? []), f]);
  let both = 0;
  const onlyTheirs = [];
  for (const f of theirs) {
    const candidates = pool.get(place(f)) ?? pool.get(`${f.file}\0`) ?? [];
    if (candidates.length > 0) {
      candidates.shift();
      both++;
    } else {
      onlyTheirs.push(f);
    }
  }
  const onlyOurs = [...pool.values()].flat();
  return { both, onlyTheirs, onlyOurs };
}

function describe(findings) {
  const shown = findings.slice(0, 12).map((f) => `${path.dirname(f.file)} ${f.service ?? ''}`.trim() + ` (${f.message.length > 90 ? `${f.message.slice(0, 89)}…` : f.message})`);
  return shown.join('; ') + (findings.length > shown.length ? `; and ${findings.length - shown.length} more` : '');
}

function printRealWorldCounts(ours, categoryOf, fileCount) {
  const SEVERITY = ['critical', 'high', 'medium', 'low', 'info'];
  print(`### shipshape's findings on awesome-compose, per rule\n`);
  const bySeverity = countBy(ours, (f) => f.severity);
  print(`${ours.length} findings in ${fileCount} files: ${SEVERITY.map((s) => `${bySeverity.get(s) ?? 0} ${s}`).join(', ')}. ` +
    'The corpus holds the compose files only, so the samples\' build contexts, bind-mounted sources and secret files are missing ' +
    '(`missing-build-context`, `missing-dockerfile`, `missing-bind-source`, `missing-file-reference` are true of the corpus, not of the upstream repository); ' +
    'the environment is the bench\'s own, so `unset-variable` counts the variables without a value or default.\n');
  print('| rule | category | severity | findings | samples |');
  print('| --- | --- | --- | ---: | ---: |');
  const rules = [...countBy(ours, (f) => f.rule)].map(([rule, n]) => {
    const severity = ours.find((f) => f.rule === rule)?.severity ?? 'info';
    const samples = new Set(ours.filter((f) => f.rule === rule).map((f) => path.dirname(f.file))).size;
    return { rule, n, severity, samples };
  });
  rules.sort((a, b) => SEVERITY.indexOf(a.severity) - SEVERITY.indexOf(b.severity) || b.n - a.n || a.rule.localeCompare(b.rule));
  for (const r of rules) print(`| \`${r.rule}\` | ${categoryOf.get(r.rule) ?? '?'} | ${r.severity} | ${r.n} | ${r.samples} |`);
  print('');
}

// --- input -------------------------------------------------------------------------------------

function sampleDirs() {
  if (!existsSync(corpus)) fail(`corpus not found: ${corpus}`);
  return readdirSync(corpus).filter((name) => statSync(path.join(corpus, name)).isDirectory()).sort();
}

function copySamples(names, scratch) {
  for (const name of names) cpSync(path.join(corpus, name), path.join(scratch, name), { recursive: true });
  return scratch;
}

/** Each sample's compose file, as both tools find them (compose.yaml or compose.yml). */
function composeFiles(root) {
  return readdirSync(root)
    .sort()
    .map((name) => ['compose.yaml', 'compose.yml'].map((file) => path.join(root, name, file)).find((f) => existsSync(f)))
    .filter((file) => file !== undefined);
}

// --- small helpers -----------------------------------------------------------------------------

/** Variables that give every Node process work of its own before either tool runs. */
function nodeStartVariables() {
  return options.inheritEnv ? [] : NODE_START_VARIABLES.filter((name) => process.env[name] !== undefined);
}

function envNote() {
  const dropped = nodeStartVariables();
  return dropped.length === 0 ? 'inherited' : `inherited without ${dropped.join(', ')} (both tools and \`node -e 0\`)`;
}

function cliEntry() {
  const mtime = (file) => statSync(path.join(repoRoot, file), { throwIfNoEntry: false })?.mtimeMs;
  const bundle = mtime('dist/shipshape-analyzer.cjs');
  const cache = mtime('dist/shipshape-analyzer.cjs.cache');
  const modules = mtime('dist/src/cli/index.js');
  const cached = cache !== undefined && cache >= bundle ? ' with its code cache' : ' without a code cache';
  return bundle !== undefined && (modules === undefined || bundle >= modules) ? `the bundle dist/shipshape-analyzer.cjs${cached}` : 'the modules under dist/src (no up-to-date bundle)';
}

function packageVersion(dir) {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version ?? '?';
  } catch {
    return '?';
  }
}

function machine() {
  let model = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? model;
  } catch {
    // not Linux: os.cpus() has it
  }
  const gib = (bytes) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  return `Machine: ${os.availableParallelism()} CPUs (${model}), ${gib(os.totalmem())} memory, ${os.type()} ${os.release()}, node ${process.version}.`;
}

function countBy(items, keyOf) {
  const counts = new Map();
  for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1);
  return counts;
}

function parseOptions(argv) {
  const parsed = { runs: 5, files: Infinity, inheritEnv: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--inherit-env') {
      parsed.inheritEnv = true;
      continue;
    }
    const [flag, inline] = argv[i].split('=', 2);
    if (flag !== '--runs' && flag !== '--files') fail(`unknown option ${argv[i]}; use --runs N, --files N, --inherit-env`);
    const value = Number(inline ?? argv[++i]);
    if (!Number.isInteger(value) || value < 1 || value > 1000) fail(`${flag} takes a whole number from 1 to 1000`);
    parsed[flag.slice(2)] = value;
  }
  return parsed;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function ms(value) {
  return value.toFixed(0);
}

function list(values) {
  return values.map(ms).join(', ');
}

function ratio(part, whole) {
  return `${(part / whole).toFixed(3)}×`;
}

function loadAverage() {
  return `${os.loadavg().map((l) => l.toFixed(2)).join(', ')} (${os.availableParallelism()} CPUs)`;
}

function lastLine(text) {
  return (text ?? '').trim().split('\n').at(-1)?.slice(0, 200) ?? '';
}

function progress(text) {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
}

function print(line) {
  process.stdout.write(`${line}\n`);
}

function fail(message) {
  process.stderr.write(`bench/analyze: ${message}\n`);
  process.exit(1);
}
