import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/reliability/missing-log-rotation.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('missing-log-rotation', () => {
  it('valid: json-file with max-size (also from an anchor), local, drivers that ship logs away, one-shot jobs', () => {
    const compose = lines(
      'x-logging: &logging',
      '  logging:',
      '    driver: json-file',
      '    options: {max-size: 10m, max-file: "3"}',
      'services:',
      '  api:',
      '    <<: *logging',
      '    image: api:1',
      '  worker:',
      '    image: worker:1',
      '    logging: {options: {max-size: 50m}}',
      '  db:',
      '    image: postgres:16',
      '    logging: {driver: local}',
      '  proxy:',
      '    image: nginx:1.27',
      '    logging: {driver: syslog, options: {syslog-address: "udp://logs:514"}}',
      '  once:',
      '    image: api:1',
      '    restart: "no"',
      '    command: ["python", "manage.py", "migrate"]',
    );
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': compose } }), []);
  });

  it('invalid: the default driver without logging, or json-file options without max-size', () => {
    const compose = lines(
      'services:',
      '  api:',
      '    image: api:1',
      '  worker:',
      '    image: worker:1',
      '    logging:',
      '      driver: json-file',
      '      options: {max-file: "3"}',
    );
    const findings = runRule(rule, { files: { 'compose.yaml': compose } });
    assert.deepEqual(places(findings), ['compose.yaml:2:3', 'compose.yaml:6:5']);
    assert.deepEqual(findings.map((f) => [f.service, f.severity]), [['api', 'low'], ['worker', 'low']]);
    assert.equal(findings[0]!.message, 'service "api" logs to json-file without max-size: its log file grows until the disk is full');
  });
});
