#!/usr/bin/env node
// The host agent against the Docker Engine API it drives. Run after `npm run build` (`npm run
// bench` does both) on a machine with a Docker engine and the test image (`npm test` makes it).
// Everything stays on loopback and the local socket; nothing is pulled.
//
//   node bench/agent.mjs [--runs N] [--idle S]
//
// 1. Container round trip: create + start + remove of one container (the test image running
//    `sleep`), N times each way (default 30), alternating: through the agent (`shipshape agent`
//    started as the CLI starts it, default log level, POST /containers then DELETE
//    /containers/:id?force=true over HTTP on 127.0.0.1) and straight to the Engine API (the same
//    three calls, create / start / delete, on the engine's unix socket). Reported: median and p90
//    of each, and the ratio of the medians. Issue 5's goal: at most 1.15×.
// 2. Idle: a fresh agent with a manager stand-in receiving its heartbeats (every 10 s, the
//    default), left alone for S seconds (default 60) after a 5 s settling time. Reported: its RSS
//    at the end, and its CPU use over the window (user + system, from /proc). Goals: at most 60 MiB,
//    under 1 %. Also the RSS of the agent of part 1 after its round trips.
//
// Output is Markdown, ready for docs/benchmarks.md.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repoRoot, 'bin', 'shipshape.js');
const testImageModule = path.join(repoRoot, 'dist', 'test', 'helpers', 'test-image.js');
const KEY = 'bench-server-key-0123456789abcdef';
const SOCKET = dockerSocket();
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

const options = parseOptions(process.argv.slice(2));
if (!existsSync(path.join(repoRoot, 'dist', 'src', 'agent', 'index.js'))) fail('dist/ is missing: run `npm run build` first');
if (!existsSync(testImageModule)) fail('dist/test/helpers/test-image.js is missing: run `npm run build` first');
const { ensureTestImage, TEST_IMAGE } = await import(pathToFileURL(testImageModule).href);
await ensureTestImage();

const scratch = mkdtempSync(path.join(os.tmpdir(), 'shipshape-bench-agent-'));
try {
  print('## host agent (`shipshape agent`) vs the Engine API\n');
  print(`load average at start: ${loadAverage()}; Docker engine ${await engineVersion()} on ${SOCKET}\n`);
  await roundTrips();
  await idle();
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

async function roundTrips() {
  const agent = await startAgent({});
  const agentAgent = new http.Agent({ keepAlive: true });
  const engineAgent = new http.Agent({ keepAlive: true });
  const viaAgent = [];
  const direct = [];
  const body = (name) => ({ Image: TEST_IMAGE, Cmd: ['sleep', '300'], Labels: { 'dev.shipshape.bench': 'agent' }, name });
  try {
    // One of each first, unmeasured: connections, the engine's caches, V8's compilation.
    for (let i = -2; i < options.runs; i++) {
      const name = `shipshape-bench-${process.pid}-${i + 2}`;
      const a = await timed(async () => {
        const created = await request(agentAgent, { port: agent.port, method: 'POST', path: '/containers', headers: { 'x-server-key': KEY } }, { image: TEST_IMAGE, name: `${name}-a`, command: ['sleep', '300'], labels: { 'dev.shipshape.bench': 'agent' } });
        expect(created, 201);
        expect(await request(agentAgent, { port: agent.port, method: 'DELETE', path: `/containers/${JSON.parse(created.body).id}?force=true`, headers: { 'x-server-key': KEY } }), 200);
      });
      const d = await timed(async () => {
        const { name: n, ...rest } = body(`${name}-d`);
        const created = await request(engineAgent, { socketPath: SOCKET, method: 'POST', path: `/containers/create?name=${n}` }, rest);
        expect(created, 201);
        const id = JSON.parse(created.body).Id;
        expect(await request(engineAgent, { socketPath: SOCKET, method: 'POST', path: `/containers/${id}/start` }), 204);
        expect(await request(engineAgent, { socketPath: SOCKET, method: 'DELETE', path: `/containers/${id}?force=true` }), 204);
      });
      if (i >= 0) {
        viaAgent.push(a);
        direct.push(d);
      }
    }
    const rss = rssOf(agent.pid);
    print(`### create + start + remove, ${options.runs} of each, alternating\n`);
    print('| path | median | p90 |');
    print('| --- | ---: | ---: |');
    print(`| through the agent (HTTP on 127.0.0.1, X-Server-Key) | ${ms(median(viaAgent))} | ${ms(percentile(viaAgent, 90))} |`);
    print(`| straight to the Engine API (unix socket) | ${ms(median(direct))} | ${ms(percentile(direct, 90))} |`);
    print(`| **ratio** | **${(median(viaAgent) / median(direct)).toFixed(2)}×** | ${(percentile(viaAgent, 90) / percentile(direct, 90)).toFixed(2)}× |`);
    print('');
    print(`The agent's RSS after these round trips: ${mib(rss)}.\n`);
  } finally {
    agentAgent.destroy();
    engineAgent.destroy();
    await agent.stop();
  }
}

async function idle() {
  const manager = await fakeManager();
  const agent = await startAgent({ MANAGER_URL: `http://127.0.0.1:${manager.port}`, HOST_ID: 'bench-host' });
  try {
    await sleep(5_000);
    const before = cpuTicks(agent.pid);
    const beatsBefore = manager.beats();
    await sleep(options.idle * 1_000);
    const seconds = (cpuTicks(agent.pid) - before) / CLK_TCK;
    const rss = rssOf(agent.pid);
    const beats = manager.beats() - beatsBefore;
    print(`### idle, ${options.idle} s, heartbeats every 10 s\n`);
    print('| measure | value | goal |');
    print('| --- | ---: | ---: |');
    print(`| RSS at the end | ${mib(rss)} | ≤ 60 MiB |`);
    print(`| CPU (user + system) | ${((seconds / options.idle) * 100).toFixed(2)} % (${seconds.toFixed(2)} s) | < 1 % |`);
    print(`| heartbeats received | ${beats} | |`);
    print('');
    print(`For scale, on the same machine: ${await bareFastifyRss()} for a bare Fastify app with one route, idle.\n`);
  } finally {
    await agent.stop();
    await manager.close();
  }
}

/** `shipshape agent` as an operator starts it, on a free port of 127.0.0.1. */
async function startAgent(extraEnv) {
  const port = await freePort();
  const workDir = mkdtempSync(path.join(scratch, 'work-'));
  const child = spawn(process.execPath, [cli, 'agent'], {
    cwd: scratch,
    env: { PATH: process.env.PATH ?? '', SERVER_KEY: KEY, WORK_DIR: workDir, API_HOST: '127.0.0.1', API_PORT: String(port), DOCKER_SOCKET: `unix://${SOCKET}`, ...extraEnv },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) fail(`the agent exited (${child.exitCode}): ${stderr}`);
    const ok = await new Promise((resolve) => {
      http
        .get({ host: '127.0.0.1', port, path: '/health' }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        })
        .on('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) fail('the agent did not answer /health within 30 s');
    await sleep(100);
  }
  return {
    port,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

async function fakeManager() {
  let beats = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      beats++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ack":true}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, beats: () => beats, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function bareFastifyRss() {
  const code =
    "const F = (await import('fastify')).default; const app = F(); app.get('/health', async () => ({ ok: true }));" +
    "await app.listen({ port: 0, host: '127.0.0.1' }); setTimeout(() => { process.stdout.write(String(process.memoryUsage().rss)); process.exit(0); }, 5000);";
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: repoRoot, encoding: 'utf8' });
  return run.status === 0 ? mib(Number(run.stdout)) : 'n/a';
}

function request(agent, { socketPath, port, method, path: urlPath, headers = {} }, body) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, socketPath, host: socketPath ? undefined : '127.0.0.1', port, method, path: urlPath, headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function expect(response, status) {
  if (response.status !== status) fail(`expected HTTP ${status}, got ${response.status}: ${response.body.slice(0, 300)}`);
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function engineVersion() {
  const res = await request(undefined, { socketPath: SOCKET, method: 'GET', path: '/version' });
  return JSON.parse(res.body).Version;
}

function dockerSocket() {
  const host = process.env.DOCKER_HOST;
  if (host?.startsWith('unix://')) return host.slice('unix://'.length);
  if (host) fail('DOCKER_HOST must be a unix:// socket for this benchmark');
  return '/var/run/docker.sock';
}

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function cpuTicks(pid) {
  // Fields 14 and 15 (utime, stime), counted after the command name, which may hold spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssOf(pid) {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

function parseOptions(args) {
  const out = { runs: 30, idle: 60 };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--runs') out.runs = Number(args[++i]);
    else if (args[i] === '--idle') out.idle = Number(args[++i]);
  }
  if (!(out.runs > 0) || !(out.idle > 0)) fail('usage: node bench/agent.mjs [--runs N] [--idle S]');
  return out;
}

function sleep(milliseconds) {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
function median(values) {
  return percentile(values, 50);
}
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
function ms(value) {
  return `${value.toFixed(1)} ms`;
}
function mib(bytes) {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
function loadAverage() {
  return os.loadavg().map((l) => l.toFixed(2)).join(', ');
}
function print(line) {
  process.stdout.write(`${line}\n`);
}
function fail(message) {
  process.stderr.write(`bench/agent: ${message}\n`);
  process.exit(1);
}
