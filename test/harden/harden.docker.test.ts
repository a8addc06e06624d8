import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { loadProject } from '../../src/compose/index.js';
import { createDockerClient, type DockerClient } from '../../src/docker/index.js';
import { LABEL } from '../../src/engine/index.js';
import { HARDEN_LABEL, hardenProject, resolveTarget, type HardenOutcome } from '../../src/harden/index.js';
import { writeTree } from '../helpers/tmp.js';
import { importImage } from './images.js';
import { STACKS } from './stacks.js';

const docker: DockerClient = createDockerClient();
const TAG = `t${randomUUID().slice(0, 8)}`;
const COMPOSE_V1 = process.env.SHIPSHAPE_DOCKER_COMPOSE || '/usr/bin/docker-compose';
const images: string[] = [];

interface Hardened {
  dir: string;
  outcome: HardenOutcome;
  overlay: { services: Record<string, Record<string, unknown>>; secrets?: Record<string, unknown> };
}

const results = new Map<string, Hardened>();

async function hardenStack(name: string): Promise<Hardened> {
  const stack = STACKS.find((s) => s.name === name)!;
  for (const [service, image] of Object.entries(stack.images)) {
    const ref = `shipshape-harden/${service}:${TAG}`;
    await importImage(docker, ref, image.files, image.changes);
    images.push(ref);
  }
  const dir = writeTree({ 'compose.yaml': stack.compose.replaceAll('{{TAG}}', TAG), ...(stack.files ?? {}) });
  const target = resolveTarget({ dir });
  const steps: string[] = [];
  const outcome = await hardenProject({ target, output: join(dir, 'compose.hardened.yml'), env: { PATH: process.env.PATH }, docker, verify: true, settleMs: 45_000, onStep: (l) => steps.push(l) });
  const hardened = { dir, outcome, overlay: parse(readFileSync(join(dir, 'compose.hardened.yml'), 'utf8'), { customTags: mergeTags }) as Hardened['overlay'] };
  results.set(name, hardened);
  assert.equal(outcome.verification?.healthy, true, `${name}: every service runs healthy with the overlay:\n${steps.join('\n')}`);
  return hardened;
}

/** `!reset` and `!override` as plain values, to read the overlay in tests. */
const mergeTags = ['!reset', '!override'].flatMap((tag) => [
  { tag, collection: 'map' as const, resolve: (v: unknown) => v },
  { tag, collection: 'seq' as const, resolve: (v: unknown) => v },
  { tag, resolve: (v: string) => (v === 'null' || v === '' ? null : v) },
]);

function commonChecks(name: string, h: Hardened): void {
  const a = h.outcome.assessment;
  assert.ok(a.after.scores.security >= 8, `${name}: security score ${a.after.scores.security} ≥ 8`);
  assert.deepEqual(a.added.map((f) => `${f.rule}: ${f.message}`), [], `${name}: the overlay brings no finding`);
  const serious = a.remaining.filter((r) => r.finding.severity === 'critical' || r.finding.severity === 'high');
  assert.deepEqual(serious.map((r) => r.finding.rule), [], `${name}: no high finding harden addresses is left`);
  for (const r of a.remaining) assert.notEqual(r.reason, 'not something an overlay can change', `${name}: ${r.finding.rule} (${r.finding.message}) is explained`);
  // shipshape config accepts base + overlay.
  const loaded = loadProject({ workingDir: h.dir, files: [join(h.dir, 'compose.yaml'), join(h.dir, 'compose.hardened.yml')], env: {} });
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), [], `${name}: config accepts base + overlay`);
  // The image, command and container ports are the base's.
  const base = loadProject({ workingDir: h.dir, env: {} }).project!;
  for (const [service, s] of Object.entries(loaded.project!.services)) {
    const b = base.services[service]!;
    assert.equal(s.image, b.image);
    assert.deepEqual(s.command, b.command);
    assert.deepEqual((s.ports ?? []).map((p) => p.target), (b.ports ?? []).map((p) => p.target));
  }
  // docker-compose v1 accepts it too once the compose-spec merge tags it predates are removed (docs/harden.md).
  const stripped = join(h.dir, 'v1.yml');
  writeFileSync(stripped, readFileSync(join(h.dir, 'compose.hardened.yml'), 'utf8').replace(/ !(reset|override)\b/g, ''));
  const v1 = spawnSync(COMPOSE_V1, ['-f', 'compose.yaml', '-f', 'v1.yml', 'config', '-q'], { cwd: h.dir, encoding: 'utf8', env: { PATH: process.env.PATH } });
  assert.equal(v1.status, 0, `${name}: docker-compose v1 accepts the overlay: ${v1.stderr}`);
}

describe('harden --verify on the six stacks of issue 12', { timeout: 900_000 }, () => {
  before(async () => {
    await docker.ping();
  });

  after(async () => {
    for (const ref of images) await docker.images.remove(ref, { force: true }).catch(() => undefined);
  });

  it('a web server on port 80: non-root, NET_BIND_SERVICE, an HTTP healthcheck, the port made explicit', async () => {
    const h = await hardenStack('web');
    commonChecks('web', h);
    const web = h.overlay.services['web']!;
    assert.equal(web['user'], '65534:65534');
    assert.deepEqual(web['cap_drop'], ['ALL']);
    assert.deepEqual(web['cap_add'], ['NET_BIND_SERVICE']);
    assert.equal(web['read_only'], true);
    assert.deepEqual((web['healthcheck'] as { test: string[] }).test.slice(0, 2), ['CMD', 'wget']);
    assert.deepEqual(web['ports'], ['0.0.0.0:80:80/tcp']);
  });

  it('a service writing /var/cache and /tmp: read-only with a tmpfs for each', async () => {
    const h = await hardenStack('writer');
    commonChecks('writer', h);
    const writer = h.overlay.services['writer']!;
    assert.equal(writer['read_only'], true);
    assert.ok((writer['tmpfs'] as string[]).includes('/tmp'));
    assert.ok((writer['tmpfs'] as string[]).includes('/var/cache/app'), `tmpfs ${String(writer['tmpfs'])}`);
    assert.match(String(writer['mem_limit']), /^\d+M$/);
  });

  it('a one-shot init feeding a long-running service: both run, the init keeps no restart policy', async () => {
    const h = await hardenStack('init');
    commonChecks('init', h);
    assert.equal(h.overlay.services['init']!['restart'], undefined);
    assert.equal(h.overlay.services['app']!['restart'], 'unless-stopped');
  });

  it('a database published on every interface with a default password: loopback only, the password in a secret file', async () => {
    const h = await hardenStack('database');
    commonChecks('database', h);
    const db = h.overlay.services['db']!;
    assert.deepEqual(db['ports'], ['127.0.0.1:5432:5432/tcp']);
    const env = db['environment'] as Record<string, unknown>;
    assert.equal(env['DB_PASSWORD_FILE'], '/run/secrets/db_password');
    assert.ok('DB_PASSWORD' in env && env['DB_PASSWORD'] === null, 'DB_PASSWORD is reset');
    assert.deepEqual(h.overlay.secrets, { db_password: { file: './secrets/db_password.txt' } });
    const rules = h.outcome.assessment.fixed.map((f) => f.rule);
    assert.ok(rules.includes('exposed-database-port') && rules.includes('default-credential'), rules.join(', '));
  });

  it('an entrypoint that drops privileges: stays root at the start with CHOWN, SETUID and SETGID only', async () => {
    const h = await hardenStack('dropper');
    commonChecks('dropper', h);
    const dropper = h.overlay.services['dropper']!;
    assert.equal(dropper['user'], undefined);
    for (const cap of ['CHOWN', 'SETUID', 'SETGID']) assert.ok((dropper['cap_add'] as string[]).includes(cap), cap);
    assert.deepEqual(dropper['security_opt'], ['no-new-privileges:true']);
  });

  it('a missing secret file: verified with a stand-in, and the header says to generate it', async () => {
    const h = await hardenStack('secret');
    commonChecks('secret', h);
    assert.ok(h.outcome.overlay.length > 0);
  });

  it('a missing image is a clear error, and nothing is pulled', async () => {
    const ref = `shipshape-harden/absent:${TAG}`;
    const dir = writeTree({ 'compose.yaml': `services:\n  app:\n    image: ${ref}\n` });
    await assert.rejects(
      hardenProject({ target: resolveTarget({ dir }), output: join(dir, 'compose.hardened.yml'), env: {}, docker, verify: true }),
      (err: Error) => err.name === 'HardenError' && /is not on this engine; --verify never pulls/.test(err.message),
    );
    await assert.rejects(docker.images.inspect(ref), 'the image was not pulled');
  });

  it('leaves nothing behind on the engine', async () => {
    assert.equal(results.size, STACKS.length, 'every stack was hardened');
    const containers = await docker.containers.list({ all: true, filters: { label: [HARDEN_LABEL] } });
    assert.deepEqual(containers.map((c) => c.Id), []);
    const projects = (await docker.containers.list({ all: true, filters: { label: [LABEL.project] } })).filter((c) =>
      (c.Labels[LABEL.project] ?? '').startsWith('shipshape-harden-'),
    );
    assert.deepEqual(projects.map((c) => c.Names[0]), []);
    const networks = (await docker.networks.list()).filter((n) => n.Name.startsWith('shipshape-harden-'));
    assert.deepEqual(networks.map((n) => n.Name), []);
    const volumes = (await docker.volumes.list()).filter((v) => v.Name.startsWith('shipshape-harden-'));
    assert.deepEqual(volumes.map((v) => v.Name), []);
  });
});
