#!/usr/bin/env node
// Makes sure what the tests need is on this machine before `npm test` runs them. Silent and
// quick when everything is there; installs what is missing when it can (root on Debian), and
// otherwise stops with a message saying how to get it.
//
// Environment knobs:
//   SHIPSHAPE_NEED_DOCKER=1        also require a running Docker engine (implied when a compiled
//                                  test file under dist/test/ has `.docker.` in its name)
//   SHIPSHAPE_DOCKER_COMPOSE=PATH  where docker-compose v1 is (default /usr/bin/docker-compose)
//   SHIPSHAPE_TEST_ENV_DRYRUN=1    report what would be installed or started, change nothing

import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, openSync, readFileSync, readdirSync } from 'node:fs';
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
    name: 'Docker engine',
    needed: () => process.env.SHIPSHAPE_NEED_DOCKER === '1' || hasDockerTests(path.join(repoRoot, 'dist', 'test')),
    check: () => dockerAnswers(dockerEndpoint),
    install: () => [...(findExecutable('dockerd') ? [] : [aptInstall('docker.io')]), startDockerd()],
    manual:
      `no Docker engine answers on ${describeEndpoint(dockerEndpoint)}. Start one (for example ` +
      '`sudo systemctl start docker`, or install it with `sudo apt-get install docker.io` and run `sudo dockerd &`), ' +
      'or set DOCKER_HOST to an engine you can reach.',
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
        const daemon = spawn(findExecutable('dockerd') ?? 'dockerd', [], { detached: true, stdio: ['ignore', log, log] });
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

await main();
