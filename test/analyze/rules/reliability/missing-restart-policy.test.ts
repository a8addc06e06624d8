import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/reliability/missing-restart-policy.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('missing-restart-policy', () => {
  it('valid: restart, deploy.restart_policy, an explicit "no", a job other services wait for', () => {
    const compose = lines(
      'services:',
      '  api:',
      '    image: api:1',
      '    restart: unless-stopped',
      '    depends_on:',
      '      migrate: {condition: service_completed_successfully}',
      '  worker:',
      '    image: worker:1',
      '    deploy:',
      '      restart_policy: {condition: on-failure}',
      '  tool:',
      '    image: tool:1',
      '    restart: "no"',
      '  migrate:',
      '    image: api:1',
    );
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': compose } }), []);
  });

  it('invalid: no restart policy, also for a service defined through extends', () => {
    const compose = lines('services:', '  api:', '    image: api:1', '  worker:', '    extends: {file: common.yaml, service: base}');
    const findings = runRule(rule, { files: { 'compose.yaml': compose, 'common.yaml': 'services:\n  base:\n    image: worker:1\n' } });
    assert.deepEqual(places(findings), ['compose.yaml:2:3', 'compose.yaml:4:3']);
    assert.deepEqual(findings.map((f) => [f.service, f.severity]), [['api', 'low'], ['worker', 'low']]);
    assert.equal(findings[0]!.message, 'service "api" has no restart policy: it stays down after a crash or a reboot of the host');
    assert.equal(findings[0]!.fix, 'add restart: unless-stopped (or on-failure for a job that must finish)');
  });
});
