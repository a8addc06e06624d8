#!/usr/bin/env node
// Runs every benchmark in bench/ (each *.mjs file but this one), one after the other, after a
// line about the machine: results depend on it, and on what else it was doing.
//
//   node bench/run.mjs [options passed to each benchmark]      (`npm run bench` builds first)

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const self = path.basename(fileURLToPath(import.meta.url));
const benchmarks = readdirSync(benchDir)
  .filter((name) => name.endsWith('.mjs') && name !== self)
  .sort();

process.stdout.write(`# Benchmarks\n\n${machine()}\n\n`);
let failed = 0;
for (const name of benchmarks) {
  process.stderr.write(`bench: ${name}\n`);
  const run = spawnSync(process.execPath, [path.join(benchDir, name), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed++;
    process.stderr.write(`bench: ${name} failed (${run.status ?? run.signal})\n`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;

/** CPUs, CPU model, memory, node version and load average, on one line. */
function machine() {
  const model = cpuModel() ?? os.cpus()[0]?.model ?? 'unknown CPU';
  const gib = (bytes) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  const load = os.loadavg().map((l) => l.toFixed(2)).join(', ');
  return (
    `Machine: ${os.availableParallelism()} CPUs (${model}), ${gib(os.totalmem())} memory (${gib(os.freemem())} free), ` +
    `${os.type()} ${os.release()}, node ${process.version}; load average ${load}.`
  );
}

function cpuModel() {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}
