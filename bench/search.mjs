#!/usr/bin/env node
// GET /search over a simulated fleet: 1,000 hosts × 20 containers (`--hosts`, `--containers`),
// each container with a stack, an image, published ports and env names, stored as agents'
// inventories and indexed as the manager indexes them. Then `--requests` searches (default 600)
// of several kinds over keep-alive HTTP on loopback, one at a time. Reported: p50, p95 and p99 of
// the whole request as the client sees it, per kind of query and for all. Run after `npm run build`.
// Output is Markdown, ready for docs/benchmarks.md. Nothing leaves the machine.
//
//   node bench/search.mjs [--hosts N] [--containers N] [--requests N]

import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { buildManager, managerConfig } = await import(pathToFileURL(path.join(repoRoot, 'dist', 'src', 'manager', 'index.js')).href);

const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const HOSTS = arg('hosts', 1000);
const PER_HOST = arg('containers', 20);
const REQUESTS = arg('requests', 600);
const ADMIN = { email: 'bench@example.com', password: 'bench-password-1234' };

const IMAGES = Array.from({ length: 60 }, (_, i) => ['nginx:1.27', 'postgres:16', 'redis:7', 'ghcr.io/acme/api', 'grafana/grafana', 'traefik:v3'][i % 6] + (i < 6 ? '' : `-v${i}`));
const ENV = Array.from({ length: 300 }, (_, i) => ['DATABASE_URL', 'REDIS_HOST', 'LOG_LEVEL', 'API_TOKEN', 'TZ', 'JAVA_OPTS', 'NODE_ENV', 'SMTP_HOST'][i % 8] + (i < 8 ? '' : `_${i}`));

function inventory(h) {
  const containers = [];
  for (let c = 0; c < PER_HOST; c++) {
    const stack = `stack-${h}-${Math.floor(c / 4)}`;
    const service = ['web', 'api', 'db', 'cache'][c % 4];
    containers.push({
      id: `${h.toString(16).padStart(6, '0')}${c.toString(16).padStart(4, '0')}`.padEnd(64, '0'),
      name: `${stack}-${service}-1`,
      image: IMAGES[(h * 7 + c) % IMAGES.length],
      state: c % 17 === 0 ? 'exited' : 'running',
      health: null,
      stack,
      service,
      managed: true,
      ports: c % 4 === 0 ? [{ container_port: 80, host_port: 8000 + ((h + c) % 2000), host_ip: '127.0.0.1', protocol: 'tcp' }] : [],
      env_names: Array.from({ length: 12 }, (_, e) => ENV[(h * 13 + c * 5 + e) % ENV.length]),
    });
  }
  return { collected_at: new Date().toISOString(), agent_version: 'bench', containers, posture: [], drift: [], truncated: false };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'shipshape-bench-search-'));
const config = managerConfig({ databaseUrl: `sqlite:${path.join(dir, 'manager.db')}`, adminEmail: ADMIN.email, adminPassword: ADMIN.password });
const manager = await buildManager({ config, logger: false, rateLimit: false, monitor: false });
await manager.app.listen({ host: '127.0.0.1', port: 0 });
const port = manager.app.server.address().port;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(method, url, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      { host: '127.0.0.1', port, method, path: url, agent, headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

try {
  const login = JSON.parse((await request('POST', '/auth/login', ADMIN)).text);
  const auth = { 'x-admin-key': login.admin_key };
  const started = Date.now();
  const hostIds = [];
  for (let h = 0; h < HOSTS; h++) {
    const r = await request('POST', '/hosts', { hostname: `host-${h}`, ip: `10.${(h >> 8) & 255}.${h & 255}.1`, api_port: 8003, max_containers: 10 }, auth);
    hostIds.push(JSON.parse(r.text).id);
  }
  const store = manager.context.fleet.store;
  for (let h = 0; h < HOSTS; h++) await store.putInventory(hostIds[h], inventory(h), Date.now());
  const indexStart = performance.now();
  await manager.context.fleet.poller.refresh();
  const indexMs = performance.now() - indexStart;
  const setupS = (Date.now() - started) / 1000;

  const queries = {
    'exact container name': (i) => `stack-${(i * 37) % HOSTS}-2-db-1`,
    'stack (prefix)': (i) => `stack-${(i * 11) % HOSTS}-`,
    'image (popular)': () => 'nginx',
    'port': (i) => String(8000 + (i % 2000)),
    'env name': (i) => ENV[i % ENV.length],
    'one letter (matches nearly all)': () => 'e',
    'no match': (i) => `nothing-here-${i}`,
  };
  const timings = Object.fromEntries(Object.keys(queries).map((k) => [k, []]));
  const serverMs = [];
  // Warm-up: the first requests compile schemas and routes.
  for (let i = 0; i < 20; i++) await request('GET', '/search?q=warm', undefined, auth);
  for (let i = 0; i < REQUESTS; i++) {
    const kind = Object.keys(queries)[i % Object.keys(queries).length];
    const q = queries[kind](i);
    const t0 = performance.now();
    const r = await request('GET', `/search?q=${encodeURIComponent(q)}&limit=50`, undefined, auth);
    const ms = performance.now() - t0;
    if (r.status !== 200) throw new Error(`search answered ${r.status}: ${r.text.slice(0, 200)}`);
    timings[kind].push(ms);
    serverMs.push(JSON.parse(r.text).took_ms);
  }
  const pct = (list, p) => {
    const sorted = [...list].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  };
  const f = (n) => n.toFixed(2);
  const all = Object.values(timings).flat();
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`### GET /search: ${HOSTS.toLocaleString('en')} hosts × ${PER_HOST} containers\n`);
  console.log(`${cpu}, ${os.cpus().length} cores (shared), Node ${process.version}, SQLite. ${HOSTS * PER_HOST} containers, ` +
    `${manager.context.fleet.index.hostCount} hosts indexed; the index was built from the database in ${f(indexMs)} ms (setup ${setupS.toFixed(1)} s). ` +
    `${REQUESTS} requests one at a time over keep-alive HTTP on loopback, limit 50.\n`);
  console.log('| query | requests | p50 ms | p95 ms | p99 ms |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [kind, list] of Object.entries(timings)) console.log(`| ${kind} | ${list.length} | ${f(pct(list, 50))} | ${f(pct(list, 95))} | ${f(pct(list, 99))} |`);
  console.log(`| **all** | ${all.length} | **${f(pct(all, 50))}** | **${f(pct(all, 95))}** | **${f(pct(all, 99))}** |`);
  console.log(`\nInside the manager (took_ms): p50 ${f(pct(serverMs, 50))} ms, p95 ${f(pct(serverMs, 95))} ms.`);
  if (pct(all, 95) >= 50) process.exitCode = 1;
} finally {
  agent.destroy();
  await manager.app.close();
  rmSync(dir, { recursive: true, force: true });
}
