import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { humanSize } from '../../src/cli/inspect-commands.js';
import { formatTable } from '../../src/cli/table.js';
import { writeTree } from '../helpers/tmp.js';

const bin = fileURLToPath(new URL('../../../bin/shipshape.js', import.meta.url));
const run = (args: string[], cwd?: string) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd, env: { PATH: process.env.PATH ?? '' } });

const PROFILED = `
name: demo
services:
  web: {image: nginx}
  debug: {image: busybox, profiles: [tools, debug]}
  seed: {image: busybox, profiles: [tools]}
volumes:
  data: {}
`;

describe('config --services / --volumes / --profiles / --hash', () => {
  it('lists the active services, the volumes and every profile the services use', () => {
    const dir = writeTree({ 'compose.yaml': PROFILED });
    assert.equal(run(['config', dir, '--services']).stdout, 'web\n');
    assert.equal(run(['config', dir, '--services', '--profile', 'tools']).stdout, 'web\ndebug\nseed\n');
    assert.equal(run(['config', dir, '--volumes']).stdout, 'data\n');
    assert.equal(run(['config', dir, '--profiles']).stdout, 'debug\ntools\n');
  });

  it('prints the config hash up compares, per service, and refuses unknown services with exit 2', () => {
    const dir = writeTree({ 'compose.yaml': PROFILED });
    const all = run(['config', dir, '--hash', '*']);
    assert.equal(all.status, 0, all.stderr);
    assert.match(all.stdout, /^web [0-9a-f]{64}\n$/);
    const two = run(['config', dir, '--hash', 'web, seed']);
    const [web, seed] = two.stdout.trim().split('\n');
    assert.equal(web, all.stdout.trim());
    assert.match(seed!, /^seed [0-9a-f]{64}$/);
    // The hash is a function of the service: another image, another hash.
    const other = writeTree({ 'compose.yaml': PROFILED.replace('image: nginx', 'image: nginx:1.27') });
    assert.notEqual(run(['config', other, '--hash', 'web']).stdout, all.stdout);
    const unknown = run(['config', dir, '--hash', 'nope']);
    assert.equal(unknown.status, 2);
    assert.equal(unknown.stderr, 'shipshape: no such service: "nope" (the project has: debug, seed, web)\n');
  });
});

describe('command output helpers', () => {
  it('pads table columns as compose does and leaves no trailing blanks', () => {
    assert.equal(formatTable([['NAME', 'STATUS'], ['demo', 'running(2)'], ['a-longer-name', 'exited(1)']]), 'NAME            STATUS\ndemo            running(2)\na-longer-name   exited(1)\n');
    assert.equal(formatTable([]), '');
  });

  it('prints sizes in decimal units as the docker CLI does', () => {
    assert.deepEqual([0, 999, 1984265, 1_500_000_000].map(humanSize), ['0B', '999B', '1.98MB', '1.5GB']);
  });
});
