import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { computeScores, CRITICAL_CAP } from '../../src/analyze/scores.js';
import type { Exposure } from '../../src/analyze/report-types.js';
import type { Category, Finding, Severity } from '../../src/analyze/types.js';

const categories: Record<string, Category> = { 'yaml-syntax': 'validation', privileged: 'security', 'missing-healthcheck': 'reliability', 'dockerfile-add': 'dockerfile' };
const exposures: Record<string, Exposure> = { web: 'external', api: 'internal', db: 'isolated' };

const finding = fc.record({
  rule: fc.constantFrom(...Object.keys(categories)),
  severity: fc.constantFrom<Severity>('critical', 'high', 'medium', 'low', 'info'),
  service: fc.constantFrom('web', 'api', 'db', null),
});

const score = (findings: Finding[], serviceCount = 3) =>
  computeScores({ findings, categoryOf: (id) => categories[id], exposureOf: (s) => exposures[s], serviceCount });

const full = (f: { rule: string; severity: Severity; service: string | null }): Finding => ({
  ...f, services: f.service === null ? [] : [f.service], file: 'compose.yaml', line: 1, column: 1, message: 'm', fix: null,
});

describe('scores', () => {
  it('is 10.0 everywhere without findings', () => {
    assert.deepEqual(score([]), { overall: 10, security: 10, production_readiness: 10 });
  });

  it('removing a finding never lowers a score (property)', () => {
    fc.assert(
      fc.property(fc.array(finding, { maxLength: 30 }), fc.nat(), fc.integer({ min: 1, max: 40 }), (raw, pick, services) => {
        const findings = raw.map(full);
        if (findings.length === 0) return;
        const without = findings.filter((_, i) => i !== pick % findings.length);
        const before = score(findings, services);
        const after = score(without, services);
        assert.ok(after.overall >= before.overall && after.security >= before.security && after.production_readiness >= before.production_readiness);
      }),
      { numRuns: 2000, seed: 11 },
    );
  });

  it('stays within 0.0–10.0 with one decimal', () => {
    fc.assert(
      fc.property(fc.array(finding, { maxLength: 200 }), (raw) => {
        for (const v of Object.values(score(raw.map(full)))) {
          assert.ok(v >= 0 && v <= 10);
          assert.equal(Math.round(v * 10) / 10, v);
        }
      }),
      { numRuns: 500, seed: 5 },
    );
  });

  it('weighs security findings by exposure and caps readiness on blocking validation errors', () => {
    const external = score([full({ rule: 'privileged', severity: 'high', service: 'web' })]).security;
    const isolated = score([full({ rule: 'privileged', severity: 'high', service: 'db' })]).security;
    assert.ok(external < isolated);
    const blocked = score([full({ rule: 'yaml-syntax', severity: 'critical', service: null })]);
    assert.ok(blocked.production_readiness <= CRITICAL_CAP);
    assert.equal(blocked.security, 10);
  });
});
