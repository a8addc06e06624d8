import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/reliability/missing-resource-limits.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('missing-resource-limits', () => {
  it('valid: memory, CPU and pids limits under deploy or on the service, also through an anchor', () => {
    const compose = lines(
      'x-limits: &limits',
      '  deploy:',
      '    resources:',
      '      limits: {memory: 512M, cpus: "0.5", pids: 128}',
      'services:',
      '  api:',
      '    image: api:1',
      '    <<: *limits',
      '  worker:',
      '    image: worker:1',
      '    mem_limit: 1g',
      '    cpus: 1.5',
      '    pids_limit: 200',
    );
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': compose } }), []);
  });

  it('invalid: one finding per service naming what is missing; 0 and -1 mean unlimited', () => {
    const compose = lines(
      'services:',
      '  api:',
      '    image: api:1',
      '  db:',
      '    image: postgres:16',
      '    deploy:',
      '      resources:',
      '        limits:',
      '          memory: 2G',
      '  cache:',
      '    image: redis:7',
      '    mem_limit: 256m',
      '    cpus: 0',
      '    pids_limit: -1',
    );
    const findings = runRule(rule, { files: { 'compose.yaml': compose } });
    assert.deepEqual(places(findings), ['compose.yaml:2:3', 'compose.yaml:8:9', 'compose.yaml:10:3']);
    assert.deepEqual(findings.map((f) => [f.service, f.severity]), [['api', 'medium'], ['db', 'medium'], ['cache', 'medium']]);
    assert.equal(
      findings[0]!.message,
      'service "api" has no memory, CPU or pids limit: a runaway container can starve the host and the other services',
    );
    assert.equal(findings[1]!.message.startsWith('service "db" has no CPU or pids limit'), true);
    assert.equal(
      findings[1]!.fix,
      'add cpus: "1.0", pids: 256 under deploy.resources.limits (or cpus, pids_limit on the service)',
    );
    assert.equal(findings[2]!.message.startsWith('service "cache" has no CPU or pids limit'), true);
  });
});
