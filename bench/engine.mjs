#!/usr/bin/env node
// `shipshape up -d` / `down -v` against `docker-compose up -d` / `down -v` (Debian's v1) and
// against the physical limit, on several stacks, side by side in one run, on the local Docker
// engine. Run after `npm run build` (`npm run bench` does both). Nothing is pulled: the stacks run
// the engine tests' image (busybox-static imported as shipshape-test/busybox:engine), made here
// when missing.
//
//   node bench/engine.mjs [--runs N] [--stack NAME]...
//
// The stacks (every container under `init`, so it stops on SIGTERM at once):
//   - flat8: eight independent services, no health checks;
//   - chain5: five services in a chain, each waiting for the previous one to be healthy (checks
//     every 1 s);
//   - mixed: db and api with health checks every 250 ms, a one-shot migration waiting for db
//     healthy, api waiting for db healthy and the migration completed, web (a port on 127.0.0.1)
//     waiting for api healthy, two worker replicas after api.
//
// Each run times, per stack, in an order that rotates from run to run:
//   - the Shipshape CLI: `node bin/shipshape.js up -d`, then `down -v`;
//   - docker-compose:    `docker-compose up -d`,        then `down -v`;
//   - the Shipshape library in this process: `up()` then `down({ removeVolumes })`;
//   - the limit: the same networks, volumes and containers (bodies prepared beforehand) created
//     by parallel raw Engine API calls, each service started by a raw call the moment its
//     dependencies are started, healthy or completed as the file asks (followed on the event
//     stream). Its two parts are printed too: everything created and started at once, ignoring
//     dependencies, and the health critical path (the longest dependency chain of waits for a
//     started container to turn healthy or exit, measured in that same parallel start).
// Each `up` is checked (the expected containers, running, healthy or exited 0), each `down` must
// leave nothing labelled with the project; neither check is timed. Output is Markdown, ready for
// docs/benchmarks.md.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repoRoot, 'bin', 'shipshape.js');
const dist = (file) => pathToFileURL(path.join(repoRoot, 'dist', file)).href;
const LIMIT_GOAL = 1.15;
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
  const loadAtStart = loadAverage();

  const stacks = STACKS(TEST_IMAGE).filter((s) => options.stacks.length === 0 || options.stacks.includes(s.id));
  const results = [];
  for (const stack of stacks) {
    const file = path.join(scratchDir, `${stack.id}.yaml`);
    writeFileSync(file, stack.compose);
    const load = (name) => {
      const loaded = loadProject({ files: [file], projectName: name });
      const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
      if (!loaded.project || errors.length > 0) fail(`${stack.id} does not load: ${errors.map((d) => d.message).join('; ')}`);
      return loaded.project;
    };
    const variants = {
      compose: {
        up: (name) => timed(() => mustRun('docker-compose', ['-f', file, '-p', name, 'up', '-d'])),
        down: (name) => timed(() => mustRun('docker-compose', ['-f', file, '-p', name, 'down', '-v'])),
      },
      cli: {
        up: (name) => timed(() => mustRun(process.execPath, [cli, 'up', '-d', '-f', file, '-p', name])),
        down: (name) => timed(() => mustRun(process.execPath, [cli, 'down', '-v', '-f', file, '-p', name])),
      },
      library: {
        up: (name) => timedAsync(() => engine.up(load(name), { docker })),
        down: (name) => timedAsync(() => engine.down(load(name), { docker, removeVolumes: true })),
      },
      limit: {
        up: (name) => rawUp(engine, load(name)),
        down: (name) => timedAsync(() => engine.down(load(name), { docker, removeVolumes: true })),
      },
    };
    const names = Object.keys(variants);
    const times = Object.fromEntries(names.map((n) => [n, { up: [], down: [] }]));
    const parts = { parallel: [], critical: [] };
    for (let i = 0; i < options.runs; i++) {
      const order = names.map((_, k) => names[(i + k) % names.length]);
      progress(`${stack.id} run ${i + 1}/${options.runs}: ${order.join(', ')}`);
      for (const variant of order) {
        const name = `${tag}-${stack.id}-${variant}-${i}`;
        created.add(name);
        const up = await variants[variant].up(name);
        if (variant === 'limit') {
          times.limit.up.push(up.ms);
        } else {
          times[variant].up.push(up);
        }
        await checkUp(name, stack.expect);
        times[variant].down.push(await variants[variant].down(name));
        await checkDown(name);
        if (variant === 'limit') {
          const split = await rawParts(engine, load(`${name}-parts`), stack);
          created.add(`${name}-parts`);
          parts.parallel.push(split.parallel);
          parts.critical.push(split.critical);
          await engine.down(load(`${name}-parts`), { docker, removeVolumes: true });
          await checkDown(`${name}-parts`);
        }
      }
    }
    results.push({ stack, times, parts });
  }
  const startup = [];
  const nodeStart = [];
  for (let i = 0; i < options.runs; i++) {
    startup.push(await timed(() => mustRun(process.execPath, [cli, 'ps', '-p', `${tag}-none`])));
    nodeStart.push(await timed(() => mustRun(process.execPath, ['-e', '0'])));
  }
  progress('');
  report(results, startup, nodeStart, version, composeVersion.stdout.trim(), loadAtStart);
}

function report(results, startup, nodeStart, version, composeVersion, loadAtStart) {
  print('## compose engine (`shipshape up/down`)\n');
  print(`${machine()} Docker engine ${version.Version} (API ${version.ApiVersion}), docker-compose ${composeVersion}, ` +
    `shipshape ${packageVersion()} (CLI from ${cliEntry()}). ${options.runs} runs; load average ${loadAtStart} at the start, ${loadAverage()} at the end.\n`);
  print('`up -d`, wall time in ms, median (min–max); ratios of the medians:\n');
  print('| stack | docker-compose v1 | Shipshape CLI | Shipshape library | limit | limit = parallel create+start + health critical path | CLI ÷ v1 | library ÷ limit | CLI ÷ (limit + node start-up) |');
  print('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const node = median(nodeStart);
  for (const { stack, times, parts } of results) {
    const m = (v) => median(times[v].up);
    const ratio = (a, b, goal) => `**${(a / b).toFixed(2)}×**${a / b <= goal ? '' : ' (misses)'}`;
    print(`| ${stack.id} | ${summary(times.compose.up)} | ${summary(times.cli.up)} | ${summary(times.library.up)} | ${summary(times.limit.up)} | ` +
      `${Math.round(median(parts.parallel))} + ${Math.round(median(parts.critical))} | ${ratio(m('cli'), m('compose'), 1)} | ${ratio(m('library'), m('limit'), LIMIT_GOAL)} | ${ratio(m('cli'), m('limit') + node, LIMIT_GOAL)} |`);
  }
  print('\n`down -v`, wall time in ms, median (min–max):\n');
  print('| stack | docker-compose v1 | Shipshape CLI | Shipshape library | CLI ÷ v1 |');
  print('| --- | ---: | ---: | ---: | ---: |');
  for (const { stack, times } of results) {
    print(`| ${stack.id} | ${summary(times.compose.down)} | ${summary(times.cli.down)} | ${summary(times.library.down)} | ` +
      `**${(median(times.cli.down) / median(times.compose.down)).toFixed(2)}×** |`);
  }
  print(`\nCLI start-up alone (\`shipshape ps -p <none>\`): ${summary(startup)} ms; node itself (\`node -e 0\`): ${summary(nodeStart)} ms. Goals: CLI ≤ 1.00× docker-compose, ≤ ${LIMIT_GOAL.toFixed(2)}× the limit.\n`);
  print('All runs (ms), up:\n');
  for (const { stack, times } of results) {
    print(`- ${stack.id}: ${['compose', 'cli', 'library', 'limit'].map((v) => `${v} ${times[v].up.map(Math.round).join(', ')}`).join('; ')}`);
  }
}

/** Prepared beforehand: what the raw calls send. */
function prepare(engine, project) {
  const networks = engine.usedNetworks(project).filter((k) => !project.networks[k]?.external);
  const volumes = engine.usedVolumes(project).filter((k) => !project.volumes[k]?.external);
  const services = Object.values(project.services).map((service) => ({
    service,
    containers: Array.from({ length: engine.replicaCount(service) }, (_, i) =>
      engine.containerSpec(project, service, { number: i + 1, configHash: '', image: service.image })),
    deps: Object.entries(service.depends_on ?? {}),
  }));
  return { networks, volumes, services };
}

async function rawCreate(engine, project, prepared) {
  await Promise.all([
    ...prepared.networks.map((k) => docker.networks.create(engine.networkCreateBody(project, k))),
    ...prepared.volumes.map((k) => docker.volumes.create(engine.volumeCreateBody(project, k))),
  ]);
  const ids = new Map();
  await Promise.all(prepared.services.flatMap((s) => s.containers.map(async (spec) => {
    const { id } = await docker.containers.create(spec.name, spec.body);
    for (const extra of spec.extraNetworks) await docker.networks.connect(extra.network, id, extra.endpoint);
    (ids.get(s.service.name) ?? ids.set(s.service.name, []).get(s.service.name)).push(id);
  })));
  return ids;
}

/** Follows health and exits of the project's containers on the event stream. */
async function followEvents(project) {
  const controller = new AbortController();
  const stream = await docker.events({ filters: { type: ['container'], label: [`${PROJECT_LABEL}=${project.name}`], event: ['die', 'health_status'] } }, { signal: controller.signal });
  const ready = new Map();
  const waiters = [];
  (async () => {
    for await (const e of stream) {
      const state = e.Action === 'die' ? 'exited' : e.Action.includes('healthy') && !e.Action.includes('unhealthy') ? 'healthy' : undefined;
      if (state) ready.set(e.Actor.ID, { state, at: process.hrtime.bigint() });
      for (const w of [...waiters]) w();
    }
  })().catch(() => {});
  const until = (id, state) => new Promise((resolve) => {
    const check = () => {
      if (ready.get(id)?.state === state) {
        waiters.splice(waiters.indexOf(check), 1);
        resolve(ready.get(id).at);
      }
    };
    waiters.push(check);
    check();
  });
  return { until, close: () => controller.abort() };
}

/** The limit: parallel raw creates, then each service started the moment its dependencies allow. */
async function rawUp(engine, project) {
  const prepared = prepare(engine, project);
  const events = await followEvents(project);
  const start = process.hrtime.bigint();
  const ids = await rawCreate(engine, project, prepared);
  const started = new Map();
  const startService = (name) => {
    if (!started.has(name)) {
      const s = prepared.services.find((p) => p.service.name === name);
      started.set(name, (async () => {
        await Promise.all(s.deps.map(async ([dep, d]) => {
          await startService(dep);
          const wanted = d.condition === 'service_healthy' ? 'healthy' : d.condition === 'service_completed_successfully' ? 'exited' : undefined;
          if (wanted) await Promise.all(ids.get(dep).map((id) => events.until(id, wanted)));
        }));
        await Promise.all(ids.get(name).map((id) => docker.containers.start(id)));
      })());
    }
    return started.get(name);
  };
  await Promise.all(prepared.services.map((s) => startService(s.service.name)));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  events.close();
  return { ms };
}

/**
 * The limit's two parts: every container created and started at once, ignoring dependencies;
 * then, from when each start returned, how long until healthy or exited, summed along the
 * longest dependency chain of such waits.
 */
async function rawParts(engine, project, stack) {
  const prepared = prepare(engine, project);
  const events = await followEvents(project);
  const start = process.hrtime.bigint();
  const ids = await rawCreate(engine, project, prepared);
  const startedAt = new Map();
  await Promise.all(prepared.services.map(async (s) => {
    await Promise.all(ids.get(s.service.name).map((id) => docker.containers.start(id)));
    startedAt.set(s.service.name, process.hrtime.bigint());
  }));
  const parallel = Number(process.hrtime.bigint() - start) / 1e6;
  const wait = new Map();
  await Promise.all(prepared.services.map(async (s) => {
    const wanted = s.service.healthcheck && !s.service.healthcheck.disable ? 'healthy' : stack.oneShots.includes(s.service.name) ? 'exited' : undefined;
    if (!wanted) return;
    const at = await Promise.all(ids.get(s.service.name).map((id) => events.until(id, wanted)));
    const last = at.reduce((a, b) => (a > b ? a : b));
    wait.set(s.service.name, Math.max(0, Number(last - startedAt.get(s.service.name)) / 1e6));
  }));
  events.close();
  const memo = new Map();
  const chain = (name) => {
    if (!memo.has(name)) {
      const s = prepared.services.find((p) => p.service.name === name);
      const gated = s.deps.filter(([, d]) => d.condition !== 'service_started').map(([dep]) => (wait.get(dep) ?? 0) + chain(dep));
      const started = s.deps.filter(([, d]) => d.condition === 'service_started').map(([dep]) => chain(dep));
      memo.set(name, Math.max(0, ...gated, ...started));
    }
    return memo.get(name);
  };
  const critical = Math.max(...prepared.services.map((s) => chain(s.service.name)));
  return { parallel, critical };
}

/** The stacks both tools run; the image is the engine tests' busybox. */
function STACKS(image) {
  const base = `x-base: &base\n  image: ${image}\n  init: true\n`;
  const flat8 = `${base}services:\n${[1, 2, 3, 4, 5, 6, 7, 8].map((n) => `  s${n}:\n    <<: *base\n    command: sleep 3600\n`).join('')}`;
  const chainHealth = '{test: "wget -q -O- http://127.0.0.1/health", interval: 1s, timeout: 2s, retries: 40}';
  const chain5 = `${base}services:\n${[1, 2, 3, 4, 5].map((n) =>
    `  c${n}:\n    <<: *base\n    command: httpd -f -p 80 -h /www\n    healthcheck: ${chainHealth}\n${n > 1 ? `    depends_on: {c${n - 1}: {condition: service_healthy}}\n` : ''}`).join('')}`;
  const health = '{test: "wget -q -O- http://127.0.0.1/health", interval: 250ms, timeout: 2s, retries: 40}';
  const mixed = `${base}services:
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
  return [
    { id: 'flat8', compose: flat8, oneShots: [], expect: Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8].map((n) => [`s${n}`, 'running'])) },
    { id: 'chain5', compose: chain5, oneShots: [], expect: Object.fromEntries([1, 2, 3, 4].map((n) => [`c${n}`, 'running healthy']).concat([['c5', 'running']])) },
    {
      id: 'mixed',
      compose: mixed,
      oneShots: ['migrate'],
      expect: { db: 'running healthy', migrate: 'exited 0', api: 'running healthy', web: 'running', worker: 'running,running' },
    },
  ];
}

/** Services the check needs to see in a state (`running healthy` also accepts `running` still starting for the last of a chain). */
async function checkUp(name, expect) {
  const containers = await docker.containers.list({ all: true, filters: { label: [`${PROJECT_LABEL}=${name}`] } });
  const state = (service, wanted) =>
    containers
      .filter((c) => c.Labels['com.docker.compose.service'] === service)
      .map((c) => `${c.State}${wanted.includes('healthy') && /\(healthy\)/.test(c.Status) ? ' healthy' : ''}${c.State === 'exited' ? ` ${/Exited \((\d+)\)/.exec(c.Status)?.[1]}` : ''}`)
      .join(',');
  const seen = Object.entries(expect).map(([s, wanted]) => `${s}: ${state(s, wanted)}`).join('; ');
  const wanted = Object.entries(expect).map(([s, w]) => `${s}: ${w}`).join('; ');
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
  await fn();
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
  const bundle = mtime('dist/shipshape.cjs');
  const cache = mtime('dist/shipshape.cjs.cache');
  const modules = mtime('dist/src/cli/index.js');
  const cached = cache !== undefined && cache >= bundle ? ' with its code cache' : ' without a code cache';
  return bundle !== undefined && (modules === undefined || bundle >= modules) ? `the bundle dist/shipshape.cjs${cached}` : 'the modules under dist/src';
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
  const parsed = { runs: 5, stacks: [] };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    // bench/run.mjs passes its arguments to every benchmark; those meant for others are ignored.
    if (flag === '--stack') {
      parsed.stacks.push(inline ?? argv[++i]);
      continue;
    }
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
