import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/no-new-privileges-missing.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('no-new-privileges-missing', () => {
  it('valid: every spelling the engine accepts as true', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  a:',
        '    image: x:1',
        '    security_opt: ["no-new-privileges:true"]',
        '  b:',
        '    image: x:1',
        '    security_opt: [no-new-privileges]',
        '  c:',
        '    image: x:1',
        '    security_opt: ["apparmor=docker-default", "no-new-privileges=1"]',
      ),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: missing (at the service or at security_opt), or turned off (at the entry)', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  api:',
        '    image: api:2.3',
        '  web:',
        '    image: web:1',
        '    security_opt:',
        '      - apparmor=docker-default',
        '  dev:',
        '    image: dev:1',
        '    security_opt:',
        '      - no-new-privileges:true',
        '      - no-new-privileges:false',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:2:3', 'compose.yaml:6:5', 'compose.yaml:12:9']);
    assert.equal(findings[0]!.message, 'service "api" does not set no-new-privileges: a process can gain privileges through setuid binaries');
    assert.equal(findings[0]!.fix, 'add `security_opt: ["no-new-privileges:true"]`');
    assert.equal(findings[1]!.fix, 'add `no-new-privileges:true` to its security_opt');
    assert.equal(
      findings[2]!.message,
      'service "dev" turns no-new-privileges off ("no-new-privileges:false"): setuid binaries can make a process root',
    );
    assert.ok(findings.every((f) => f.severity === 'medium'));
  });

  it('invalid: an overlay that resets the base\'s security_opt, at the overlay line (seed 003)', () => {
    const files = {
      'compose.yaml': lines('services:', '  api:', '    image: api:2.3', '    security_opt: [no-new-privileges:true]'),
      'compose.dev.yaml': lines('services:', '  api:', '    security_opt: !reset []'),
    };
    const findings = runRule(rule, { files, compose: ['compose.yaml', 'compose.dev.yaml'], base: ['compose.yaml'] });
    assert.deepEqual(places(findings), ['compose.dev.yaml:3:5']);
    assert.equal(findings[0]!.service, 'api');
  });
});
