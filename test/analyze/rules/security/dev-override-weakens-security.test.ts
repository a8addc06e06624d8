import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/dev-override-weakens-security.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => `${l.join('\n')}\n`;

/** The base of seed 003: hardening shared through an anchor. */
const BASE = lines(
  'x-security: &security',
  '  user: "1001:1001"',
  '  read_only: true',
  '  cap_drop: [ALL]',
  '  security_opt: [no-new-privileges:true]',
  'services:',
  '  backend:',
  '    <<: *security',
  '    image: backend:1.0',
  '  worker:',
  '    <<: *security',
  '    image: worker:1.0',
);

const overlay = (dev: string) =>
  runRule(rule, {
    files: { 'compose.yaml': BASE, 'compose.dev.yaml': dev },
    compose: ['compose.yaml', 'compose.dev.yaml'],
    base: ['compose.yaml'],
  });

describe('dev-override-weakens-security', () => {
  it('valid: no base environment to compare with', () => {
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': 'services:\n  a:\n    image: a:1\n    user: root\n' } }), []);
  });

  it('valid: an overlay that keeps the hardening (compose merges security_opt and cap_drop, so [] removes nothing)', () => {
    const dev = lines(
      'services:',
      '  backend:',
      '    user: "1000:1000"',
      '    command: ["uvicorn", "app:app", "--reload"]',
      '    ports: ["127.0.0.1:8000:8000"]',
      '    security_opt: []',
      '    cap_drop: []',
      '    cap_add: [NET_BIND_SERVICE]',
      '  debug:',
      '    image: busybox:1.36',
      '    user: root',
    );
    assert.deepEqual(overlay(dev), []);
  });

  it('invalid: seed 003 — the overlay runs as root, writable, privileged, without dropped capabilities or no-new-privileges', () => {
    const dev = lines(
      'services:',
      '  backend:',
      '    user: root',
      '    read_only: false',
      '    security_opt: ["no-new-privileges:false", "apparmor:unconfined"]',
      '    cap_drop: !reset []',
      '    privileged: true',
      '  worker:',
      '    user: !reset null',
      '    cap_add: [SYS_ADMIN]',
      '    network_mode: host',
    );
    const findings = overlay(dev);
    assert.deepEqual(places(findings), [
      'compose.dev.yaml:3:11',
      'compose.dev.yaml:4:16',
      'compose.dev.yaml:7:17',
      'compose.dev.yaml:6:5',
      'compose.dev.yaml:5:20',
      'compose.dev.yaml:5:47',
      'compose.dev.yaml:9:5',
      'compose.dev.yaml:10:15',
      'compose.dev.yaml:11:19',
    ]);
    assert.deepEqual(
      findings.map((f) => f.service),
      ['backend', 'backend', 'backend', 'backend', 'backend', 'backend', 'worker', 'worker', 'worker'],
    );
    assert.equal(findings[0]!.message, 'service "backend": the overlay runs it as root; the base runs it as "1001:1001"');
    assert.equal(findings[3]!.message, 'service "backend": the overlay no longer drops ALL, which the base drops');
    assert.equal(
      findings[4]!.message,
      'service "backend": the overlay turns no-new-privileges off; the base sets no-new-privileges:true',
    );
    assert.match(findings[6]!.message, /removes user "1001:1001" that the base sets/);
    assert.ok(findings.every((f) => f.severity === 'high'));
  });
});
