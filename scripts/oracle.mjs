#!/usr/bin/env node
// Records what Debian's docker-compose v1 (`config`) makes of every compose file in the test
// corpus, so the conformance test can compare Shipshape's loader against a real implementation
// without needing docker-compose at test time. See docs/oracle.md.
//
//   node scripts/oracle.mjs             → writes test/fixtures/oracle/docker-compose-v1.json
//   node scripts/oracle.mjs TEXT...     → prints the entries of the files whose path contains a
//                                         TEXT, and writes nothing
//
// A file v1 rejects only because it predates the top-level `name:` key, or only because a build
// context or env file the corpus does not ship is missing, is run a second time on a changed copy
// (a "variant") so that its content is still compared; the original verdict is kept next to it.

import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { access, cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, parse, parseDocument } from 'yaml';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpusRoot = path.join(repoRoot, 'test', 'fixtures', 'corpus');
const outputFile = path.join(repoRoot, 'test', 'fixtures', 'oracle', 'docker-compose-v1.json');
const composeBinary = process.env.SHIPSHAPE_DOCKER_COMPOSE || '/usr/bin/docker-compose';

const PROJECT_NAME = 'oracle';
const CONCURRENCY = 4;
const TIMEOUT_MS = 10_000;
// A file that times out is run once more with a longer limit: on a busy machine (other tests
// running) v1's start-up alone can take seconds, and the JSON must not depend on the load.
const RETRY_TIMEOUT_MS = 40_000;
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

  const filters = process.argv.slice(2);
  const files = (await listComposeFiles(corpusRoot))
    .filter((file) => filters.length === 0 || filters.some((text) => file.includes(text)))
    .sort();
  const results = new Map();
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'shipshape-oracle-'));
  let next = 0;
  // Each worker changes files in its own copy of the corpus, never in the corpus itself (other
  // tests read it while this runs).
  const worker = async (index) => {
    const copy = path.join(scratch, String(index));
    await cp(corpusRoot, copy, { recursive: true });
    while (next < files.length) {
      const relative = files[next++];
      results.set(relative, await judge(relative, copy));
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, (_, index) => worker(index)));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  const oracle = {};
  let accepted = 0;
  let timeouts = 0;
  const variants = new Map();
  for (const relative of files) {
    const result = results.get(relative);
    oracle[relative] = result;
    if (result.accepted) accepted++;
    else if (result.error === 'timeout') timeouts++;
    if (result.variant) {
      const key = `${result.variant} ${result.variantConfig ? 'accepted' : 'rejected'}`;
      variants.set(key, (variants.get(key) ?? 0) + 1);
    }
  }

  if (filters.length > 0) {
    console.log(JSON.stringify(sortKeys(oracle), null, 2));
    return;
  }
  await mkdir(path.dirname(outputFile), { recursive: true });
  await writeFile(outputFile, JSON.stringify(sortKeys(oracle), null, 2) + '\n');
  console.log(`oracle: ${files.length} files, ${accepted} accepted, ${files.length - accepted} rejected ` +
    `(${timeouts} timeouts); variants: ${[...variants].sort().map(([k, n]) => `${n} ${k}`).join(', ') || 'none'} ` +
    `→ ${path.relative(repoRoot, outputFile)}`);
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

/**
 * v1's verdict on one corpus file, and when v1 rejects it for a reason that only says v1 is older
 * than the file or that the corpus lacks the project's sources, its verdict on a variant:
 * - `name-removed`: the only schema complaint is the top-level `name:` key (v1 predates it), so
 *   the file is run again without that key;
 * - `paths-created`: a local build context or an env file does not exist, so it is created, empty
 *   (a folder for a build context, a file for an env file), and the file is run again.
 * Both can apply in turn (`name-removed+paths-created`). The variant's result is `variantConfig`
 * when v1 accepts it, `variantError` otherwise; `variantCreated` lists what was created, relative
 * to the corpus (folders end with `/`), so the conformance test can recreate it.
 */
async function judge(relative, copyRoot) {
  const fixtureEnv = FIXTURE_ENV[relative];
  const withEnv = (result) => (fixtureEnv ? { ...result, env: fixtureEnv } : result);
  const original = await runConfig(corpusRoot, relative, fixtureEnv);
  if (original.accepted) return withEnv(original);

  const copy = path.join(copyRoot, relative);
  const originalText = await readFile(copy, 'utf8');
  const steps = [];
  const created = [];
  const cleanup = [];
  let last = original;
  try {
    for (let attempt = 0; attempt < MAX_VARIANT_ATTEMPTS && !last.accepted; attempt++) {
      if (!steps.includes('name-removed') && isNameOnlyComplaint(last.error)) {
        const without = withoutTopLevelName(originalText);
        if (without === undefined) break;
        await writeFile(copy, without);
        steps.push('name-removed');
      } else {
        const missing = missingPath(last.error, copyRoot);
        const entry = missing && (missing.kind === 'folder' ? `${missing.relative}/` : missing.relative);
        if (!missing || created.includes(entry)) break;
        const target = path.join(copyRoot, missing.relative);
        cleanup.push(await outermostMissing(target));
        if (missing.kind === 'folder') await mkdir(target, { recursive: true });
        else {
          await mkdir(path.dirname(target), { recursive: true });
          await writeFile(target, '');
        }
        created.push(entry);
        if (!steps.includes('paths-created')) steps.push('paths-created');
      }
      last = await runConfig(copyRoot, relative, fixtureEnv);
    }
  } finally {
    // The copy is reused for the next files: put it back as it was.
    await writeFile(copy, originalText);
    for (const entry of cleanup) await rm(entry, { recursive: true, force: true });
  }
  if (steps.length === 0) return withEnv(original);
  return withEnv({
    ...original,
    variant: steps.join('+'),
    ...(created.length > 0 ? { variantCreated: created } : {}),
    ...(last.accepted ? { variantConfig: last.config } : { variantError: last.error }),
  });
}

/** The first folder of `target`'s path that does not exist yet (or `target`): what to remove afterwards. */
async function outermostMissing(target) {
  let outermost = target;
  for (let dir = path.dirname(target); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      await access(dir);
      break;
    } catch {
      outermost = dir;
    }
  }
  return outermost;
}

// Each missing path is reported on its own, one run at a time.
const MAX_VARIANT_ATTEMPTS = 8;

const SCHEMA_HEADER = /^The Compose file( '[^']*')? is invalid because:$/;
const NAME_COMPLAINT = "'name' does not match any of the regexes: '^x-'";

/** True when v1's only objection is the top-level `name:` key. */
function isNameOnlyComplaint(error) {
  const lines = error.split('\n').filter((line) => !SCHEMA_HEADER.test(line));
  return lines.length > 0 && lines.every((line) => line === NAME_COMPLAINT);
}

/**
 * The file's text without its top-level `name:` entry, cut out of the text rather than re-printed,
 * so that everything else reaches v1 byte for byte (re-printing would change YAML 1.1 scalars
 * such as `0755` or `yes`).
 */
function withoutTopLevelName(text) {
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length > 0 || !isMap(doc.contents)) return undefined;
  const pair = doc.contents.items.find((item) => isScalar(item.key) && item.key.value === 'name');
  const start = pair?.key?.range?.[0];
  const end = pair?.value?.range?.[2] ?? pair?.key?.range?.[2];
  if (start === undefined || end === undefined) return undefined;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  // A block scalar value ends after its line break; a plain one ends on its line.
  const lineEnd = text[end - 1] === '\n' ? end : text.indexOf('\n', end) === -1 ? text.length : text.indexOf('\n', end) + 1;
  const result = text.slice(0, lineStart) + text.slice(lineEnd);
  const check = parseDocument(result);
  if (check.errors.length > 0 || (isMap(check.contents) && check.contents.has('name'))) return undefined;
  return result;
}

const MISSING_PATHS = [
  { kind: 'folder', pattern: /^build path (\S+) either does not exist, is not accessible, or is not a valid URL\.$/m },
  { kind: 'file', pattern: /^Couldn't find env file: (\S+)$/m },
];

/** The build context or env file v1 says is missing, when it lies inside the corpus copy. */
function missingPath(error, copyRoot) {
  for (const { kind, pattern } of MISSING_PATHS) {
    const match = pattern.exec(error.replaceAll(CORPUS_TOKEN, copyRoot));
    if (!match) continue;
    const relative = path.relative(copyRoot, match[1]);
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
    return { kind, relative: relative.split(path.sep).join('/') };
  }
  return undefined;
}

async function runConfig(root, relative, fixtureEnv) {
  const file = path.join(root, relative);
  // The file's own directory is the project directory, as compose does with a lone -f, so a
  // `.env` next to the file is read.
  const args = ['-f', file, '--project-directory', path.dirname(file), '-p', PROJECT_NAME, 'config'];
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...BASE_ENV, ...fixtureEnv };
  let outcome = await run(composeBinary, args, env, path.dirname(file), TIMEOUT_MS);
  if (outcome.timedOut) outcome = await run(composeBinary, args, env, path.dirname(file), RETRY_TIMEOUT_MS);
  const { code, stdout, stderr, timedOut, tooLarge } = outcome;

  if (timedOut) return { accepted: false, error: 'timeout' };
  if (tooLarge) return { accepted: false, error: 'output too large' };
  if (code !== 0) return { accepted: false, error: firstLines(stderr, root) };
  try {
    // PyYAML writes YAML 1.1 (it quotes strings such as 'yes' or '0755' by that schema), so it is
    // read back with the same schema.
    const config = parse(stdout, { version: '1.1', maxAliasCount: -1 });
    return { accepted: true, config: relocate(config, root) };
  } catch (error) {
    return { accepted: false, error: `unparsable output: ${error.message.split('\n')[0]}` };
  }
}

function run(command, args, env, cwd, timeoutMs) {
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
    }, timeoutMs);
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

function firstLines(stderr, root) {
  const lines = stderr.split('\n').map((line) => line.trimEnd()).filter((line) => line.trim() !== '');
  // v1 crashes on some inputs; the exception on the last unindented line is what matters.
  if (lines[0] === 'Traceback (most recent call last):') {
    const exception = lines.findLast((line) => !/^\s/.test(line)) ?? lines[0];
    return relocateString(`docker-compose crashed: ${exception}`, root);
  }
  const meaningful = lines.filter((line) => !NOISE.some((pattern) => pattern.test(line)));
  const kept = (meaningful.length > 0 ? meaningful : lines).slice(0, ERROR_LINES).map(canonicalLine);
  return relocateString(kept.join('\n'), root);
}

// v1 names the services of a dependency cycle in a different order from one run to the next.
function canonicalLine(line) {
  const cycle = /^Circular dependency between (.+)$/.exec(line);
  return cycle ? `Circular dependency between ${cycle[1].split(' and ').sort().join(' and ')}` : line;
}

// `root` is the corpus or the copy a variant ran in; both are written as the token.
function relocateString(text, root) {
  return text.replaceAll(root, CORPUS_TOKEN);
}

function relocate(value, root) {
  if (typeof value === 'string') return relocateString(value, root);
  if (Array.isArray(value)) return value.map((item) => relocate(item, root));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [relocateString(key, root), relocate(item, root)]));
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
