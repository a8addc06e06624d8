#!/usr/bin/env node
// The manager under a fleet of simulated agents: plain HTTP clients on loopback, bounded in how
// many requests they have in flight. Run after `npm run build` (`npm run bench` does both).
// Nothing leaves the machine.
//
//   node bench/manager.mjs [--duration S] [--concurrency N] [--hosts N] [--interval S] [--quick]
//                          [--database URL]
//
// 1. Heartbeat throughput: `--concurrency` clients (default 64) send heartbeats of 1,000 hosts
//    over keep-alive connections for `--duration` seconds (default 10), first to the manager, then
//    to a bare Fastify route that only parses the JSON body and answers `{"ack": true}`, each in a
//    process of its own. Reported: heartbeats per second, p50 and p99 latency, and the ratio.
// 2. A fleet: `--hosts` hosts (default 10,000) registered, each sending a heartbeat every
//    `--interval` seconds (default 10) for three intervals, with the manager's default
//    OFFLINE_AFTER (three intervals). Then all stop at once; the host.offline events of GET /events
//    tell when the manager noticed each one. Reported: the rate and latency under the fleet, the
//    offline detection delay, and the manager's peak RSS.
//
// `--quick` is a smoke run (1,000 hosts at 1 s, 3 s of throughput). `--database` runs the manager
// on that database (an empty one, e.g. postgres://…) instead of a fresh SQLite file. Output is Markdown, ready
// for docs/benchmarks.md.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const self = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(self), '..');
const managerModule = path.join(repoRoot, 'dist', 'src', 'manager', 'index.js');
const ADMIN = { email: 'bench@example.com', password: 'bench-password-1234' };
/** What a Shipshape agent sends. */
const SERVICE = { name: 'web', state: 'running', health: 'healthy', running: 1, total: 1 };
const FIGURES = {
  cpu: 23,
  mem: 41,
  containers: 4,
  disk: 37,
  load: 0.42,
  docker_ok: true,
  agent_version: 'bench',
  stacks: ['shop', 'blog'].map((name) => ({ name, status: 'running', reason: null, services: [SERVICE], seen_at: '2026-01-01T00:00:00.000Z' })),
};

if (process.argv[2] === '--child') {
  await child(process.argv[3]);
} else {
  await main();
}

// --- the two servers, each in a process of its own ------------------------------------------------

async function child(kind) {
  let app;
  if (kind === 'manager') {
    const { buildManager, managerConfig } = await import(pathToFileURL(managerModule).href);
    const config = managerConfig({
      databaseUrl: process.env.BENCH_DATABASE_URL,
      adminEmail: ADMIN.email,
      adminPassword: ADMIN.password,
      offlineAfter: Number(process.env.BENCH_OFFLINE_AFTER),
    });
    ({ app } = await buildManager({ config, logger: false, rateLimit: false }));
  } else {
    const { default: Fastify } = await import('fastify');
    app = Fastify({ logger: false });
    app.post('/hosts/:id/heartbeat', async () => ({ ack: true }));
  }
  await app.listen({ host: '127.0.0.1', port: 0 });
  let peakRss = process.memoryUsage().rss;
  setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 200).unref();
  // An interrupted run must not leave servers behind.
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (message) => {
    if (message === 'rss') process.send({ rss: process.memoryUsage().rss, peakRss });
    if (message === 'stop') {
      await app.close();
      process.exit(0);
    }
  });
  process.send({ port: app.server.address().port });
}

function startChild(kind, env = {}) {
  const proc = spawn(process.execPath, [self, '--child', kind], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (message) =>
    new Promise((resolve) => {
      proc.once('message', resolve);
      proc.send(message);
    });
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`${kind} exited with ${code} before listening`)));
    proc.once('message', ({ port }) => {
      proc.removeAllListeners('exit');
      resolve({
        port,
        rss: () => ask('rss'),
        stop: () =>
          new Promise((done) => {
            proc.once('exit', done);
            proc.send('stop');
          }),
      });
    });
  });
}

// --- HTTP ------------------------------------------------------------------------------------------

function request(agent, port, method, url, headers, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      { host: '127.0.0.1', port, method, path: url, agent, headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function registerHosts(port, count, log, apiPort) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const login = await request(agent, port, 'POST', '/auth/login', {}, ADMIN);
  const adminKey = JSON.parse(login.body).admin_key;
  const hosts = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        const i = next++;
        const response = await request(agent, port, 'POST', '/hosts', { 'x-admin-key': adminKey }, {
          hostname: `sim-${i}`,
          ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
          api_port: apiPort,
          max_containers: 10,
        });
        if (response.status !== 201) throw new Error(`registering host ${i}: ${response.status} ${response.body}`);
        const { id, server_key } = JSON.parse(response.body);
        hosts[i] = { path: `/hosts/${id}/heartbeat`, key: server_key, id };
        if (i > 0 && i % 2500 === 0) log(`registered ${i} hosts`);
      }
    }),
  );
  agent.destroy();
  return { hosts, adminKey };
}

/** `concurrency` clients, each sending one heartbeat after the other until `seconds` are over. */
async function hammer(port, hosts, seconds, concurrency) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  let errors = 0;
  let turn = 0;
  // A short warm-up, so that JIT compilation and connection set-up are not measured.
  const warmUntil = Date.now() + 1000;
  const end = warmUntil + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const host = hosts[turn++ % hosts.length];
        const started = process.hrtime.bigint();
        const response = await request(agent, port, 'POST', host.path, { 'x-server-key': host.key }, FIGURES);
        const now = Date.now();
        if (now < warmUntil) continue;
        if (response.status !== 200) errors++;
        else latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    }),
  );
  agent.destroy();
  return { rate: latencies.length / seconds, errors, ...percentiles(latencies) };
}

function percentiles(values) {
  const sorted = Float64Array.from(values).sort();
  const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
  return { p50: at(0.5), p99: at(0.99), max: sorted.length ? sorted[sorted.length - 1] : NaN };
}

/** GET /events, recording when each host.offline arrived. */
function watchOffline(port, adminKey, offlineAt) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/events', headers: { 'x-admin-key': adminKey } }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!block.startsWith('event: host.offline')) continue;
          const data = JSON.parse(block.slice(block.indexOf('data: ') + 6));
          if (!offlineAt.has(data.host_id)) offlineAt.set(data.host_id, Date.now());
        }
      });
      resolve(() => req.destroy());
    });
    req.on('error', (err) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
    req.end();
  });
}

/** Every host beats once per interval, spread evenly, at most `concurrency` requests in flight. */
async function fleet(port, hosts, intervalMs, rounds, concurrency) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const lastBeat = new Float64Array(hosts.length);
  const latencies = [];
  let errors = 0;
  let inFlight = 0;
  let late = 0;
  const start = Date.now();
  const total = hosts.length * rounds;
  let sent = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((Date.now() - start) / intervalMs) * hosts.length) + 1);
      while (sent < due && inFlight < concurrency) {
        const i = sent % hosts.length;
        sent++;
        inFlight++;
        const began = process.hrtime.bigint();
        request(agent, port, 'POST', hosts[i].path, { 'x-server-key': hosts[i].key }, FIGURES)
          .then((response) => {
            if (response.status === 200) {
              lastBeat[i] = Date.now();
              latencies.push(Number(process.hrtime.bigint() - began) / 1e6);
            } else errors++;
          })
          .catch(() => errors++)
          .finally(() => inFlight--);
      }
      if (sent < due) late++;
      if (sent >= total && inFlight === 0) return resolve();
      setTimeout(tick, 5);
    };
    tick();
  });
  const seconds = (Date.now() - start) / 1000;
  agent.destroy();
  return { lastBeat, rate: latencies.length / seconds, errors, late, seconds, ...percentiles(latencies) };
}

// --- main --------------------------------------------------------------------------------------------

function parseOptions(argv) {
  const options = { duration: 10, concurrency: 64, hosts: 10_000, interval: 10, database: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') Object.assign(options, { duration: 3, hosts: 1_000, interval: 1 });
    else if (arg === '--database') options.database = argv[++i];
    else if (['--duration', '--concurrency', '--hosts', '--interval'].includes(arg)) options[arg.slice(2)] = Number(argv[++i]);
  }
  return options;
}

async function main() {
  if (!existsSync(managerModule)) {
    process.stderr.write('bench/manager.mjs: dist/src/manager is missing; run `npm run build` first\n');
    process.exit(1);
  }
  const options = parseOptions(process.argv.slice(2));
  const log = (message) => process.stderr.write(`bench/manager: ${message}\n`);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'shipshape-bench-manager-'));
  const databaseFor = (name) => options.database ?? `sqlite:${path.join(scratch, `${name}.db`)}`;
  const databaseName = options.database ? options.database.replace(/:[^:@/]*@/, ':***@') : 'a fresh SQLite file (WAL)';
  try {
    // 1. Throughput.
    log('throughput: manager');
    const manager = await startChild('manager', { BENCH_DATABASE_URL: databaseFor('throughput'), BENCH_OFFLINE_AFTER: '3600' });
    const { hosts } = await registerHosts(manager.port, 1000, log, 8003);
    const managed = await hammer(manager.port, hosts, options.duration, options.concurrency);
    await manager.stop();
    log('throughput: bare Fastify route');
    const bare = await startChild('bare');
    const bareResult = await hammer(bare.port, hosts, options.duration, options.concurrency);
    await bare.stop();

    // 2. The fleet.
    log(`fleet: registering ${options.hosts} hosts`);
    const offlineAfter = options.interval * 3;
    const fleetManager = await startChild('manager', { BENCH_DATABASE_URL: databaseFor('fleet'), BENCH_OFFLINE_AFTER: String(offlineAfter) });
    // Other addresses than the first part's hosts: with --database both parts share one database.
    const { hosts: fleetHosts, adminKey } = await registerHosts(fleetManager.port, options.hosts, log, 8004);
    const idleRss = (await fleetManager.rss()).rss;
    const offlineAt = new Map();
    const stopWatching = await watchOffline(fleetManager.port, adminKey, offlineAt);
    log(`fleet: ${options.hosts} hosts, a heartbeat each every ${options.interval} s, for three intervals`);
    const beats = await fleet(fleetManager.port, fleetHosts, options.interval * 1000, 3, 256);
    const stoppedAt = Date.now();
    log('fleet: all agents stopped; waiting for the manager to notice');
    const deadline = stoppedAt + (offlineAfter + options.interval * 2) * 1000;
    while (offlineAt.size < fleetHosts.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    stopWatching();
    const { peakRss } = await fleetManager.rss();
    await fleetManager.stop();

    const lags = fleetHosts.map((h, i) => (offlineAt.has(h.id) ? offlineAt.get(h.id) - beats.lastBeat[i] : Infinity));
    const detected = lags.filter(Number.isFinite);
    const lag = percentiles(detected);
    const afterStop = percentiles(fleetHosts.filter((h) => offlineAt.has(h.id)).map((h) => offlineAt.get(h.id) - stoppedAt));

    const ms = (v) => (Number.isFinite(v) ? v.toFixed(2) : '–');
    const s = (v) => (Number.isFinite(v) ? (v / 1000).toFixed(1) : '–');
    const mib = (bytes) => (bytes / 2 ** 20).toFixed(0);
    const out = [];
    out.push('## manager (`shipshape manager`)', '');
    out.push(
      `Database: ${databaseName}. Clients and servers on this machine, over loopback; each server in a process of its own, ` +
        `the clients in a third. Node ${process.version}, ${os.availableParallelism()} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(', ')} at the end.`,
      '',
    );
    out.push(`### Heartbeats per second (${options.concurrency} clients, ${options.duration} s, 1,000 hosts)`, '');
    out.push('| server | heartbeats/s | p50 ms | p99 ms | errors |', '| --- | ---: | ---: | ---: | ---: |');
    out.push(`| manager: POST /hosts/:id/heartbeat (key check and UPDATE) | ${managed.rate.toFixed(0)} | ${ms(managed.p50)} | ${ms(managed.p99)} | ${managed.errors} |`);
    out.push(`| bare Fastify route, JSON body, constant answer | ${bareResult.rate.toFixed(0)} | ${ms(bareResult.p50)} | ${ms(bareResult.p99)} | ${bareResult.errors} |`);
    out.push('', `Manager / bare: **${(managed.rate / bareResult.rate).toFixed(2)}×** (goals: ≥ 10,000/s and ≥ 0.4×).`, '');
    out.push(`### A fleet of ${options.hosts.toLocaleString('en')} hosts, a heartbeat every ${options.interval} s`, '');
    out.push('| measure | value |', '| --- | ---: |');
    out.push(`| heartbeats accepted / errors | ${beats.rate.toFixed(0)}/s over ${beats.seconds.toFixed(0)} s / ${beats.errors} |`);
    out.push(`| heartbeat latency p50 / p99 / max | ${ms(beats.p50)} / ${ms(beats.p99)} / ${ms(beats.max)} ms |`);
    out.push(`| scheduler rounds that fell behind (256 in flight at most) | ${beats.late} |`);
    out.push(`| OFFLINE_AFTER (three intervals); monitor checks every | ${offlineAfter} s; ${Math.min(2, offlineAfter / 10)} s |`);
    out.push(`| hosts marked offline after the agents stopped | ${detected.length} of ${fleetHosts.length} |`);
    out.push(`| delay from a host's last heartbeat to its host.offline event, p50 / max | ${s(lag.p50)} / ${s(lag.max)} s (${(lag.max / 1000 / options.interval).toFixed(2)} intervals) |`);
    out.push(`| delay from a host's first missed heartbeat (last + one interval) to host.offline, max | ${s(lag.max - options.interval * 1000)} s (${(lag.max / 1000 / options.interval - 1).toFixed(2)} intervals) |`);
    out.push(`| delay from the agents stopping to the last host.offline | ${s(afterStop.max)} s |`);
    out.push(`| manager RSS: registered and idle / peak under the fleet | ${mib(idleRss)} / ${mib(peakRss)} MiB |`);
    out.push('');
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
