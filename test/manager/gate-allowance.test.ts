import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { login, startTestManager, type TestManager } from './helpers.js';

describe('the manager gate: operator allowances are audited', () => {
  let manager: TestManager;
  let adminKey: string;
  before(async () => {
    manager = await startTestManager('sqlite', { config: { gateAllowRules: ['privileged'], allowedHostPaths: ['/srv/shared'] } });
    adminKey = await login(manager);
  });
  after(async () => manager.dispose());

  it('writes every allowance a package used to the audit, even when something else refuses it', async () => {
    const compose = 'services:\n  app:\n    image: app:1.0\n    privileged: true\n    volumes:\n      - /srv/shared/www:/www:ro\n      - /etc:/host-etc\n';
    const refused = await manager.app.inject({ method: 'POST', url: '/deployments', headers: { 'x-admin-key': adminKey }, payload: { compose } });
    assert.equal(refused.statusCode, 422, refused.body);
    const findings = (refused.json() as { error: { details: { findings: { rule: string; line: number }[] } } }).error.details.findings;
    assert.deepEqual(findings.filter((f) => f.rule === 'host-path-escape').map((f) => f.line), [7], 'only the path not allowed refuses');
    assert.ok(!findings.some((f) => f.rule === 'privileged'), 'the allowed rule does not refuse');
    const audit = (await manager.app.inject({ method: 'GET', url: '/audit', headers: { 'x-admin-key': adminKey } })).body;
    const allowances = audit.match(/deployment\.gate_allowance/g) ?? [];
    assert.equal(allowances.length, 2, audit.slice(0, 2000));
    assert.match(audit, /GATE_ALLOW_RULES/);
    assert.match(audit, /ALLOWED_HOST_PATHS/);
  });
});
