import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { analyze, RULES, type EnvironmentReport } from '../../src/analyze/index.js';
import { computeScores } from '../../src/analyze/scores.js';
import type { Category, Finding, Severity } from '../../src/analyze/types.js';
import { writeTree } from '../helpers/tmp.js';

// The statements of docs/scoring.md, each checked on a stack a reviewer would judge the same way.

const lines = (...l: string[]) => l.join('\n') + '\n';

function analyzed(files: Record<string, string>): EnvironmentReport {
  const { report, problems } = analyze({ root: writeTree(files), rules: RULES, env: {}, version: 'test' });
  assert.deepEqual(problems, []);
  return report.projects[0]!.environments[0]!;
}

const serious = (env: EnvironmentReport) => env.findings.filter((f) => f.severity === 'critical' || f.severity === 'high');

describe('score calibration', () => {
  it('routine hygiene alone cannot bring a stack below 5 (property, any number of findings and services)', () => {
    const categories: Category[] = ['validation', 'security', 'reliability', 'dockerfile'];
    const finding = fc.record({
      rule: fc.constantFrom('r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'),
      severity: fc.constantFrom<Severity>('medium', 'low', 'info'),
      service: fc.constantFrom('a', 'b', 'c', null),
    });
    fc.assert(
      fc.property(fc.array(finding, { maxLength: 400 }), fc.integer({ min: 1, max: 80 }), (raw, count) => {
        const findings: Finding[] = raw.map((f) => ({ ...f, services: f.service ? [f.service] : [], file: 'c.yaml', line: 1, column: 1, message: 'm', fix: null }));
        const scores = computeScores({
          findings,
          categoryOf: (id) => categories[Number(id.slice(1)) % 4],
          exposureOf: () => 'external',
          serviceCount: count,
        });
        for (const value of Object.values(scores)) assert.ok(value >= 5, JSON.stringify(scores));
      }),
      { numRuns: 500, seed: 6 },
    );
  });

  it('routine hygiene alone cannot bring a stack below 5 (a real 20-service stack that hardens nothing)', () => {
    const services = Array.from({ length: 20 }, (_, i) => `  web${i}:\n    image: nginx:1.27.${i}\n    ports: ["127.0.0.1:${8000 + i}:80"]`);
    const env = analyzed({ 'compose.yaml': `services:\n${services.join('\n')}\n` });
    assert.deepEqual(serious(env), []);
    assert.ok(env.findings.length >= 100, `${env.findings.length} hygiene findings`);
    for (const value of Object.values(env.scores)) assert.ok(value >= 5, JSON.stringify(env.scores));
  });

  it('a carefully hardened stack scores at least 7 in security', () => {
    const hardened = (name: string, image: string, extra: string[] = []) => [
      `  ${name}:`,
      `    image: ${image}`,
      '    user: "10001:10001"',
      '    read_only: true',
      '    cap_drop: [ALL]',
      '    security_opt: ["no-new-privileges:true"]',
      '    restart: unless-stopped',
      '    healthcheck: {test: ["CMD", "/healthcheck"], interval: 30s}',
      '    deploy: {resources: {limits: {cpus: "1", memory: 512M, pids: 200}}}',
      '    logging: {driver: json-file, options: {max-size: 10m, max-file: "3"}}',
      ...extra,
    ];
    const env = analyzed({
      'compose.yaml': lines(
        'services:',
        ...hardened('proxy', 'caddy:2.8.4@sha256:' + 'a'.repeat(64), ['    ports: ["127.0.0.1:8443:8443"]', '    networks: [front, back]']),
        ...hardened('api', 'example/api:1.4.2', ['    networks: [back]', '    secrets: [db_password]', '    environment: {DB_PASSWORD_FILE: /run/secrets/db_password}']),
        ...hardened('db', 'postgres:16.4', ['    networks: [back]', '    secrets: [db_password]', '    environment: {POSTGRES_PASSWORD_FILE: /run/secrets/db_password}']),
        'networks:',
        '  front: {}',
        '  back: {internal: true}',
        'secrets:',
        '  db_password: {file: ./db_password.txt}',
      ),
      'db_password.txt': 'generated\n',
    });
    assert.deepEqual(serious(env), []);
    assert.ok(env.scores.security >= 7, JSON.stringify(env.scores));
  });

  it('a default-everything stack with real exposures scores at most 4 in security', () => {
    const env = analyzed({
      'compose.yaml': lines(
        'services:',
        '  app:',
        '    image: example/app:latest',
        '    ports: ["3000:3000", "9229:9229"]',
        '    environment:',
        '      DATABASE_URL: postgres://postgres:postgres@db:5432/app',
        '  db:',
        '    image: postgres',
        '    ports: ["5432:5432"]',
        '    environment:',
        '      POSTGRES_PASSWORD: postgres',
        '  cache:',
        '    image: redis',
        '    ports: ["6379:6379"]',
        '  admin:',
        '    image: adminer',
        '    ports: ["8080:8080"]',
      ),
    });
    assert.ok(serious(env).length >= 4, serious(env).map((f) => f.rule).join(', '));
    assert.ok(env.scores.security <= 4, JSON.stringify(env.scores));
  });
});
