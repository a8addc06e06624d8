#!/usr/bin/env node
// Records what Debian's docker-compose v1 (`config`) makes of every compose file in the test
// corpus, so the conformance test can compare Shipshape's loader against a real implementation
// without needing docker-compose at test time. See docs/oracle.md.
//
//   node scripts/oracle.mjs      → writes test/fixtures/oracle/docker-compose-v1.json

import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpusRoot = path.join(repoRoot, 'test', 'fixtures', 'corpus');
const outputFile = path.join(repoRoot, 'test', 'fixtures', 'oracle', 'docker-compose-v1.json');
const composeBinary = process.env.SHIPSHAPE_DOCKER_COMPOSE || '/usr/bin/docker-compose';

const PROJECT_NAME = 'oracle';
const CONCURRENCY = 4;
const TIMEOUT_MS = 10_000;
const ERROR_LINES = 5;
// A runaway expansion (alias bomb) must not eat the machine's memory before the timeout hits.
const MAX_OUTPUT_BYTES = 32 * 1024 * 1024;

// Absolute paths in the output depend on where the repository is checked out; they are written
// relative to this token instead. The conformance test substitutes its own corpus root.
const CORPUS_TOKEN = '<corpus>';

// Only PATH reaches docker-compose, plus a fixed HOME: without one, `~` would expand to whatever
// the passwd database says for the user running this script.
const BASE_ENV = { HOME: '/home/oracle' };

// Variables the compose-go tests set for these inputs (see the Go test named in each file's
// first line). Recorded in the JSON next to the result so the comparison can use the same values.
const FIXTURE_ENV = {
  'compose-go/cli/testdata/simple/compose-name.yaml': { TEST: 'expected' },
  'compose-go/inline-go-tests/loader__loader_test__L664.yaml': { HOME: '/home/foo', FOO: 'foo' },
  'compose-go/inline-go-tests/loader__loader_test__L701.yaml': {
    theint: '555',
    thefloat: '3.14',
    thebool: 'true',
    theduration: '60s',
    thesize: '2gb',
  },
  'compose-go/inline-go-tests/loader__loader_test__L1117.yaml': { FOO_SCALE: '2' },
};

async function main() {
  try {
    accessSync(composeBinary, constants.X_OK);
  } catch {
    console.error(`oracle: ${composeBinary} not found. Install Debian's docker-compose (v1): ` +
      'apt-get install docker-compose (or run node scripts/test-env.mjs as root).');
    process.exit(1);
  }

  const files = (await listComposeFiles(corpusRoot)).sort();
  const results = new Map();
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const relative = files[next++];
      results.set(relative, await runConfig(relative));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));

  const oracle = {};
  let accepted = 0;
  let timeouts = 0;
  for (const relative of files) {
    const result = results.get(relative);
    oracle[relative] = result;
    if (result.accepted) accepted++;
    else if (result.error === 'timeout') timeouts++;
  }

  await mkdir(path.dirname(outputFile), { recursive: true });
  await writeFile(outputFile, JSON.stringify(sortKeys(oracle), null, 2) + '\n');
  console.log(`oracle: ${files.length} files, ${accepted} accepted, ${files.length - accepted} rejected ` +
    `(${timeouts} timeouts) → ${path.relative(repoRoot, outputFile)}`);
}

async function listComposeFiles(root, prefix = '') {
  const found = [];
  for (const entry of await readdir(path.join(root, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...await listComposeFiles(root, relative));
    else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) found.push(relative);
  }
  return found;
}

async function runConfig(relative) {
  const file = path.join(corpusRoot, relative);
  const fixtureEnv = FIXTURE_ENV[relative];
  // The file's own directory is the project directory, as compose does with a lone -f, so a
  // `.env` next to the file is read.
  const args = ['-f', file, '--project-directory', path.dirname(file), '-p', PROJECT_NAME, 'config'];
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...BASE_ENV, ...fixtureEnv };
  const { code, stdout, stderr, timedOut, tooLarge } = await run(composeBinary, args, env, path.dirname(file));

  const withEnv = (result) => (fixtureEnv ? { ...result, env: fixtureEnv } : result);
  if (timedOut) return withEnv({ accepted: false, error: 'timeout' });
  if (tooLarge) return withEnv({ accepted: false, error: 'output too large' });
  if (code !== 0) return withEnv({ accepted: false, error: firstLines(stderr) });
  try {
    // PyYAML writes YAML 1.1 (it quotes strings such as 'yes' or '0755' by that schema), so it is
    // read back with the same schema.
    const config = parse(stdout, { version: '1.1', maxAliasCount: -1 });
    return withEnv({ accepted: true, config: relocate(config) });
  } catch (error) {
    return withEnv({ accepted: false, error: `unparsable output: ${error.message.split('\n')[0]}` });
  }
}

function run(command, args, env, cwd) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = [];
    const stderr = [];
    let size = 0;
    let timedOut = false;
    let tooLarge = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.stdout.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) {
        tooLarge = true;
        child.kill('SIGKILL');
      } else {
        stdout.push(chunk);
      }
    });
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout: '', stderr: String(error.message), timedOut, tooLarge });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        timedOut,
        tooLarge,
      });
    });
  });
}

// Lines that say nothing about why a file was rejected: unset-variable warnings printed before
// the error, and the generic advice v1 appends to every schema error.
const NOISE = [
  /^WARNING: /,
  /^The \S+ variable is not set\. Defaulting to a blank string\.$/,
  /^You might be seeing this error because you're using the wrong Compose file version\./,
  /^For more on the Compose file format versions, see /,
];

function firstLines(stderr) {
  const lines = stderr.split('\n').map((line) => line.trimEnd()).filter((line) => line.trim() !== '');
  // v1 crashes on some inputs; the exception on the last unindented line is what matters.
  if (lines[0] === 'Traceback (most recent call last):') {
    const exception = lines.findLast((line) => !/^\s/.test(line)) ?? lines[0];
    return relocateString(`docker-compose crashed: ${exception}`);
  }
  const meaningful = lines.filter((line) => !NOISE.some((pattern) => pattern.test(line)));
  return relocateString((meaningful.length > 0 ? meaningful : lines).slice(0, ERROR_LINES).join('\n'));
}

function relocateString(text) {
  return text.replaceAll(corpusRoot, CORPUS_TOKEN);
}

function relocate(value) {
  if (typeof value === 'string') return relocateString(value);
  if (Array.isArray(value)) return value.map(relocate);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [relocateString(key), relocate(item)]));
  }
  return value;
}

// Sorted at every level so regenerating the file gives a stable, reviewable diff.
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value).sort().map((key) => [key, sortKeys(value[key])]),
    );
  }
  return value;
}

await main();
