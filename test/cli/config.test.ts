import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { writeTree } from '../helpers/tmp.js';

const bin = fileURLToPath(new URL('../../../bin/shipshape.js', import.meta.url));
const run = (args: string[], cwd?: string) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd, env: { PATH: process.env.PATH ?? '' } });

describe('shipshape config', () => {
  it('prints the resolved project as YAML and as JSON', () => {
    const dir = writeTree({ 'compose.yaml': 'name: demo\nservices:\n  web:\n    image: nginx\n    ports: ["8080:80"]\n' });
    const yamlOut = run(['config', dir]);
    assert.equal(yamlOut.status, 0, yamlOut.stderr);
    assert.ok(yamlOut.stdout.startsWith('name: demo\nservices:\n  web:\n'));
    assert.match(yamlOut.stdout, /published: "8080"/);
    const jsonOut = run(['config', dir, '--format', 'json']);
    assert.equal(jsonOut.status, 0);
    const doc = JSON.parse(jsonOut.stdout) as { services: { web: { ports: unknown[] } }; networks: unknown };
    assert.deepEqual(doc.services.web.ports, [{ mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' }]);
    assert.deepEqual(doc.networks, { default: { name: 'demo_default' } });
  });

  it('writes $ as $$ like docker compose config, so its output loads back to the same values', () => {
    const dir = writeTree({
      'compose.yaml': 'name: demo\nservices:\n  web:\n    image: nginx\n    command: ["sh", "-c", "echo $$host $${PORT}"]\n    environment: {PRICE: "5$$"}\n',
    });
    const first = run(['config', dir]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /echo \$\$host \$\$\{PORT\}/);
    const again = writeTree({ 'compose.yaml': first.stdout });
    const second = run(['config', again, '--format', 'json']);
    assert.equal(second.status, 0, second.stderr);
    const doc = JSON.parse(second.stdout) as { services: { web: { command: string[]; environment: Record<string, string> } } };
    assert.deepEqual(doc.services.web.command, ['sh', '-c', 'echo $$host $${PORT}']);
    assert.deepEqual(doc.services.web.environment, { PRICE: '5$$' });
    assert.equal(run(['config', again]).stdout, first.stdout);
  });

  it('exits 2 with file:line:column on bad input, and no stack trace', () => {
    const dir = writeTree({ 'compose.yaml': 'services:\n  web:\n    image: a\n    image: b\n' });
    const r = run(['config', dir]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`${join(dir, 'compose.yaml')}:4:5: error: mapping key "image" already defined`));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('exits 2 on a missing directory or an unknown option', () => {
    assert.equal(run(['config', '/nonexistent-dir']).status, 2);
    const bad = run(['config', '--nope']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown option/);
  });

  it('picks -f files, profiles and env files', () => {
    const dir = writeTree({
      'a.yaml': 'services:\n  web: {image: "w:${TAG}"}\n  dbg: {image: d, profiles: [debug]}\n',
      'vars.env': 'TAG=7\n',
    });
    const r = run(['config', '-f', join(dir, 'a.yaml'), '--env-file', join(dir, 'vars.env'), '--profile', 'debug', '--services']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').filter(Boolean).sort(), ['dbg', 'web']);
  });

  it('loads a named environment', () => {
    const dir = writeTree({
      'docker-compose.yml': 'services:\n  web: {image: w}\n',
      'docker-compose.dev.yml': 'services:\n  web: {ports: ["3000:3000"]}\n',
    });
    const r = run(['config', dir, '--environment', 'dev', '--format', 'json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { services: { web: { ports: unknown[] } } }).services.web.ports.length, 1);
    const missing = run(['config', dir, '--environment', 'nope']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no environment "nope".*found: base, dev/);
  });

  it('answers --version and --help', () => {
    assert.match(run(['--version']).stdout, /^\d+\.\d+\.\d+\n$/);
    const help = run(['config', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--env-file/);
  });
});
