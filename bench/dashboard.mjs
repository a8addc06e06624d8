#!/usr/bin/env node
// The dashboard's fleet overview with 1,000 simulated hosts, in Chromium. Run after `npm run build`
// (`npm run bench` does both). Nothing leaves the machine.
//
//   node bench/dashboard.mjs [--hosts N] [--bursts N] [--chromium PATH]
//
// A manager on a fresh SQLite file gets `--hosts` hosts (default 1,000), each registered and
// brought online by one heartbeat through its API. Chromium (Debian's, headless) logs in and opens
// the overview, which renders every host with its status, last-seen age and three sparklines.
// Then `--bursts` times (default 10), one `host.heartbeat` event per host is published at once on
// the manager's event bus and reaches the page over GET /events, as a fleet whose agents all report
// in the same instant would. The page measures its frames with requestAnimationFrame and long
// tasks with a PerformanceObserver, from the burst until the last host's row shows the burst's
// figures plus 500 ms. Reported per burst: the time until the page showed the whole burst, frame
// durations (p50, p95, max) and long tasks (count, longest). Output is Markdown.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const HOSTS = Number(arg('hosts', 1000));
const BURSTS = Number(arg('bursts', 10));
const CHROMIUM = arg('chromium', process.env.SHIPSHAPE_CHROMIUM ?? '/usr/bin/chromium');
const EMAIL = 'bench@example.com';
const PASSWORD = 'bench password 1234';

const { buildManager, managerConfig } = await import(pathToFileURL(path.join(root, 'dist/src/manager/index.js')).href);
const { chromium } = await import('playwright-core');

const dir = mkdtempSync(path.join(os.tmpdir(), 'shipshape-bench-dashboard-'));
const manager = await buildManager({
  logger: false,
  rateLimit: false,
  monitor: false,
  config: managerConfig({ databaseUrl: `sqlite:${path.join(dir, 'bench.db')}`, adminEmail: EMAIL, adminPassword: PASSWORD, eventStreamsPerUser: 10 }),
});
await manager.app.listen({ host: '127.0.0.1', port: 0 });
const url = `http://127.0.0.1:${manager.app.server.address().port}`;
let browser;
try {
  const key = (await manager.app.inject({ method: 'POST', url: '/auth/login', payload: { email: EMAIL, password: PASSWORD } })).json().admin_key;
  const hosts = [];
  for (let i = 0; i < HOSTS; i++) {
    const answer = await manager.app.inject({
      method: 'POST',
      url: '/hosts',
      headers: { 'x-admin-key': key },
      payload: { hostname: `node-${String(i).padStart(4, '0')}`, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, max_containers: 20 },
    });
    const { id, server_key } = answer.json();
    await manager.app.inject({
      method: 'POST',
      url: `/hosts/${id}/heartbeat`,
      headers: { 'x-server-key': server_key },
      payload: { cpu: 10, mem: 20, disk: 30, containers: 5, agent_version: i % 10 === 0 ? '0.1.0' : '0.2.0' },
    });
    hosts.push(id);
  }

  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await page.goto(`${url}/`);
  await page.fill('#login-email', EMAIL);
  await page.fill('#login-password', PASSWORD);
  const loadStart = Date.now();
  await page.click('#login-form button[type=submit]');
  await page.locator('#live.on').waitFor({ timeout: 60_000 });
  await page.locator(`#hosts tbody tr[data-host]`).first().waitFor({ timeout: 60_000 });
  const firstRender = Date.now() - loadStart;
  const rows = await page.locator("#hosts tbody tr[data-host]").count();

  const results = [];
  for (let burst = 1; burst <= BURSTS; burst++) {
    const cpu = 40 + burst; // a value no host showed before, so the page's update is visible
    await page.evaluate(`(() => {
      window.__frames = []; window.__long = [];
      let last = performance.now();
      const generation = (window.__generation = (window.__generation || 0) + 1);
      const tick = (t) => { if (window.__generation !== generation) return; window.__frames.push(t - last); last = t; requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
      window.__observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push(e.duration); });
      window.__observer.observe({ type: 'longtask' });
    })()`);
    await page.waitForTimeout(200);
    const at = new Date().toISOString();
    const published = Date.now();
    for (let i = 0; i < hosts.length; i++) {
      manager.events.publish({ type: 'host.heartbeat', host_id: hosts[i], at, cpu_percent: cpu, mem_percent: 20 + (i % 50), disk_percent: 30, current_containers: 5 });
    }
    // Shown: every rendered row's CPU figure is the burst's.
    const check = `[...document.querySelectorAll('#hosts tbody tr[data-host]')].every((row) => row.querySelector('.spark-value')?.textContent === '${cpu}%')`;
    for (let waited = 0; !(await page.evaluate(check)); waited += 10) {
      if (waited > 60_000) throw new Error(`burst ${burst} never showed`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const shown = Date.now() - published;
    await page.waitForTimeout(500);
    const measured = await page.evaluate(`(() => { window.__generation++; window.__observer.disconnect(); return { frames: window.__frames.slice(1), long: window.__long }; })()`);
    results.push({ burst, shown, ...stats(measured.frames), long: measured.long.length, longest: Math.max(0, ...measured.long) });
  }

  const cpus = os.cpus();
  process.stdout.write(`## dashboard: the fleet overview with ${HOSTS} hosts in Chromium\n\n`);
  process.stdout.write(
    `Machine: ${os.availableParallelism()} CPUs (${cpus[0]?.model ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}, node ${process.version}, ${(await browser.version())}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}.\n\n`,
  );
  process.stdout.write(`First render after login: ${firstRender} ms (the summary counts all ${HOSTS} hosts; ${rows} rows are rendered: those in view and a margin).\n\n`);
  process.stdout.write('| burst | events | shown after (ms) | frames | p50 frame (ms) | p95 frame (ms) | max frame (ms) | long tasks | longest (ms) |\n|---|---|---|---|---|---|---|---|---|\n');
  for (const r of results) {
    process.stdout.write(`| ${r.burst} | ${HOSTS} | ${r.shown} | ${r.count} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(1)} | ${r.long} | ${r.longest.toFixed(0)} |\n`);
  }
  const worst95 = Math.max(...results.map((r) => r.p95));
  process.stdout.write(`\nWorst p95 frame over the bursts: ${worst95.toFixed(1)} ms (target: under 100 ms).\n`);
} finally {
  await browser?.close();
  await manager.app.close();
  rmSync(dir, { recursive: true, force: true });
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] ?? 0 };
}
