#!/usr/bin/env node
// `shipshape manager backup` and `restore` on a manager database the size of a 10,000-host fleet:
// 10,000 hosts, 20,000 deployments, 200,000 audit entries (a year of a busy fleet's events is
// capped at AUDIT_MAX_ENTRIES, 1,000,000). Run after `npm run build`. Nothing leaves the machine.
//
//   node bench/backup.mjs [--hosts N] [--audit N] [--database postgres://…/empty_db --target postgres://…/other_empty_db]
//
// Without --database: fresh SQLite files. Reported: the time to write the backup, its size, the
// time to restore and check it, and the process's peak RSS. Output is Markdown for docs/benchmarks.md.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manager = await import(pathToFileURL(path.join(repoRoot, 'dist', 'src', 'manager', 'index.js')).href);
const storage = await import(pathToFileURL(path.join(repoRoot, 'dist', 'src', 'manager', 'storage', 'repository.js')).href);

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const hosts = Number(arg('hosts', 10_000));
const audits = Number(arg('audit', 200_000));
const scratch = mkdtempSync(path.join(os.tmpdir(), 'shipshape-bench-backup-'));
const source = arg('database', `sqlite:${path.join(scratch, 'source.db')}`);
const target = arg('target', `sqlite:${path.join(scratch, 'target.db')}`);

try {
  const repo = await manager.openRepository(source);
  const at = Date.now();
  let t = performance.now();
  for (let i = 0; i < hosts; i++) {
    const id = randomUUID();
    await repo.insertHost(
      storage.newHostRecord(
        { id, hostname: `node-${i}`, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, sshPort: 22, apiPort: 8003, maxContainers: 10, keyJti: randomUUID(), keyHash: randomUUID(), keyIssuedAt: 1, agentCertSha256: 'ab'.repeat(32) },
        at,
      ),
    );
    await repo.heartbeat(id, (await repo.getHost(id)).keyHash, { cpu: 20, mem: 30, containers: 4, disk: 40, load: 0.5, dockerOk: true, agentVersion: 'bench' }, at);
    for (let d = 0; d < 2; d++) {
      await repo.placeDeployment({ id: randomUUID(), name: `app-${i}-${d}`, userId: null, source: 'compose', findings: '[]', createdBy: 'bench', leaseOwner: null, leaseUntil: null }, at);
    }
  }
  const batch = [];
  for (let i = 0; i < audits; i++) {
    batch.push({ id: randomUUID(), at: at + i, actor: 'admin@example.com', actorRole: 'admin', action: 'host.heartbeat-missed', target: randomUUID(), outcome: 'ok', ip: '10.0.0.1', requestId: randomUUID(), details: '{"hostname":"node-1"}' });
    if (batch.length === 5_000) await repo.insertAudits(batch.splice(0));
  }
  await repo.insertAudits(batch);
  await repo.close();
  const filled = (performance.now() - t) / 1000;

  const file = path.join(scratch, 'backup.jsonl');
  t = performance.now();
  const made = await manager.backupDatabase(source, file);
  const backupSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const restored = await manager.restoreDatabase(target, file);
  const restoreSeconds = (performance.now() - t) / 1000;

  const rows = Object.values(made.counts).reduce((a, b) => a + b, 0);
  console.log(`| ${made.dialect} → ${restored.dialect} | ${hosts.toLocaleString('en')} hosts, ${made.counts.deployments.toLocaleString('en')} deployments, ${made.counts.audit_log.toLocaleString('en')} audit entries (${rows.toLocaleString('en')} rows) | ${backupSeconds.toFixed(1)} s | ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB | ${restoreSeconds.toFixed(1)} s | ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB |`);
  console.error(`(filling the database took ${filled.toFixed(0)} s)`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
