#!/usr/bin/env node
// Makes sure what the tests need is on this machine before `npm test` runs them. Silent and
// quick when everything is there; installs what is missing when it can (root on Debian), and
// otherwise stops with a message saying how to get it.
//
// Also: kubectl (Debian's kubernetes-client) for the deploy/k8s rendering test.
//
// Environment knobs:
//   SHIPSHAPE_NEED_DOCKER=1        also require a running Docker engine (implied when a compiled
//                                  test file under dist/test/ has `.docker.` in its name)
//   SHIPSHAPE_DOCKER_COMPOSE=PATH  where docker-compose v1 is (default /usr/bin/docker-compose)
//   SHIPSHAPE_NEED_POSTGRES=1      also require PostgreSQL (implied by a test file with `.pg.` in its
//                                  name); without SHIPSHAPE_TEST_DATABASE_URL, a private cluster is
//                                  started on 127.0.0.1:55432 (data in SHIPSHAPE_PG_DIR, default
//                                  /var/tmp/shipshape-test-pg) with role and database shipshape_test
//   SHIPSHAPE_TEST_DATABASE_URL    a PostgreSQL the tests may use (its role needs CREATEDB)
//   SHIPSHAPE_NEED_BROWSER=1       also require Chromium (implied by a test file with `.browser.`)
//   SHIPSHAPE_CHROMIUM=PATH        where Chromium is (default /usr/bin/chromium)
//   SHIPSHAPE_TEST_ENV_DRYRUN=1    report what would be installed or started, change nothing

import { spawn, spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, openSync, readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dryRun = process.env.SHIPSHAPE_TEST_ENV_DRYRUN === '1';
const composeBinary = process.env.SHIPSHAPE_DOCKER_COMPOSE || '/usr/bin/docker-compose';
const dockerEndpoint = dockerEndpointFromEnv(process.env.DOCKER_HOST);
const dockerdLog = path.join(os.tmpdir(), 'shipshape-dockerd.log');
const DOCKERD_START_TIMEOUT_MS = 60_000;
const BUSYBOX = '/bin/busybox';
const distTests = path.join(repoRoot, 'dist', 'test');
const PG_PORT = 55432;
const PG_ROLE = 'shipshape_test';
const pgUrl = process.env.SHIPSHAPE_TEST_DATABASE_URL || `postgres://${PG_ROLE}:${PG_ROLE}@127.0.0.1:${PG_PORT}/${PG_ROLE}`;
const pgDataDir = process.env.SHIPSHAPE_PG_DIR || '/var/tmp/shipshape-test-pg';
const chromiumPath = process.env.SHIPSHAPE_CHROMIUM || '/usr/bin/chromium';

/**
 * What the tests need. `needed` decides whether a requirement applies to this run, `check` whether
 * it is already met (keep it cheap: it runs on every `npm test`), `install` lists the steps that
 * meet it, and `manual` tells a person how to meet it when this script cannot.
 */
const requirements = [
  {
    name: 'docker-compose v1 (the test oracle)',
    needed: () => true,
    check: () => isExecutable(composeBinary),
    install: () => [aptInstall('docker-compose')],
    manual:
      `${composeBinary} is missing. It is Debian's docker-compose package (v1.29); install it with ` +
      '`sudo apt-get install docker-compose`, or point SHIPSHAPE_DOCKER_COMPOSE at a docker-compose v1 binary.',
  },
  {
    // The engine tests cannot pull images; they `docker import` busybox-static's binary instead.
    name: 'Docker engine (and busybox-static for its test image)',
    needed: () => process.env.SHIPSHAPE_NEED_DOCKER === '1' || hasDockerTests(path.join(repoRoot, 'dist', 'test')),
    check: async () => isStaticExecutable(BUSYBOX) && (await dockerAnswers(dockerEndpoint)),
    install: () => [
      ...(isStaticExecutable(BUSYBOX) ? [] : [aptInstall('busybox-static')]),
      ...(findExecutable('dockerd') ? [] : [aptInstall('docker.io')]),
      startDockerd(),
    ],
    manual:
      `the engine tests need a Docker engine answering on ${describeEndpoint(dockerEndpoint)} and a statically ` +
      `linked busybox at ${BUSYBOX}. Start an engine (for example \`sudo systemctl start docker\`, or install it with ` +
      '`sudo apt-get install docker.io` and run `sudo dockerd &`) or set DOCKER_HOST to one you can reach, and ' +
      'install busybox with `sudo apt-get install busybox-static`.',
  },
  {
    // test/deploy renders deploy/k8s with `kubectl kustomize`; Debian's kubectl 1.20 (kustomize
    // v2) renders the subset deploy/k8s uses as a current one does.
    name: 'kubectl (renders the Kubernetes manifests in deploy/k8s)',
    needed: () => true,
    check: () => findExecutable('kubectl') !== undefined,
    install: () => [aptInstall('kubernetes-client')],
    manual: 'kubectl is missing: install it (`sudo apt-get install kubernetes-client`, or any kubectl with `kubectl kustomize`).',
  },
  {
    // The fault suite partitions an agent in a network namespace of its own (ip netns, veth).
    name: 'iproute2 (the network-partition fault test)',
    needed: () => hasTestFiles(distTests, 'partition.docker'),
    check: () => findExecutable('ip') !== undefined,
    install: () => [aptInstall('iproute2')],
    manual: 'the network-partition fault test needs `ip` (Debian\'s iproute2: `sudo apt-get install iproute2`) and root.',
  },
  {
    name: 'PostgreSQL (the *.pg.* tests)',
    needed: () => process.env.SHIPSHAPE_NEED_POSTGRES === '1' || hasTestFiles(distTests, '.pg.'),
    check: () => postgresAnswers(pgUrl),
    install: () =>
      process.env.SHIPSHAPE_TEST_DATABASE_URL
        ? [giveUp(`SHIPSHAPE_TEST_DATABASE_URL does not answer: ${redact(pgUrl)}`)]
        : [...(findPostgresBinary('initdb') ? [] : [aptInstall('postgresql')]), startPostgres()],
    manual:
      `no PostgreSQL answers at ${redact(pgUrl)}. Install Debian's postgresql package (\`sudo apt-get install postgresql\`) and run ` +
      'the tests as root once so that this script starts a private cluster, or point SHIPSHAPE_TEST_DATABASE_URL at a ' +
      'database whose role may CREATE DATABASE.',
  },
  {
    name: 'Chromium (the *.browser.* tests)',
    needed: () => process.env.SHIPSHAPE_NEED_BROWSER === '1' || hasTestFiles(distTests, '.browser.'),
    check: () => isExecutable(chromiumPath),
    install: () => [aptInstall('chromium')],
    manual: `${chromiumPath} is missing. Install Debian's chromium (\`sudo apt-get install chromium\`) or set SHIPSHAPE_CHROMIUM.`,
  },
];

async function main() {
  for (const requirement of requirements) {
    if (!requirement.needed()) continue;
    if (await requirement.check()) {
      if (dryRun) console.log(`test-env: [dry run] ${requirement.name}: present`);
      continue;
    }
    if (!canInstall()) {
      fail(`${requirement.name}: ${requirement.manual}`);
    }
    const steps = requirement.install();
    const plan = steps.map((step) => step.describe).join(', then ');
    if (dryRun) {
      console.log(`test-env: [dry run] ${requirement.name} is missing; would run: ${plan}`);
      continue;
    }
    console.log(`test-env: ${requirement.name} is missing; running: ${plan}`);
    for (const step of steps) await step.run();
    if (!(await requirement.check())) {
      fail(`${requirement.name}: still missing after ${plan}. ${requirement.manual}`);
    }
  }
}

function canInstall() {
  return process.getuid?.() === 0 && existsSync('/etc/debian_version') && isExecutable('/usr/bin/apt-get');
}

function fail(message) {
  console.error(`test-env: ${message}`);
  process.exit(1);
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A statically linked ELF executable: one without a PT_INTERP program header, so it runs in an
 * image that has no C library (Debian's dynamically linked `busybox` package would not).
 */
function isStaticExecutable(file) {
  let bytes;
  try {
    accessSync(file, constants.X_OK);
    bytes = readFileSync(file);
  } catch {
    return false;
  }
  if (bytes.length < 64 || bytes.readUInt32BE(0) !== 0x7f454c46 || bytes[4] !== 2 || bytes[5] !== 1) return false;
  const phoff = Number(bytes.readBigUInt64LE(32));
  const entrySize = bytes.readUInt16LE(54);
  const count = bytes.readUInt16LE(56);
  for (let i = 0; i < count; i++) {
    const at = phoff + i * entrySize;
    if (at + 4 > bytes.length) return false;
    if (bytes.readUInt32LE(at) === 3) return false;
  }
  return true;
}

function findExecutable(name) {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).concat(['/usr/sbin', '/usr/bin', '/sbin', '/bin']);
  return dirs.map((dir) => path.join(dir, name)).find(isExecutable);
}

// --- apt ---------------------------------------------------------------------------------------

function aptInstall(pkg) {
  const args = ['install', '-y', '--no-install-recommends', pkg];
  return {
    describe: `apt-get ${args.join(' ')}`,
    run: () => {
      // `apt-get update` is slow, so it only runs when the package lists are empty or the install
      // fails with the lists that are there (stale lists point at versions the mirror dropped).
      if (!aptListsPresent()) apt(['update']);
      if (apt(args, { mayFail: true })) return;
      apt(['update']);
      apt(args);
    },
  };
}

function aptListsPresent() {
  try {
    return readdirSync('/var/lib/apt/lists').some((name) => /_Packages(\.\w+)?$/.test(name));
  } catch {
    return false;
  }
}

function apt(args, { mayFail = false } = {}) {
  const result = spawnSync('apt-get', args, {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status === 0) return true;
  if (mayFail) return false;
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-10).join('\n');
  fail(`apt-get ${args.join(' ')} failed${result.error ? ` (${result.error.message})` : ''}:\n${output}`);
  return false;
}

// --- Docker engine -----------------------------------------------------------------------------

function dockerEndpointFromEnv(dockerHost) {
  if (!dockerHost) return { socketPath: '/var/run/docker.sock' };
  let url;
  try {
    url = new URL(dockerHost);
  } catch {
    return { unusable: dockerHost };
  }
  if (url.protocol === 'unix:') return { socketPath: url.pathname };
  if (url.protocol === 'tcp:' || url.protocol === 'http:') return { host: url.hostname, port: Number(url.port || 2375) };
  return { unusable: dockerHost };
}

function describeEndpoint(endpoint) {
  if (endpoint.unusable) return `DOCKER_HOST=${endpoint.unusable} (not a unix:// or tcp:// address)`;
  return endpoint.socketPath ?? `${endpoint.host}:${endpoint.port}`;
}

function hasDockerTests(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  return entries.some((entry) => entry.isDirectory()
    ? hasDockerTests(path.join(dir, entry.name))
    : entry.name.includes('.docker.'));
}

function dockerAnswers(endpoint, timeoutMs = 1000) {
  if (endpoint.unusable || (endpoint.socketPath && !existsSync(endpoint.socketPath))) return Promise.resolve(false);
  return new Promise((resolve) => {
    const request = http.get({ ...endpoint, path: '/_ping', timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

function dockerdAlreadyRunning() {
  try {
    const pid = Number(readFileSync('/var/run/docker.pid', 'utf8').trim());
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function startDockerd() {
  return {
    describe: `dockerd in the background (log: ${dockerdLog}), then wait for ${describeEndpoint(dockerEndpoint)}`,
    run: async () => {
      let spawnError;
      // A dockerd that is still starting only needs waiting for; a second one would fight it for the pid file.
      if (!dockerdAlreadyRunning()) {
        const log = openSync(dockerdLog, 'a');
        // /24 networks from the private 172.16.0.0/12 instead of the default /16s and /20s: the engine
        // suites create many projects side by side, and the defaults run out at about 30 networks.
        const pools = ['--default-address-pool', 'base=172.16.0.0/12,size=24'];
        const daemon = spawn(findExecutable('dockerd') ?? 'dockerd', pools, { detached: true, stdio: ['ignore', log, log] });
        daemon.on('error', (error) => { spawnError = error; });
        daemon.unref();
      }
      const deadline = Date.now() + DOCKERD_START_TIMEOUT_MS;
      while (Date.now() < deadline) {
        if (spawnError) fail(`could not start dockerd: ${spawnError.message}`);
        if (await dockerAnswers(dockerEndpoint)) return;
        await sleep(250);
      }
      fail(`dockerd did not answer on ${describeEndpoint(dockerEndpoint)} within ${DOCKERD_START_TIMEOUT_MS / 1000} s; see ${dockerdLog}`);
    },
  };
}

// --- PostgreSQL ---------------------------------------------------------------------------------

function hasTestFiles(dir, marker) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  return entries.some((entry) => entry.isDirectory()
    ? hasTestFiles(path.join(dir, entry.name), marker)
    : entry.name.includes(marker));
}

function redact(url) {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
}

async function postgresAnswers(url) {
  let pg;
  try {
    pg = (await import('pg')).default;
  } catch {
    return false;
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Debian keeps the server's programs in /usr/lib/postgresql/<version>/bin, off the PATH. */
function findPostgresBinary(name) {
  let versions = [];
  try {
    versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  } catch {
    // Not Debian's layout: the PATH may still have it.
  }
  for (const version of versions) {
    const candidate = path.join('/usr/lib/postgresql', version, 'bin', name);
    if (isExecutable(candidate)) return candidate;
  }
  return findExecutable(name);
}

function asPostgres(args, { mayFail = false } = {}) {
  const result = spawnSync('runuser', ['-u', 'postgres', '--', ...args], { encoding: 'utf8', cwd: '/' });
  if (result.status === 0) return result.stdout;
  if (mayFail) return undefined;
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-10).join('\n');
  fail(`${path.basename(args[0])} failed${result.error ? ` (${result.error.message})` : ''}:\n${output}`);
  return undefined;
}

/**
 * A private cluster for the tests: its own data folder, listening on 127.0.0.1 only (and a unix
 * socket inside the folder), password logins for the test role, peer logins for postgres.
 */
function startPostgres() {
  return {
    describe: `a PostgreSQL cluster in ${pgDataDir} on 127.0.0.1:${PG_PORT} with role and database ${PG_ROLE}`,
    run: async () => {
      const initdb = findPostgresBinary('initdb');
      const pgCtl = findPostgresBinary('pg_ctl');
      const psql = findPostgresBinary('psql');
      if (!initdb || !pgCtl || !psql) fail('initdb, pg_ctl or psql is missing although postgresql is installed');
      if (!existsSync(path.join(pgDataDir, 'PG_VERSION'))) {
        mkdirSync(pgDataDir, { recursive: true });
        chmodSync(pgDataDir, 0o700);
        const chown = spawnSync('chown', ['postgres:postgres', pgDataDir]);
        if (chown.status !== 0) fail(`cannot hand ${pgDataDir} to the postgres user`);
        asPostgres([initdb, '-D', pgDataDir, '-U', 'postgres', '-E', 'UTF8', '--auth-local=peer', '--auth-host=scram-sha-256']);
      }
      if (asPostgres([pgCtl, '-D', pgDataDir, 'status'], { mayFail: true }) === undefined) {
        asPostgres([
          pgCtl, '-D', pgDataDir, '-l', path.join(pgDataDir, 'server.log'), '-w', '-t', '60',
          '-o', `-c listen_addresses=127.0.0.1 -p ${PG_PORT} -k ${pgDataDir}`, 'start',
        ]);
      }
      const sql = (query) => asPostgres([psql, '-h', pgDataDir, '-p', String(PG_PORT), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-tAc', query]) ?? '';
      if (sql(`SELECT 1 FROM pg_roles WHERE rolname = '${PG_ROLE}'`).trim() !== '1') {
        // CREATEDB: each test file works in a database of its own and drops it afterwards.
        sql(`CREATE ROLE ${PG_ROLE} LOGIN CREATEDB PASSWORD '${PG_ROLE}'`);
      }
      if (sql(`SELECT 1 FROM pg_database WHERE datname = '${PG_ROLE}'`).trim() !== '1') sql(`CREATE DATABASE ${PG_ROLE} OWNER ${PG_ROLE}`);
    },
  };
}

function giveUp(message) {
  return { describe: 'nothing (an external database was named)', run: async () => fail(message) };
}

await main();
