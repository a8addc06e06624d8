import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildContext } from '../../../../src/analyze/context.js';
import { toFinding } from '../../../../src/analyze/findings.js';
import rule from '../../../../src/analyze/rules/validation/yaml-syntax.js';
import type { Finding } from '../../../../src/analyze/types.js';
import { loadProject } from '../../../../src/compose/index.js';
import { writeTree } from '../../../helpers/tmp.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

/** The harness refuses a project that does not load; a fatal YAML error is exactly that case. */
function runUnloadable(files: Record<string, string>): Finding[] {
  const dir = writeTree(files);
  const load = loadProject({ workingDir: dir, env: {} });
  assert.equal(load.project, undefined);
  const project = { name: '', working_dir: dir, files: [], services: {}, networks: {}, volumes: {}, secrets: {}, configs: {}, disabled_services: {}, extensions: {} };
  const ctx = buildContext({ dir, environment: { name: 'base', files: [join(dir, 'compose.yaml')] }, load: { ...load, project } });
  return rule.check(ctx).map((raw) => toFinding(rule, raw, ctx));
}

describe('yaml-syntax', () => {
  it('valid: anchors, a merge list, !reset and !override', () => {
    const files = {
      'compose.yaml': lines('x-a: &a', '  restart: always', 'x-b: &b', '  init: true', 'services:', '  web:', '    <<: [*a, *b]', '    image: nginx:1.27', '    ports: ["80:80"]'),
      'compose.override.yaml': lines('services:', '  web:', '    ports: !reset []', '    environment: !override {A: "1"}'),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('valid: a YAML warning (an unknown tag) is not an error compose stops on', () => {
    assert.deepEqual(runRule(rule, { files: { 'compose.yaml': lines('services:', '  web:', '    image: !custom nginx:1.27') } }), []);
  });

  it('invalid: a broken indentation stops the file, located where YAML fails', () => {
    const findings = runUnloadable({ 'compose.yaml': lines('services:', '  web:', '    image: nginx:1.27', '   ports: ["80:80"]') });
    assert.deepEqual(places(findings), ['compose.yaml:4:1']);
    assert.equal(findings[0]!.severity, 'critical');
    assert.match(findings[0]!.message, /BAD_INDENT/);
    assert.match(findings[0]!.fix!, /indentation/);
  });

  it('invalid: an error in an override file is located in that file', () => {
    const findings = runRule(rule, {
      files: {
        'compose.yaml': lines('services:', '  web:', '    image: nginx:1.27'),
        'compose.override.yaml': lines('services:', '  web:', '    ports: ["80:80"', '    image: x'),
      },
    });
    assert.ok(findings.length >= 1);
    assert.ok(findings.every((f) => f.file === 'compose.override.yaml'));
  });

  it('invalid: an unknown anchor, at the alias, attributed to its service', () => {
    const findings = runRule(rule, { files: { 'compose.yaml': lines('services:', '  web:', '    image: nginx:1.27', '    environment: *common') } });
    assert.deepEqual(places(findings), ['compose.yaml:4:18']);
    assert.equal(findings[0]!.service, 'web');
    assert.match(findings[0]!.message, /unknown anchor "\*common"/);
    assert.match(findings[0]!.fix!, /&name/);
  });

  it('invalid: a merge key given a scalar', () => {
    const findings = runRule(rule, { files: { 'compose.yaml': lines('services:', '  web:', '    <<: 3', '    image: nginx:1.27') } });
    assert.deepEqual(places(findings), ['compose.yaml:3:9']);
    assert.match(findings[0]!.fix!, /<<: \*defaults/);
  });
});
