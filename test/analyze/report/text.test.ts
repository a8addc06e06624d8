import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderText } from '../../../src/analyze/report/text.js';
import { RULES, baseEnvironment, sampleReport } from './fixture.js';

// Our own SGR sequences (ESC [ digits m); anything else starting with ESC would be a leak.
const SGR = /\u001b\[[0-9;]*m/g;

describe('text format', () => {
  it('without color: per file, aligned line:col, severity, message and rule id, the fix under the message', () => {
    const expected = [
      '. · base  (compose.yaml)',
      '',
      '.env',
      '    3:1  high      SECRET_KEY holds a literal secret                                              hardcoded-secret',
      '                   fix: read it from a secret file (`SECRET_KEY_FILE=/run/secrets/secret_key`)',
      '',
      'compose.yaml',
      '    2:3  low       service "api" logs without rotation                                            missing-log-rotation',
      '                   fix: set logging.options.max-size and max-file',
      '   15:3  medium    service "web" has no health check                                              missing-healthcheck',
      '                   fix: add a healthcheck',
      '  16:12  medium    service "web" uses the floating tag `nginx:latest`                             latest-tag',
      '                   fix: pin a version, e.g. `nginx:1.27-alpine`, or a digest',
      '  18:17  critical  service "web" runs privileged: it has full access to the host                  privileged · CIS 5.5',
      '                   fix: remove `privileged: true` and add only the capabilities it needs with cap_add',
      '   22:9  critical  service "web" mounts the Docker socket /var/run/docker.sock: root on the host  docker-socket-mount',
      '',
      '✖ 6 problems (2 critical, 1 high, 2 medium, 1 low)  ·  overall 4.5/10 · security 2.0/10 · production readiness 7.5/10',
      '',
    ].join('\n');
    const out = renderText(sampleReport(), RULES, { color: false });
    assert.equal(out, expected);
    assert.doesNotMatch(out, /\u001b/);
  });

  it('no color codes unless asked for', () => {
    assert.doesNotMatch(renderText(sampleReport(), RULES), /\u001b/);
  });

  it('with color: the same text, severities colored, rule ids gray, fixes dimmed', () => {
    const plain = renderText(sampleReport(), RULES, { color: false });
    const colored = renderText(sampleReport(), RULES, { color: true });
    assert.notEqual(colored, plain);
    assert.equal(colored.replace(SGR, ''), plain);
    assert.match(colored, /\u001b\[1m\u001b\[31mcritical\u001b\[0m/);
    assert.match(colored, /\u001b\[33mmedium {2}\u001b\[0m/);
    assert.match(colored, /\u001b\[90mprivileged\u001b\[0m/);
    assert.match(colored, /\u001b\[2m {19}fix: add a healthcheck\u001b\[0m/);
    // Scores are colored by how good they are: 2.0 red, 4.5 red, 7.5 yellow.
    assert.match(colored, /security \u001b\[31m2\.0\/10\u001b\[0m/);
    assert.match(colored, /production readiness \u001b\[33m7\.5\/10\u001b\[0m/);
  });

  it('writes control characters and bidi overrides from the files as visible escapes', () => {
    const report = sampleReport();
    const env = report.projects[0]!.environments[0]!;
    env.findings = [
      { ...env.findings[0]!, message: 'name \u001b]0;owned\u0007 here\nsecond line \u202eevil', fix: 'x\u009by' },
    ];
    for (const color of [false, true]) {
      const out = renderText(report, RULES, { color }).replace(SGR, '');
      assert.doesNotMatch(out, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
      assert.match(out, /name \\x1b\]0;owned\\x07 here second line \\u202eevil/);
      assert.match(out, /fix: x\\x9by/);
    }
  });

  it('an environment without findings says so, still with its scores', () => {
    const report = sampleReport();
    report.projects[0]!.environments[0]!.findings = [];
    report.projects[0]!.environments[0]!.scores = { overall: 10, security: 10, production_readiness: 10 };
    assert.equal(
      renderText(report, RULES),
      '. · base  (compose.yaml)\n\n✔ no problems  ·  overall 10.0/10 · security 10.0/10 · production readiness 10.0/10\n',
    );
  });

  it('several environments: one block each and a total line', () => {
    const report = sampleReport();
    const dev = { ...baseEnvironment(), name: 'dev', files: ['compose.yaml', 'compose.dev.yaml'], findings: [] };
    report.projects.push({ dir: 'apps/shop', environments: [dev] });
    const out = renderText(report, RULES);
    assert.match(out, /^\. · base {2}\(compose\.yaml\)$/m);
    assert.match(out, /^apps\/shop · dev {2}\(compose\.yaml, compose\.dev\.yaml\)$/m);
    assert.match(out, /\n✖ 6 problems \(2 critical, 1 high, 2 medium, 1 low\) in 2 environments in 2 projects\n$/);
  });

  it('an overlay environment does not repeat the findings of its base: it says how many it shares', () => {
    const report = sampleReport();
    const base = report.projects[0]!.environments[0]!;
    const extra = { rule: 'latest-tag', severity: 'medium' as const, service: 'api', services: ['api'], file: 'compose.dev.yaml', line: 3, column: 12, message: 'dev only', fix: null };
    report.projects[0]!.environments.push({ ...base, name: 'dev', findings: [...base.findings.map((f) => ({ ...f })), extra] });
    const out = renderText(report, RULES);
    const dev = out.slice(out.indexOf('. · dev'));
    assert.equal(out.split('runs privileged').length - 1, 1);
    assert.match(dev, /compose\.dev\.yaml\n +3:12 +medium +dev only/);
    assert.match(dev, /\+ 6 findings as in base, not repeated\n/);
    assert.match(dev, /✖ 7 problems \(2 critical, 1 high, 3 medium, 1 low\)/);
  });

  it('a finding without a place is listed under "(no file)" with "-" for its position', () => {
    const report = sampleReport();
    const env = report.projects[0]!.environments[0]!;
    env.findings = [{ rule: 'schema', severity: 'critical', service: null, services: [], file: '', line: 0, column: 0, message: 'broken', fix: null }];
    assert.match(renderText(report, RULES), /\n\(no file\)\n {2}- {2}critical {2}broken {2}schema\n/);
  });

  it('no project at all', () => {
    assert.equal(renderText({ version: 1, tool: { name: 'shipshape', version: '0.1.0' }, projects: [] }, RULES), 'no compose project found\n');
  });
});
