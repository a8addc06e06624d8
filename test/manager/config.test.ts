import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeDotenv, parseManagerConfig, redactUrl } from '../../src/manager/index.js';

describe('manager configuration', () => {
  it('has the documented defaults', () => {
    const parsed = parseManagerConfig({});
    assert.ok(parsed.ok);
    assert.deepEqual(
      [parsed.config.port, parsed.config.databaseUrl, parsed.config.offlineAfter, parsed.config.monitorInterval, parsed.config.adminKeyTtl, parsed.config.deployGate],
      [8000, 'sqlite:./data/shipshape.db', 30, 2, 86_400, 'high'],
    );
    assert.equal(parsed.config.adminEmail, undefined);
    assert.equal(parsed.config.jwtSecret, undefined);
  });

  it('reads every setting and names each bad one', () => {
    const good = parseManagerConfig({ PORT: '9000', DATABASE_URL: 'postgres://u:p@db/x', ADMIN_EMAIL: 'Ops@Example.com', ADMIN_PASSWORD: 'long-password', OFFLINE_AFTER: '9', LOG_LEVEL: 'WARNING', TRUST_PROXY: 'yes' });
    assert.ok(good.ok);
    assert.deepEqual([good.config.port, good.config.adminEmail, good.config.offlineAfter, good.config.monitorInterval, good.config.logLevel, good.config.trustProxy], [9000, 'ops@example.com', 9, 0.9, 'warn', true]);
    const bad = parseManagerConfig({ PORT: 'x', DATABASE_URL: 'mysql://x', ADMIN_PASSWORD: 'short', JWT_SECRET: 'tiny', OFFLINE_AFTER: '-1', LOG_LEVEL: 'loud', DEPLOY_GATE: 'sometimes' });
    assert.equal(bad.ok, false);
    assert.deepEqual(
      !bad.ok && bad.problems.map((p) => p.variable),
      ['PORT', 'DATABASE_URL', 'ADMIN_PASSWORD', 'ADMIN_EMAIL', 'JWT_SECRET', 'OFFLINE_AFTER', 'LOG_LEVEL', 'DEPLOY_GATE'],
    );
  });

  it('reads the gate from ANALYSIS_GATE (DEPLOY_GATE, its earlier name, too) and the operator allowances', () => {
    const read = (env: Record<string, string>) => {
      const parsed = parseManagerConfig(env);
      assert.ok(parsed.ok, JSON.stringify(parsed));
      return parsed.config;
    };
    assert.equal(read({ ANALYSIS_GATE: 'critical', DEPLOY_GATE: 'low' }).deployGate, 'critical');
    assert.equal(read({ DEPLOY_GATE: 'medium' }).deployGate, 'medium');
    const config = read({ ALLOWED_HOST_PATHS: '/srv/www', GATE_ALLOW_RULES: 'privileged, host-path-escape' });
    assert.deepEqual([config.allowedHostPaths, config.gateAllowRules], [['/srv/www'], ['privileged', 'host-path-escape']]);
    const bad = parseManagerConfig({ ANALYSIS_GATE: 'sometimes', GATE_ALLOW_RULES: 'no-such-rule', ALLOWED_HOST_PATHS: 'relative' });
    assert.deepEqual(!bad.ok && bad.problems.map((p) => p.variable), ['ANALYSIS_GATE', 'ALLOWED_HOST_PATHS', 'GATE_ALLOW_RULES']);
  });

  it('lets the environment win over .env, and keeps passwords out of messages', () => {
    assert.deepEqual(mergeDotenv({ PORT: '1' }, 'PORT=2\nHOST=127.0.0.1\n'), { PORT: '1', HOST: '127.0.0.1' });
    assert.equal(redactUrl('postgres://user:secret@db:5432/x'), 'postgres://user:***@db:5432/x');
    const bad = parseManagerConfig({ DATABASE_URL: 'mysql://user:secret@db/x' });
    assert.ok(!bad.ok && !bad.problems[0]!.message.includes('secret'));
  });
});
