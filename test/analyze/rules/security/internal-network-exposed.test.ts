import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/internal-network-exposed.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => `${l.join('\n')}\n`;

const BASE = lines(
  'services:',
  '  db:',
  '    image: postgres:16',
  '    networks: [database, backend]',
  '  cache:',
  '    image: redis:7',
  '    networks: [cache]',
  '  adminer:',
  '    image: adminer:4',
  '    ports: ["8080:8080"]',
  '    networks: [frontend]',
  'networks:',
  '  frontend: {}',
  '  backend: {}',
  '  database:',
  '    internal: true',
  '  cache:',
  '    internal: true',
);

const overlay = (dev: string) =>
  runRule(rule, {
    files: { 'compose.yaml': BASE, 'compose.dev.yaml': dev },
    compose: ['compose.yaml', 'compose.dev.yaml'],
    base: ['compose.yaml'],
  });

describe('internal-network-exposed', () => {
  it('valid: no base environment to compare with', () => {
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': BASE } }), []);
  });

  it('valid: internal networks stay internal; loopback ports and services only on internal networks do not expose them', () => {
    const dev = lines(
      'services:',
      '  db:',
      '    ports: ["127.0.0.1:5432:5432"]',
      '  cache:',
      '    ports: ["6379:6379"]',
      'networks:',
      '  database:',
      '    internal: true',
    );
    assert.deepEqual(overlay(dev), []);
  });

  it('valid: a member\'s port the base publishes everywhere, written again as 0.0.0.0, is the same binding', () => {
    const base = BASE.replace('    networks: [frontend]', '    networks: [frontend, database]');
    const findings = runRule(rule, {
      files: { 'compose.yaml': base, 'compose.dev.yaml': lines('services:', '  adminer:', '    ports: !override ["0.0.0.0:8080:8080"]') },
      compose: ['compose.yaml', 'compose.dev.yaml'],
      base: ['compose.yaml'],
    });
    assert.deepEqual(findings, []);
  });

  it('invalid: seed 003 — the overlay sets internal: false or resets it', () => {
    const dev = lines('networks:', '  database:', '    internal: false', '  cache:', '    internal: !reset null');
    const findings = overlay(dev);
    assert.deepEqual(places(findings), ['compose.dev.yaml:3:15', 'compose.dev.yaml:5:5']);
    assert.equal(
      findings[0]!.message,
      'network "database" is internal in the base, but this environment makes it a normal network: its members (db) get a route to the outside',
    );
    assert.deepEqual(findings.map((f) => [f.service, f.severity]), [[null, 'high'], [null, 'high']]);
  });

  it('invalid: the overlay publishes a member on every interface, or attaches a published service to the internal network', () => {
    const dev = lines('services:', '  db:', '    ports: ["5432:5432"]', '  adminer:', '    networks: [database]');
    const findings = overlay(dev);
    assert.deepEqual(places(findings), ['compose.dev.yaml:3:13', 'compose.dev.yaml:5:16']);
    assert.deepEqual(findings.map((f) => f.service), ['db', 'adminer']);
    assert.equal(
      findings[0]!.message,
      'service "db" publishes 0.0.0.0:5432→5432 and is on network "database", which is internal in the base: ' +
        'the network stays internal, but the overlay makes this member of it reachable from other machines, a way into "database" for whoever takes it over',
    );
    assert.match(findings[0]!.fix ?? '', /127\.0\.0\.1:5432:5432/);
  });
});
