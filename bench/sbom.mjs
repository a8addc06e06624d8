#!/usr/bin/env node
// `shipshape sbom` on a large local image against reading the same layers with tar, in one run.
// No SBOM tool of the field (Trivy, Syft, Grype) is installable here (not in Debian, no network),
// so the floor is what any reader must do: stream `docker save` and walk every layer's entries
// (`docker save IMAGE | tar -xOf - '*.tar' | tar -tf -`). Run after `npm run build`.
//
//   node bench/sbom.mjs [--runs N] [--mib N]
//
// The image (shipshape-bench/sbom:<N>mib) is made once from files written here: package
// databases, a few thousand text files and one large data file, `docker import`ed.

import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repoRoot, 'bin', 'shipshape.js');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] ? Number(args[at + 1]) : fallback;
};
const runs = option('--runs', 3);
const mib = option('--mib', 1024);
const image = `shipshape-bench/sbom:${mib}mib`;

if (spawnSync('docker', ['image', 'inspect', image], { stdio: 'ignore' }).status !== 0) makeImage();

const timings = { shipshape: [], tar: [] };
for (let i = 0; i < runs; i++) {
  const order = i % 2 === 0 ? ['shipshape', 'tar'] : ['tar', 'shipshape'];
  for (const tool of order) timings[tool].push(tool === 'shipshape' ? time(process.execPath, [cli, 'sbom', image, '--format', 'cyclonedx', '-o', '/dev/null']) : time('sh', ['-c', `docker save ${image} | tar -xOf - --wildcards '*.tar' | tar -tf - > /dev/null`]));
}
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const ours = median(timings.shipshape);
const floor = median(timings.tar);
process.stdout.write(`## sbom of a ${mib} MiB image vs reading its layers with tar\n\n`);
process.stdout.write(`${runs} runs each, alternating; wall time of whole processes in ms, medians; load average ${os.loadavg()[0].toFixed(2)} at the end.\n\n`);
process.stdout.write('| tool | median | all runs |\n| --- | ---: | --- |\n');
process.stdout.write(`| shipshape sbom --format cyclonedx | ${ours} | ${timings.shipshape.join(', ')} |\n`);
process.stdout.write(`| docker save \\| tar (layers listed) | ${floor} | ${timings.tar.join(', ')} |\n\n`);
process.stdout.write(`shipshape ÷ tar: **${(ours / floor).toFixed(2)}×**\n\n`);

function time(command, argv) {
  const started = process.hrtime.bigint();
  const run = spawnSync(command, argv, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${command} ${argv.join(' ')} failed: ${run.stderr}`);
  return Math.round(Number(process.hrtime.bigint() - started) / 1e6);
}

function makeImage() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shipshape-bench-'));
  try {
    const root = path.join(dir, 'root');
    for (const sub of ['etc', 'var/lib/dpkg', 'app/node_modules', 'data']) mkdirSync(path.join(root, sub), { recursive: true });
    writeFileSync(path.join(root, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\n');
    writeFileSync(path.join(root, 'var/lib/dpkg/status'), Array.from({ length: 400 }, (_, i) => `Package: pkg${i}\nStatus: install ok installed\nVersion: 1.${i}-1\n`).join('\n'));
    for (let i = 0; i < 300; i++) {
      mkdirSync(path.join(root, `app/node_modules/m${i}`));
      writeFileSync(path.join(root, `app/node_modules/m${i}/package.json`), JSON.stringify({ name: `m${i}`, version: `1.0.${i}` }));
      writeFileSync(path.join(root, `app/node_modules/m${i}/index.js`), 'module.exports = 1;\n'.repeat(200));
    }
    for (let i = 0; i < 3000; i++) writeFileSync(path.join(root, `data/f${i}.txt`), `line ${i}\n`.repeat(100));
    closeSync(openSync(path.join(root, 'data/blob.bin'), 'w'));
    truncateSync(path.join(root, 'data/blob.bin'), Math.max(0, mib - 10) * 2 ** 20);
    const imported = spawnSync('sh', ['-c', `tar -C ${root} -cf - . | docker import - ${image}`], { stdio: 'inherit' });
    if (imported.status !== 0) throw new Error('docker import failed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
