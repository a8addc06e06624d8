import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/validation/missing-file-reference.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('missing-file-reference', () => {
  it('valid: existing env files, an optional missing one, existing and external secrets, inline configs', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  api:',
        '    image: api:1.0',
        '    env_file:',
        '      - ./api.env',
        '      - path: ./local.env',
        '        required: false',
        '    secrets: [db_password, tls]',
        'secrets:',
        '  db_password:',
        '    file: ./secrets/db_password.txt',
        '  tls:',
        '    external: true',
        'configs:',
        '  inline:',
        '    content: "x"',
      ),
      'api.env': 'A=1\n',
      'secrets/db_password.txt': 'x\n',
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: a missing env_file, secret file and config file, each where it is written', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  api:',
        '    image: api:1.0',
        '    env_file: ./config/api.env',
        '    secrets: [db_password]',
        '    configs: [prometheus]',
        'secrets:',
        '  db_password:',
        '    file: ./secrets/db_password.txt',
        'configs:',
        '  prometheus:',
        '    file: ./config/prometheus/prometheus.yml',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:4:15', 'compose.yaml:9:11', 'compose.yaml:12:11']);
    assert.equal(findings[0]!.message, 'env file config/api.env not found. Create it or mark it "required: false".');
    assert.equal(findings[0]!.service, 'api');
    assert.equal(findings[1]!.message, 'secret "db_password" reads ./secrets/db_password.txt, which does not exist; "api" cannot start without it');
    assert.equal(findings[1]!.service, null);
    assert.match(findings[1]!.fix!, /keep it out of version control/);
    assert.equal(findings[2]!.message, 'config "prometheus" reads ./config/prometheus/prometheus.yml, which does not exist; "api" cannot start without it');
    assert.ok(findings.every((f) => f.severity === 'critical'));
  });

  it('invalid: the file of an extends, and a label_file', () => {
    const files = { 'compose.yaml': lines('services:', '  web:', '    extends:', '      file: ./base.yaml', '      service: web', '    label_file: ./labels') };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:4:7', 'compose.yaml:6:17']);
    assert.equal(findings[0]!.message, 'compose file base.yaml not found');
    assert.equal(findings[0]!.service, 'web');
    assert.equal(findings[1]!.message, 'service "web" reads labels from ./labels, which does not exist');
  });

  it('invalid: an included compose file that does not exist', () => {
    const files = { 'compose.yaml': lines('include:', '  - ./monitoring/compose.yaml', 'services:', '  api:', '    image: api:1.0') };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:2:5']);
    assert.match(findings[0]!.message, /compose file monitoring\/compose\.yaml not found/);
    assert.equal(findings[0]!.fix, 'create the compose file or correct the path');
  });
});
