import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { Report } from '../../../src/analyze/report-types.js';
import { artifactUri, fingerprint, renderSarif, toSarif, type SarifLog } from '../../../src/analyze/report/sarif.js';
import { RULES, baseEnvironment, sampleReport } from './fixture.js';

// The official SARIF 2.1.0 schema (rtm.5, the one GitHub code scanning validates uploads with),
// as Microsoft's @microsoft/jest-sarif ships it.
const SCHEMA_MODULE = '@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json';

function loadValidator(): (value: unknown) => string[] {
  let path: string;
  try {
    path = createRequire(import.meta.url).resolve(SCHEMA_MODULE);
  } catch {
    throw new Error(`the SARIF schema is missing: run \`npm install -D @microsoft/jest-sarif\` (${SCHEMA_MODULE})`);
  }
  const schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  // A draft-04 schema: ajv 8 reads its keywords as they are (it uses no exclusiveMinimum or
  // exclusiveMaximum, the keywords whose meaning changed), but has no draft-04 meta-schema to
  // check the schema itself against. One of its patterns (`[a-zA-Z]{2}]?`) is valid only
  // without the `u` flag.
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, unicodeRegExp: false });
  ajvFormats.default(ajv);
  const validate = ajv.compile({ ...schema, $schema: undefined, id: undefined });
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

const validateSarif = loadValidator();

function parse(report: Report): SarifLog {
  return JSON.parse(renderSarif(report, RULES)) as SarifLog;
}

describe('sarif format', () => {
  it('is valid SARIF 2.1.0 according to the official schema', () => {
    const text = renderSarif(sampleReport(), RULES);
    assert.ok(text.endsWith('}\n'));
    const log = JSON.parse(text) as SarifLog;
    assert.deepEqual(validateSarif(log), []);
    assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
  });

  it('the validator rejects what is not SARIF (the test can fail)', () => {
    const log = parse(sampleReport());
    const broken = structuredClone(log) as unknown as { runs: { results: { level: string }[] }[] };
    broken.runs[0]!.results[0]!.level = 'critical';
    assert.notDeepEqual(validateSarif(broken), []);
    assert.notDeepEqual(validateSarif({ ...log, version: '2.0.0' }), []);
  });

  it('describes every rule of the catalogue with its help, level and category', () => {
    const driver = parse(sampleReport()).runs[0]!.tool.driver;
    assert.equal(driver.name, 'shipshape');
    assert.equal(driver.version, '0.1.0');
    // Required by GitHub code scanning's tool page, and absolute by the SARIF spec.
    assert.ok(new URL(driver.informationUri).protocol === 'https:', driver.informationUri);
    assert.deepEqual(driver.rules.map((r) => r.id), RULES.map((r) => r.id));
    const privileged = driver.rules[0]!;
    assert.deepEqual(privileged, {
      id: 'privileged',
      shortDescription: { text: 'A service runs with `privileged: true`.' },
      fullDescription: { text: 'Why privileged matters.' },
      help: {
        text:
          'How to fix privileged.\n\nExample that triggers it:\nservices:\n  app:\n    image: app:1.0  # privileged\n\nDocumentation: docs/rules/privileged.md' +
          '\n\nCIS Docker Benchmark v1.6.0: 5.5 Ensure that privileged containers are not used',
        markdown:
          'A service runs with `privileged: true`.\n\n**Why it matters.** Why privileged matters.\n\n**How to fix.** How to fix privileged.\n\n' +
          '**Example** (reported):\n\n```yaml\nservices:\n  app:\n    image: app:1.0  # privileged\n```\n\nDocumentation: `docs/rules/privileged.md`' +
          '\n\nCIS Docker Benchmark v1.6.0: 5.5 Ensure that privileged containers are not used',
      },
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['security', 'CIS-5.5'], docs: 'docs/rules/privileged.md', 'security-severity': '9.5', cis: ['5.5'] },
    });
    const byId = new Map(driver.rules.map((r) => [r.id, r]));
    assert.equal(byId.get('latest-tag')!.defaultConfiguration.level, 'warning');
    assert.equal(byId.get('missing-log-rotation')!.defaultConfiguration.level, 'note');
    assert.deepEqual(byId.get('missing-healthcheck')!.properties, { tags: ['reliability'], docs: 'docs/rules/missing-healthcheck.md' });
    assert.match(byId.get('dockerfile-add')!.help!.markdown!, /```dockerfile\n/);
  });

  it('gives each finding a result with rule index, level, location and properties', () => {
    const run = parse(sampleReport()).runs[0]!;
    assert.equal(run.results.length, 6);
    for (const result of run.results) assert.equal(run.tool.driver.rules[result.ruleIndex]!.id, result.ruleId);
    const levels = Object.fromEntries(run.results.map((r) => [r.ruleId, r.level]));
    assert.deepEqual(levels, {
      'latest-tag': 'warning',
      privileged: 'error',
      'docker-socket-mount': 'error',
      'hardcoded-secret': 'error',
      'missing-healthcheck': 'warning',
      'missing-log-rotation': 'note',
    });
    const privileged = run.results.find((r) => r.ruleId === 'privileged')!;
    assert.deepEqual(privileged.locations, [
      { physicalLocation: { artifactLocation: { uri: 'compose.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 18, startColumn: 17 } } },
    ]);
    assert.deepEqual(privileged.message, { text: 'service "web" runs privileged: it has full access to the host' });
    assert.deepEqual(privileged.properties, {
      severity: 'critical',
      service: 'web',
      environment: 'base',
      environments: ['base'],
      fix: 'remove `privileged: true` and add only the capabilities it needs with cap_add',
      cis: ['5.5'],
    });
    const secret = run.results.find((r) => r.ruleId === 'hardcoded-secret')!;
    assert.equal(secret.locations![0]!.physicalLocation.artifactLocation.uri, '.env');
  });

  it('fingerprints by rule, file and message: stable when lines move, different for another problem', () => {
    const before = parse(sampleReport()).runs[0]!.results;
    const moved = sampleReport();
    for (const f of moved.projects[0]!.environments[0]!.findings) f.line += 10;
    const after = parse(moved).runs[0]!.results;
    assert.deepEqual(
      after.map((r) => r.partialFingerprints),
      before.map((r) => r.partialFingerprints),
    );
    const keys = before.map((r) => r.partialFingerprints['shipshape/v1']);
    assert.equal(new Set(keys).size, keys.length);
    assert.match(keys[0]!, /^[0-9a-f]{32}$/);
    assert.notEqual(fingerprint('privileged', 'compose.yaml', 'a'), fingerprint('privileged', 'compose.yaml', 'b'));
    assert.notEqual(fingerprint('privileged', 'a/compose.yaml', 'a'), fingerprint('privileged', 'compose.yaml', 'a'));
  });

  it('paths are relative to the analyzed root, percent-encoded, and regions are left out without a line', () => {
    const report = sampleReport();
    const env = report.projects[0]!.environments[0]!;
    report.projects[0]!.dir = 'apps/my shop';
    env.findings = [
      { rule: 'schema', severity: 'critical', service: null, services: [], file: 'compose.yaml', line: 0, column: 0, message: 'x', fix: null },
      { rule: 'unset-variable', severity: 'high', service: null, services: [], file: '', line: 0, column: 0, message: 'y', fix: null },
      { rule: 'privileged', severity: 'critical', service: 'web', services: ['web'], file: '../shared/base.yaml', line: 4, column: 0, message: 'z', fix: null },
    ];
    const log = parse(report);
    assert.deepEqual(validateSarif(log), []);
    const [schema, unset, shared] = log.runs[0]!.results;
    assert.deepEqual(schema!.locations, [{ physicalLocation: { artifactLocation: { uri: 'apps/my%20shop/compose.yaml', uriBaseId: '%SRCROOT%' } } }]);
    // No file: the environment's first compose file, without a region.
    assert.deepEqual(unset!.locations, [{ physicalLocation: { artifactLocation: { uri: 'apps/my%20shop/compose.yaml', uriBaseId: '%SRCROOT%' } } }]);
    assert.deepEqual(shared!.locations, [
      { physicalLocation: { artifactLocation: { uri: 'apps/shared/base.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 4 } } },
    ]);
    // A rule the catalogue lacks still gets a descriptor, so its ruleIndex is valid.
    const driverRules = log.runs[0]!.tool.driver.rules;
    assert.equal(driverRules[schema!.ruleIndex]!.id, 'schema');
    assert.equal(driverRules[unset!.ruleIndex]!.id, 'unset-variable');
    assert.equal(driverRules.length, RULES.length + 2);
  });

  it('artifactUri joins and normalizes', () => {
    assert.equal(artifactUri('.', 'compose.yaml'), 'compose.yaml');
    assert.equal(artifactUri('a\\b', 'c d#.yml'), 'a/b/c%20d%23.yml');
    assert.equal(artifactUri('.', '/abs/x.yml'), 'file:///abs/x.yml');
  });

  it('a finding shared by several environments of a project is one result listing them all', () => {
    const report = sampleReport();
    const dev = { ...baseEnvironment(), name: 'dev', files: ['compose.yaml', 'compose.dev.yaml'] };
    dev.findings = [
      ...dev.findings,
      { rule: 'privileged', severity: 'critical', service: 'api', services: ['api'], file: 'compose.dev.yaml', line: 3, column: 17, message: 'only in dev', fix: null },
    ];
    report.projects[0]!.environments.push(dev);
    const log = toSarif(report, RULES);
    assert.deepEqual(validateSarif(JSON.parse(JSON.stringify(log))), []);
    const results = log.runs[0]!.results;
    assert.equal(results.length, 7);
    assert.deepEqual(results.find((r) => r.ruleId === 'latest-tag')!.properties.environments, ['base', 'dev']);
    const onlyDev = results.find((r) => r.message.text === 'only in dev')!;
    assert.equal(onlyDev.properties.environment, 'dev');
    assert.deepEqual(onlyDev.properties.environments, ['dev']);
  });

  it('an empty report is a valid log with no results', () => {
    const log = parse({ version: 1, tool: { name: 'shipshape', version: '0.1.0' }, projects: [] });
    assert.deepEqual(validateSarif(log), []);
    assert.deepEqual(log.runs[0]!.results, []);
  });
});
