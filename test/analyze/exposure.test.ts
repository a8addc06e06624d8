import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exposureOf, isLoopback, onInternalNetworksOnly, securityLevel } from '../../src/analyze/exposure.js';
import type { Finding } from '../../src/analyze/types.js';
import { yaml } from '../helpers/tmp.js';
import { contextOf } from './project-context.js';

describe('isLoopback', () => {
  it('knows the loopback interfaces', () => {
    for (const ip of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
      assert.equal(isLoopback(ip), true, ip);
    }
    for (const ip of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.10', '128.0.0.1', '1127.0.0.1']) {
      assert.equal(isLoopback(ip), false, ip);
    }
  });
});

describe('exposureOf', () => {
  const ctx = contextOf({
    'compose.yaml': yaml`
      services:
        public: {image: x:1, ports: ["8080:80"]}
        all-interfaces: {image: x:1, ports: ["0.0.0.0:8081:80"]}
        random-port: {image: x:1, ports: ["80"]}
        lan: {image: x:1, ports: ["192.168.1.5:8082:80"]}
        local: {image: x:1, ports: ["127.0.0.1:8083:80", "[::1]:8084:80"]}
        plain: {image: x:1}
        hostnet: {image: x:1, network_mode: host}
        nonet: {image: x:1, network_mode: none}
        vault: {image: x:1, networks: [private]}
        edge: {image: x:1, networks: [private, public]}
        sidecar: {image: x:1, network_mode: "service:public"}
        sidecar-of-vault: {image: x:1, network_mode: "service:vault"}
        by-container: {image: x:1, network_mode: "container:the-vault"}
        named: {image: x:1, container_name: the-vault, networks: [private]}
        debug: {image: x:1, networks: [private], ports: ["5678:5678", "127.0.0.1:8000:8000"]}
      networks:
        private: {internal: true}
        public: {}
    `,
  });
  const exposure = (name: string): string => exposureOf(ctx.project.services[name]!, ctx.project);

  it('external: a port on a non-loopback interface, or the host network', () => {
    for (const name of ['public', 'all-interfaces', 'random-port', 'lan', 'hostnet']) assert.equal(exposure(name), 'external', name);
  });

  it('internal: loopback-only ports or none, on a network that is not internal', () => {
    for (const name of ['local', 'plain', 'edge']) assert.equal(exposure(name), 'internal', name);
  });

  it('isolated: only internal networks, or no network', () => {
    for (const name of ['vault', 'nonet', 'named']) assert.equal(exposure(name), 'isolated', name);
  });

  it('isolated: ports of a service only on internal networks are never published (moby#36174)', () => {
    assert.equal(exposure('debug'), 'isolated');
    assert.equal(onInternalNetworksOnly(ctx.project.services['debug']!, ctx.project), true);
    for (const name of ['edge', 'plain', 'hostnet']) assert.equal(onInternalNetworksOnly(ctx.project.services[name]!, ctx.project), false, name);
  });

  it('a shared network stack is as exposed as its owner', () => {
    assert.equal(exposure('sidecar'), 'external');
    assert.equal(exposure('sidecar-of-vault'), 'isolated');
    assert.equal(exposure('by-container'), 'isolated');
  });

  it('does not loop on services sharing each other’s stack', () => {
    const loop = contextOf({
      'compose.yaml': 'services:\n  a: {image: x:1, network_mode: "service:b"}\n  b: {image: x:1, network_mode: "service:a"}\n',
    });
    assert.equal(exposureOf(loop.project.services['a']!, loop.project), 'internal');
  });
});

describe('securityLevel', () => {
  const finding = (rule: string, severity: Finding['severity'], service: string | null = 'web'): Finding => ({
    rule, severity, service, services: service === null ? [] : [service], file: 'compose.yaml', line: 1, column: 1, message: '', fix: null,
  });
  const security = (id: string): boolean => !id.startsWith('missing-');

  it('is low without security findings, whatever the exposure', () => {
    assert.equal(securityLevel('web', [], 'external', security), 'low');
    assert.equal(securityLevel('web', [finding('missing-healthcheck', 'critical')], 'internal', security), 'low');
    assert.equal(securityLevel('web', [finding('privileged', 'critical', 'db'), finding('x', 'high', null)], 'internal', security), 'low');
    assert.equal(securityLevel('web', [finding('latest-tag', 'info')], 'external', security), 'low');
  });

  it('is the worst security severity of the service', () => {
    const findings = [finding('latest-tag', 'medium'), finding('hardcoded-secret', 'high'), finding('privileged-port', 'low')];
    assert.equal(securityLevel('web', findings, 'internal', security), 'high');
    assert.equal(securityLevel('web', findings, 'isolated', security), 'high');
  });

  it('is one step worse for an external service, up to critical', () => {
    assert.equal(securityLevel('web', [finding('privileged-port', 'low')], 'external', security), 'medium');
    assert.equal(securityLevel('web', [finding('latest-tag', 'medium')], 'external', security), 'high');
    assert.equal(securityLevel('web', [finding('hardcoded-secret', 'high')], 'external', security), 'critical');
    assert.equal(securityLevel('web', [finding('privileged', 'critical')], 'external', security), 'critical');
  });
});
