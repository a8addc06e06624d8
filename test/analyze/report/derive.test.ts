import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  communicationMatrix,
  countBySeverity,
  groupBySeverity,
  hardeningFacts,
  portLabel,
  segmentation,
  unorderedServices,
  verdict,
  volumeLabel,
} from '../../../src/analyze/report/derive.js';
import { RULES, baseEnvironment, service } from './fixture.js';

describe('report views', () => {
  it('communication matrix cells: edges from row to column and the networks both are on', () => {
    const env = baseEnvironment();
    const matrix = communicationMatrix(env);
    assert.deepEqual(matrix.services, ['api', 'web']);
    const webToApi = matrix.cell('web', 'api');
    assert.deepEqual(webToApi.edges.map((e) => [e.kind, e.port]), [
      ['depends_on', null],
      ['config-file', 8000],
    ]);
    assert.deepEqual(webToApi.networks, ['frontend']);
    assert.deepEqual(matrix.cell('api', 'web').edges.map((e) => e.kind), ['env-url']);
    assert.deepEqual(matrix.cell('api', 'api'), { edges: [], networks: [] });
  });

  it('network membership comes from the services and from the networks, and network_mode service: shares one', () => {
    const env = baseEnvironment();
    env.inventory.services.push(service({ name: 'sidecar', network_mode: 'service:api' }), service({ name: 'lone' }));
    env.inventory.networks[1]!.services.push('lone');
    const matrix = communicationMatrix(env);
    assert.deepEqual(matrix.cell('sidecar', 'api').networks, ['network_mode service']);
    assert.deepEqual(matrix.cell('api', 'sidecar').networks, ['network_mode service']);
    assert.deepEqual(matrix.cell('lone', 'api').networks, ['backend']);
    assert.deepEqual(matrix.cell('lone', 'web').networks, []);
  });

  it('segmentation: zones by exposure, and services that bridge an internal and a non-internal network', () => {
    const zones = segmentation(baseEnvironment());
    assert.deepEqual(zones.external.map((s) => s.name), ['web']);
    assert.deepEqual(zones.internal.map((s) => s.name), ['api']);
    assert.deepEqual(zones.isolated, []);
    assert.deepEqual(zones.bridges, [{ service: 'api', networks: ['backend', 'frontend'], crossesIsolation: true }]);
  });

  it('services left out of the start order', () => {
    const env = baseEnvironment();
    assert.deepEqual(unorderedServices(env), []);
    env.graph.startup_order = [['api']];
    assert.deepEqual(unorderedServices(env), ['web']);
  });

  it('a critical finding of a category rules out a "good" verdict for the scores it feeds', () => {
    const env = baseEnvironment();
    const critical = env.findings.filter((f) => f.rule === 'privileged');
    assert.equal(verdict('security', 9, [], RULES).verdict, 'good');
    assert.equal(verdict('security', 9, critical, RULES).verdict, 'fair');
    assert.equal(verdict('overall', 9, critical, RULES).verdict, 'fair');
    assert.equal(verdict('production_readiness', 9, critical, RULES).word, 'READY');
    assert.equal(verdict('production_readiness', 4.9, [], RULES).word, 'NOT READY');
  });

  it('labels and groups', () => {
    assert.equal(portLabel({ host_ip: '::1', published: '80', target: 8080, protocol: 'tcp', external: false }), '[::1]:80→8080/tcp');
    assert.equal(portLabel({ host_ip: '', published: null, target: 9000, protocol: 'udp', external: false }), '9000/udp');
    assert.equal(volumeLabel({ type: 'bind', source: './x', target: '/x', read_only: true, exists: false }), './x → /x (ro, missing)');
    assert.equal(volumeLabel({ type: 'tmpfs', source: null, target: '/tmp', read_only: false, exists: null }), 'tmpfs → /tmp');
    const env = baseEnvironment();
    assert.deepEqual(countBySeverity(env.findings), { critical: 2, high: 1, medium: 2, low: 1, info: 0 });
    assert.deepEqual(
      groupBySeverity(env.findings).map(([severity, group]) => [severity, group.map((f) => f.line)]),
      [
        ['critical', [18, 22]],
        ['high', [3]],
        ['medium', [15, 16]],
        ['low', [2]],
      ],
    );
    assert.deepEqual(hardeningFacts(env.inventory.services[1]!), { good: [], bad: ['privileged', 'user from image', 'writable rootfs'] });
    assert.deepEqual(hardeningFacts(service({ name: 'r', user: '0:0', security_opt: ['seccomp:unconfined'] })).bad, [
      'user 0:0',
      'writable rootfs',
      'seccomp:unconfined',
    ]);
  });
});
