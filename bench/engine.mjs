#!/usr/bin/env node
// `shipshape up -d` / `down -v` against `docker-compose up -d` / `down -v` (Debian's v1) on the
// same 5-service stack, side by side in one run, on the local Docker engine. Run after `npm run
// build` (`npm run bench` does both). Nothing is pulled: the stack runs the engine tests' image
// (busybox-static imported as shipshape-test/busybox:engine), made here when missing.
//
//   node bench/engine.mjs [--runs N]
//
// The stack: db and api with health checks (every 250 ms), a one-shot migration that waits for
// db to be healthy, api waiting for db healthy and the migration completed, web (a port published
// on 127.0.0.1) waiting for api healthy, two worker replicas (`scale: 2`, which v1 honours)
// started after api. Every container runs under `init` so it stops on SIGTERM and neither tool
// waits out a stop timeout.
//
// Each run times, in an order that rotates from run to run so all see the same machine load:
//   - the Shipshape CLI: `node bin/shipshape.js up -d`, then `down -v`;
//   - docker-compose:    `docker-compose up -d`,        then `down -v`;
//   - the Shipshape library in this process: `up()` then `down({ removeVolumes })`, the same work
//     without the CLI's start-up (Node, the modules, the compose file).
// Each `up` is checked (six containers, api and db healthy, the migration exited 0, web running)
// and each `down` must leave nothing labelled with the project; neither check is timed.
// Output is Markdown, ready for docs/benchmarks.md.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repoRoot, 'bin', 'shipshape.js');
const dist = (file) => pathToFileURL(path.join(repoRoot, 'dist', file)).href;
const GOAL = 0.5;
const PROJECT_LABEL = 'com.docker.compose.project';

const options = parseOptions(process.argv.slice(2));
const tag = `ssbench${process.pid}`;
const created = new Set();
let docker;
let scratchDir;

try {
  await main();
} catch (err) {
  if (!err.benchFailure) process.stderr.write(`bench/engine: ${err.stack ?? err}\n`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}

async function main() {
  if (!existsSync(path.join(repoRoot, 'dist', 'src', 'engine', 'index.js'))) fail('dist/ is missing: run `npm run build` first');
  if (!existsSync(path.join(repoRoot, 'dist', 'test', 'helpers', 'test-image.js'))) fail('dist/test is missing: run `npm run build` first');
  const composeVersion = run('docker-compose', ['version', '--short']);
  if (composeVersion.status !== 0) fail('docker-compose (v1) is not installed: `apt-get install docker-compose`');

  const { createDockerClient } = await import(dist('src/docker/index.js'));
  const engine = await import(dist('src/engine/index.js'));
  const { loadProject } = await import(dist('src/compose/index.js'));
  const { ensureTestImage, TEST_IMAGE } = await import(dist('test/helpers/test-image.js'));
  docker = createDockerClient();
  const version = await docker.version({ timeoutMs: 5000 }).catch((err) => fail(`no Docker engine answers: ${err.message}`));
  await ensureTestImage(docker);

  scratchDir = mkdtempSync(path.join(os.tmpdir(), 'shipshape-bench-engine-'));
  const file = path.join(scratchDir, 'compose.yaml');
  writeFileSync(file, stack(TEST_IMAGE));

  // When each step of the library's last up and down finished, to show where the time goes.
  const timelines = { up: [], down: [] };
  const record = (timeline, start) => {
    timeline.length = 0;
    return (event) => {
      if (event.status === 'done') timeline.push({ ms: Number(process.hrtime.bigint() - start) / 1e6, ...event });
    };
  };
  const variants = {
    cli: {
      up: (name) => timed(() => mustRun(process.execPath, [cli, 'up', '-d', '-f', file, '-p', name])),
      down: (name) => timed(() => mustRun(process.execPath, [cli, 'down', '-v', '-f', file, '-p', name])),
    },
    compose: {
      up: (name) => timed(() => mustRun('docker-compose', ['-f', file, '-p', name, 'up', '-d'])),
      down: (name) => timed(() => mustRun('docker-compose', ['-f', file, '-p', name, 'down', '-v'])),
    },
    library: {
      up: (name) => timedAsync((start) => engine.up(load(loadProject, file, name), { docker, onProgress: record(timelines.up, start) })),
      down: (name) => timedAsync((start) => engine.down(load(loadProject, file, name), { docker, removeVolumes: true, onProgress: record(timelines.down, start) })),
    },
  };
  const names = Object.keys(variants);
  const times = Object.fromEntries(names.map((n) => [n, { up: [], down: [] }]));
  const startup = [];
  const loadAtStart = loadAverage();

  for (let i = 0; i < options.runs; i++) {
    const order = names.map((_, k) => names[(i + k) % names.length]);
    progress(`run ${i + 1}/${options.runs}: ${order.join(', ')}`);
    for (const variant of order) {
      const name = `${tag}-${variant}-${i}`;
      created.add(name);
      times[variant].up.push(await variants[variant].up(name));
      await checkUp(name);
      times[variant].down.push(await variants[variant].down(name));
      await checkDown(name);
    }
    // What the CLI costs before it does anything: Node, the modules, one engine request.
    startup.push(await timed(() => mustRun(process.execPath, [cli, 'ps', '-p', `${tag}-none`])));
  }
  progress('');

  print('## compose engine (`shipshape up/down`)\n');
  print(`${machine()} Docker engine ${version.Version} (API ${version.ApiVersion}), docker-compose ${composeVersion.stdout.trim()}, ` +
    `shipshape ${packageVersion()} (CLI from ${cliEntry()}). ${options.runs} runs; load average ${loadAtStart} at the start, ${loadAverage()} at the end.\n`);
  print('The stack: db and api with health checks every 250 ms, a one-shot migration (`service_completed_successfully`), ' +
    'web waiting for api to be healthy (`service_healthy`), two worker replicas; six containers, two networks, one volume.\n');
  print('Wall time in ms, median (min–max):\n');
  print('| | `up -d` | `down -v` |');
  print('| --- | ---: | ---: |');
  const label = { library: 'Shipshape, library call (`up()` / `down()`)', cli: 'Shipshape CLI (`node bin/shipshape.js`)', compose: 'docker-compose CLI' };
  for (const variant of ['library', 'cli', 'compose']) {
    print(`| ${label[variant]} | ${summary(times[variant].up)} | ${summary(times[variant].down)} |`);
  }
  print(`| CLI start-up alone (\`shipshape ps -p <none>\`) | ${summary(startup)} | |\n`);

  print(`Ratios to docker-compose (goal ≤ ${GOAL}×): ratio of the medians, and in brackets the median of the per-run ratios.\n`);
  print('| | `up -d` | `down -v` |');
  print('| --- | ---: | ---: |');
  for (const variant of ['cli', 'library']) {
    const cells = ['up', 'down'].map((op) => {
      const ratio = median(times[variant][op]) / median(times.compose[op]);
      const perRun = median(times[variant][op].map((t, k) => t / times.compose[op][k]));
      return `**${ratio.toFixed(2)}×** (${perRun.toFixed(2)}×) ${ratio <= GOAL ? 'meets the goal' : 'misses the goal'}`;
    });
    print(`| ${label[variant]} ÷ docker-compose | ${cells.join(' | ')} |`);
  }
  print('\nAll runs (ms):\n');
  for (const variant of ['library', 'cli', 'compose']) {
    print(`- ${label[variant]}: up ${times[variant].up.map(Math.round).join(', ')}; down ${times[variant].down.map(Math.round).join(', ')}`);
  }
  print(`- CLI start-up: ${startup.map(Math.round).join(', ')}`);
  print('\nWhere the library\'s last run spent its time (ms from the call, each step when it finished):\n');
  for (const op of ['up', 'down']) {
    const steps = timelines[op].map((e) => `${e.name.replace(`${tag}-library-${options.runs - 1}`, '')} ${e.action} ${Math.round(e.ms)}`);
    print(`- ${op}: ${steps.join('; ')}`);
  }
}

/** The stack both tools run; the image is the engine tests' busybox. */
function stack(image) {
  const health = '{test: "wget -q -O- http://127.0.0.1/health", interval: 250ms, timeout: 2s, retries: 40}';
  return `x-base: &base
  image: ${image}
  init: true
services:
  db:
    <<: *base
    command: httpd -f -p 80 -h /www
    healthcheck: ${health}
    volumes: [data:/data]
  migrate:
    <<: *base
    command: sh -c "echo migrated > /data/schema"
    volumes: [data:/data]
    depends_on: {db: {condition: service_healthy}}
  api:
    <<: *base
    command: httpd -f -p 80 -h /www
    healthcheck: ${health}
    depends_on:
      db: {condition: service_healthy}
      migrate: {condition: service_completed_successfully}
    networks: [default, back]
  web:
    <<: *base
    command: httpd -f -p 80 -h /www
    ports: ["127.0.0.1::80"]
    depends_on: {api: {condition: service_healthy}}
  worker:
    <<: *base
    command: sh -c 'while true; do sleep 1; done'
    scale: 2
    depends_on: [api]
    networks: [back]
volumes: {data: {}}
networks: {back: {}}
`;
}

function load(loadProject, file, name) {
  const loaded = loadProject({ files: [file], projectName: name });
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (!loaded.project || errors.length > 0) fail(`the bench stack does not load: ${errors.map((d) => d.message).join('; ')}`);
  return loaded.project;
}

async function checkUp(name) {
  const containers = await docker.containers.list({ all: true, filters: { label: [`${PROJECT_LABEL}=${name}`] } });
  const state = (service) =>
    containers
      .filter((c) => c.Labels['com.docker.compose.service'] === service)
      .map((c) => `${c.State}${/\(healthy\)/.test(c.Status) ? ' healthy' : ''}${c.State === 'exited' ? ` ${/Exited \((\d+)\)/.exec(c.Status)?.[1]}` : ''}`)
      .join(',');
  const seen = ['db', 'migrate', 'api', 'web', 'worker'].map((s) => `${s}: ${state(s)}`).join('; ');
  const wanted = 'db: running healthy; migrate: exited 0; api: running healthy; web: running; worker: running,running';
  if (seen !== wanted) fail(`${name} did not come up as expected: ${seen}`);
}

async function checkDown(name) {
  const filters = { label: [`${PROJECT_LABEL}=${name}`] };
  const [containers, networks, volumes] = await Promise.all([
    docker.containers.list({ all: true, filters }),
    docker.networks.list({ filters }),
    docker.volumes.list({ filters }),
  ]);
  const left = containers.length + networks.length + volumes.length;
  if (left > 0) fail(`${name}: down left ${containers.length} containers, ${networks.length} networks, ${volumes.length} volumes`);
  created.delete(name);
}

/** Whatever a failed run left behind, removed by label. */
async function cleanUp() {
  if (docker) {
    for (const name of created) {
      const filters = { label: [`${PROJECT_LABEL}=${name}`] };
      const containers = await docker.containers.list({ all: true, filters }).catch(() => []);
      await Promise.all(containers.map((c) => docker.containers.remove(c.Id, { force: true, volumes: true }).catch(() => {})));
      for (const n of await docker.networks.list({ filters }).catch(() => [])) await docker.networks.remove(n.Id).catch(() => {});
      for (const v of await docker.volumes.list({ filters }).catch(() => [])) await docker.volumes.remove(v.Name).catch(() => {});
    }
  }
  if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
}

// --- helpers -----------------------------------------------------------------------------------

async function timed(fn) {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function timedAsync(fn) {
  const start = process.hrtime.bigint();
  await fn(start);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function run(command, args) {
  return spawnSync(command, args, { encoding: 'utf8', cwd: scratchDir ?? repoRoot, env: { ...process.env, NO_COLOR: '1' } });
}

function mustRun(command, args) {
  const result = run(command, args);
  if (result.status !== 0) fail(`${path.basename(command)} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stderr}`);
  return result;
}

function summary(values) {
  return `${Math.round(median(values))} (${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))})`;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function cliEntry() {
  const mtime = (file) => statSync(path.join(repoRoot, file), { throwIfNoEntry: false })?.mtimeMs;
  const bundle = mtime('dist/shipshape.mjs');
  const modules = mtime('dist/src/cli/index.js');
  return bundle !== undefined && (modules === undefined || bundle >= modules) ? 'the bundle dist/shipshape.mjs' : 'the modules under dist/src';
}

function packageVersion() {
  return JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version;
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

function loadAverage() {
  return os.loadavg().map((l) => l.toFixed(2)).join(', ');
}

function parseOptions(argv) {
  const parsed = { runs: 5 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    // bench/run.mjs passes its arguments to every benchmark; those meant for others are ignored.
    if (flag !== '--runs') continue;
    const value = Number(inline ?? argv[++i]);
    if (!Number.isInteger(value) || value < 1 || value > 100) fail('--runs takes a whole number from 1 to 100');
    parsed.runs = value;
  }
  return parsed;
}

function progress(text) {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
}

function print(line) {
  process.stdout.write(`${line}\n`);
}

function fail(message) {
  process.stderr.write(`bench/engine: ${message}\n`);
  // Thrown, not process.exit(): the top level still removes what the run created.
  throw Object.assign(new Error(message), { benchFailure: true });
}
