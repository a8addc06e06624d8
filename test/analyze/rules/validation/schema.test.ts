import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/validation/schema.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('schema', () => {
  it('valid: a file the compose specification accepts', () => {
    const files = {
      'compose.yaml': lines(
        'x-custom: {a: 1}',
        'services:',
        '  web:',
        '    image: nginx:1.27',
        '    restart: unless-stopped',
        '    ports: ["127.0.0.1:8080:80"]',
        '    healthcheck: {test: ["CMD", "true"], interval: 30s}',
      ),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: an unknown key, at the key, with a fix naming it', () => {
    const findings = runRule(rule, { files: { 'compose.yaml': lines('services:', '  web:', '    image: nginx:1.27', '    prots: ["80:80"]') } });
    assert.deepEqual(places(findings), ['compose.yaml:4:5']);
    assert.equal(findings[0]!.service, 'web');
    assert.match(findings[0]!.message, /additional property "prots" is not allowed/);
    assert.match(findings[0]!.fix!, /remove "prots"/);
  });

  it('invalid: a malformed port, at the value', () => {
    const findings = runRule(rule, { files: { 'compose.yaml': lines('services:', '  web:', '    image: nginx:1.27', '    ports:', '      - "80:abc"') } });
    assert.deepEqual(places(findings), ['compose.yaml:5:9']);
    assert.equal(findings[0]!.service, 'web');
  });

  it('invalid: extends of a service that does not exist', () => {
    const findings = runRule(rule, { files: { 'compose.yaml': lines('services:', '  web:', '    image: nginx:1.27', '    extends: base') } });
    assert.deepEqual(places(findings), ['compose.yaml:4:14']);
    assert.match(findings[0]!.message, /extends "base", which is not defined/);
  });

  it('invalid: two services with one container_name, at the second', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  a:',
        '    image: nginx:1.27',
        '    container_name: web',
        '  b:',
        '    image: nginx:1.27',
        '    container_name: other',
        '  c:',
        '    image: nginx:1.27',
        '    container_name: web',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:10:21']);
    assert.equal(findings[0]!.service, 'c');
    assert.match(findings[0]!.message, /container name "web" is already in use by service "a"/);
  });

  it('invalid: a required variable without a value', () => {
    const findings = runRule(rule, { files: { 'compose.yaml': lines('services:', '  db:', '    image: postgres:16', '    environment:', '      POSTGRES_PASSWORD: ${DB_PASSWORD:?set it}') } });
    assert.deepEqual(places(findings), ['compose.yaml:5:26']);
    assert.equal(findings[0]!.service, 'db');
    assert.match(findings[0]!.fix!, /set the required variable/);
  });

  it('a required variable is for the deployer to set in a project without a .env (low), critical when its .env lacks it', () => {
    const compose = lines('services:', '  db:', '    image: postgres:16', '    environment:', '      POSTGRES_PASSWORD: ${DB_PASSWORD:?set it}');
    const without = runRule(rule, { files: { 'compose.yaml': compose } });
    assert.deepEqual(without.map((f) => f.severity), ['low']);
    assert.match(without[0]!.message, /the host that deploys it must set it/);
    const lacking = runRule(rule, { files: { 'compose.yaml': compose, '.env': 'OTHER=1\n' } });
    assert.deepEqual(lacking.map((f) => f.severity), ['critical']);
  });
});
