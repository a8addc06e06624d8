import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { ImageScanner, ImageScanRefused } from '../../src/agent/index.js';
import type { ImageScans } from '../../src/contract/index.js';
import { createDockerClient, tarStream, type TarEntry } from '../../src/docker/index.js';
import { writeTree } from '../helpers/tmp.js';
import { busyboxEntries } from '../helpers/test-image.js';

const ADVISORY = {
  id: 'GHSA-lodash',
  summary: 'prototype pollution',
  database_specific: { severity: 'HIGH' },
  affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }] }],
};

/**
 * The agent's image scanner on its schedule, with the real engine (docs/scan.md, "On the
 * fleet"): scheduled rounds rescan what they know, a round never overlaps another, and nothing
 * runs once it is stopped.
 */
describe('image scans on a schedule', () => {
  const suffix = randomBytes(4).toString('hex');
  const docker = createDockerClient();
  const image = `shipshape-test/fleetscan-schedule:${suffix}`;
  const name = `shipshape-fleetscan-schedule-${suffix}`;
  let imageId: string;
  let advisories: string;
  let containerId: string | undefined;
  let scanner: ImageScanner | undefined;

  before(async () => {
    const lock = JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'app' }, 'node_modules/lodash': { version: '4.17.20' } } });
    const root: TarEntry[] = [...busyboxEntries(), { name: 'app', type: 'directory', mode: 0o755 }, { name: 'app/package-lock.json', type: 'file', mode: 0o644, content: Buffer.from(lock) }];
    await docker.images.import(tarStream(root), { repo: image.split(':')[0]!, tag: suffix, changes: ['ENV PATH=/bin'] });
    imageId = (await docker.images.inspect(image)).Id;
    // Created, never started: a stopped container's image is one `docker start` away, and scanned too.
    containerId = (await docker.containers.create(name, { Image: image, Cmd: ['true'], Labels: { 'shipshape.test': suffix } })).id;
    advisories = writeTree({ 'npm/GHSA-lodash.json': JSON.stringify(ADVISORY) });
  });

  after(async () => {
    await scanner?.stop();
    if (containerId) await docker.containers.remove(containerId, { force: true }).catch(() => undefined);
    await docker.images.remove(image, { force: true }).catch(() => undefined);
    rmSync(advisories, { recursive: true, force: true });
  });

  it('rescans on each scheduled round, never runs two rounds at once, and stops when asked', async () => {
    scanner = new ImageScanner({ docker, advisoriesPath: advisories, intervalMs: 200, firstRoundDelayMs: 0, log: pino({ level: 'silent' }) });
    scanner.start();
    // Caught while a round runs: a request is refused, not queued beside it.
    let refused: unknown;
    for (let i = 0; i < 4_000 && refused === undefined; i++) {
      if (scanner.state().running !== null) {
        try {
          scanner.request();
        } catch (err) {
          refused = err;
        }
      }
      await sleep(2);
    }
    assert.ok(refused instanceof ImageScanRefused, 'a request while a round runs is refused');
    assert.equal(refused.reason, 'running');

    const mine = (s: ImageScans) => s.images.find((i) => i.image_id === imageId);
    const seen = new Set<string>();
    let first: string | undefined;
    let state: ImageScans | undefined;
    for (let i = 0; i < 300 && seen.size < 3; i++) {
      state = scanner.state();
      const scanned = mine(state);
      if (state.last_round && scanned) {
        seen.add(scanned.scanned_at);
        first ??= scanned.scanned_at;
      }
      await sleep(50);
    }
    assert.ok(seen.size >= 3, `three scheduled rounds scanned the image again (saw ${seen.size})`);
    const scanned = mine(state!)!;
    assert.deepEqual(scanned.counts, { critical: 0, high: 1, medium: 0, low: 0, info: 0 });
    assert.equal(scanned.advisories, 1);
    assert.ok(scanned.refs.includes(image));
    assert.equal(state!.last_round!.trigger, 'schedule');

    await scanner.stop();
    const stopped = scanner.state();
    assert.equal(stopped.running, null);
    await sleep(600);
    assert.equal(scanner.state().last_round!.id, stopped.last_round!.id, 'no round after stop');
  });

  it('records why a round failed when the advisory database cannot be read, and keeps no result', async () => {
    const broken = new ImageScanner({ docker, advisoriesPath: `${advisories}-missing`, intervalMs: 0, log: pino({ level: 'silent' }) });
    const round = broken.request();
    let state = broken.state();
    for (let i = 0; i < 600 && state.last_round?.id !== round.id; i++) {
      await sleep(50);
      state = broken.state();
    }
    assert.equal(state.last_round?.id, round.id, 'the round ended');
    assert.match(state.last_round!.error ?? '', /not found; give a folder of OSV JSON files or an OSV ZIP/);
    assert.deepEqual(state.images, []);
    await broken.stop();
  });

  it('is off without an advisory database, and says how to turn it on', () => {
    const off = new ImageScanner({ docker, advisoriesPath: undefined, intervalMs: 200, log: pino({ level: 'silent' }) });
    off.start();
    assert.throws(() => off.request(), (err: unknown) => err instanceof ImageScanRefused && err.reason === 'off' && /ADVISORIES_PATH/.test(err.message));
    const state = off.state();
    assert.equal(state.enabled, false);
    assert.match(state.message ?? '', /ADVISORIES_PATH/);
    assert.equal(state.running, null);
  });
});
