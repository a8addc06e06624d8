import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { RULES } from '../../../src/analyze/index.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));

/** docs/architecture.md: every rule id of the contract, its category and default severity. */
const CONTRACT: Record<string, [string, string]> = {
  'yaml-syntax': ['validation', 'critical'],
  'yaml-duplicate-key': ['validation', 'critical'],
  schema: ['validation', 'critical'],
  'undefined-volume': ['validation', 'high'],
  'undefined-network': ['validation', 'high'],
  'undefined-secret': ['validation', 'high'],
  'undefined-config': ['validation', 'high'],
  'unknown-dependency': ['validation', 'critical'],
  'dependency-cycle': ['validation', 'critical'],
  'healthy-without-healthcheck': ['validation', 'high'],
  'missing-build-context': ['validation', 'critical'],
  'missing-dockerfile': ['validation', 'critical'],
  'missing-bind-source': ['validation', 'critical'],
  'missing-file-reference': ['validation', 'critical'],
  'unset-variable': ['validation', 'high'],
  'port-conflict': ['validation', 'high'],
  'ignored-ports': ['validation', 'medium'],
  'obsolete-version': ['validation', 'low'],
  privileged: ['security', 'critical'],
  'docker-socket-mount': ['security', 'critical'],
  'host-namespace': ['security', 'high'],
  'dangerous-capability': ['security', 'high'],
  'no-cap-drop': ['security', 'medium'],
  'no-new-privileges-missing': ['security', 'medium'],
  'unconfined-profile': ['security', 'high'],
  'root-user': ['security', 'medium'],
  'writable-rootfs': ['security', 'low'],
  'hardcoded-secret': ['security', 'high'],
  'default-credential': ['security', 'high'],
  'exposed-database-port': ['security', 'high'],
  'unbound-port-interface': ['security', 'medium'],
  'privileged-port': ['security', 'low'],
  'sensitive-host-mount': ['security', 'high'],
  'host-device': ['security', 'medium'],
  'latest-tag': ['security', 'medium'],
  'dev-override-weakens-security': ['security', 'high'],
  'internal-network-exposed': ['security', 'high'],
  'host-path-escape': ['security', 'critical'],
  'foreign-namespace': ['security', 'critical'],
  'foreign-resource': ['security', 'critical'],
  'auth-disabled': ['security', 'high'],
  'debug-port-exposed': ['security', 'high'],
  'image-vulnerability': ['security', 'high'],
  'missing-healthcheck': ['reliability', 'medium'],
  'healthcheck-tool-missing': ['reliability', 'high'],
  'missing-resource-limits': ['reliability', 'medium'],
  'missing-restart-policy': ['reliability', 'low'],
  'missing-log-rotation': ['reliability', 'low'],
  'dockerfile-root-user': ['dockerfile', 'medium'],
  'dockerfile-latest-base': ['dockerfile', 'medium'],
  'dockerfile-add': ['dockerfile', 'medium'],
  'dockerfile-broad-copy': ['dockerfile', 'medium'],
  'dockerfile-apt-hygiene': ['dockerfile', 'medium'],
  'dockerfile-secret-in-env': ['dockerfile', 'high'],
  'dockerfile-curl-pipe-shell': ['dockerfile', 'high'],
  'dockerfile-shell-form': ['dockerfile', 'medium'],
  'dockerfile-missing-healthcheck': ['dockerfile', 'medium'],
};

describe('rule registry', () => {
  it('holds exactly the contract ids, with their categories and default severities', () => {
    const registry = Object.fromEntries(RULES.map((r) => [r.id, [r.category, r.severity]]));
    assert.equal(RULES.length, new Set(RULES.map((r) => r.id)).size, 'ids are unique');
    assert.deepEqual(registry, CONTRACT);
  });

  for (const rule of RULES) {
    it(`${rule.id}: one file named after it, a test, docs in step with its metadata`, () => {
      assert.ok(existsSync(join(repo, 'src/analyze/rules', rule.category, `${rule.id}.ts`)), 'rule file');
      const test = join(repo, 'test/analyze/rules', rule.category, `${rule.id}.test.ts`);
      assert.ok(existsSync(test), 'test file');
      const testText = readFileSync(test, 'utf8');
      assert.match(testText, /\bvalid\b|does not|not report|no finding/i, 'the test has cases that must not trigger');
      assert.match(testText, /\d+:\d+/, 'the test asserts positions');
      const docs = join(repo, 'docs/rules', `${rule.id}.md`);
      assert.ok(existsSync(docs), 'docs page');
      const page = readFileSync(docs, 'utf8');
      assert.ok(page.startsWith(`# ${rule.id}\n`), 'docs title is the id');
      assert.ok(page.includes(rule.severity) && page.includes(rule.category), 'docs name the severity and category');
      for (const part of ['summary', 'why', 'fix', 'example'] as const) assert.ok(rule.docs[part].trim().length > 10, part);
    });
  }

  it('has no docs page without a rule', () => {
    const ids = new Set<string>(RULES.map((r) => r.id));
    const orphans = readdirSync(join(repo, 'docs/rules')).filter((f) => f.endsWith('.md') && f !== 'README.md' && !ids.has(f.slice(0, -3)));
    assert.deepEqual(orphans, []);
  });
});
