import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { factDifferences, postureOf, runtimeFacts, runtimeService, type RuntimeConfig } from '../../src/agent/posture.js';

const hardened: RuntimeConfig = {
  image: 'app:1',
  user: '1000:1000',
  hostConfig: { Memory: 268_435_456, NanoCpus: 500_000_000, PidsLimit: 100, PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] } },
};

describe("posture: the analyzer's runtime rules on containers as docker inspect shows them", () => {
  it('finds what a container may do to its host', async () => {
    const findings = await postureOf([
      {
        name: 'wild',
        stack: null,
        service: null,
        config: {
          image: 'busybox',
          user: '',
          hostConfig: {
            Privileged: true,
            CapAdd: ['SYS_ADMIN'],
            NetworkMode: 'host',
            PidMode: 'host',
            Binds: ['/var/run/docker.sock:/var/run/docker.sock', '/etc:/host-etc:ro'],
            PortBindings: { '22/tcp': [{ HostIp: '', HostPort: '2222' }] },
          },
        },
      },
      { name: 'tame', stack: 'shop', service: 'web', config: hardened },
    ]);
    const rules = (container: string) => [...new Set(findings.filter((f) => f.container === container).map((f) => f.rule))].sort();
    assert.deepEqual(rules('wild'), ['dangerous-capability', 'docker-socket-mount', 'host-namespace', 'missing-resource-limits', 'privileged', 'root-user', 'sensitive-host-mount']);
    assert.deepEqual(rules('tame'), []);
    const privileged = findings.find((f) => f.rule === 'privileged')!;
    assert.equal(privileged.severity, 'critical');
    assert.match(privileged.message, /^container "wild" runs privileged/);
    assert.ok(findings.every((f) => !/service "wild"/.test(f.message)), 'findings name the container');
  });

  it('reports a port published on every interface, unless it is host networking', async () => {
    const findings = await postureOf([{ name: 'open', stack: null, service: null, config: { ...hardened, hostConfig: { ...hardened.hostConfig, PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] } } } }]);
    assert.deepEqual(findings.map((f) => f.rule), ['unbound-port-interface']);
  });

  it('tells what changed between the deployed and the running container', () => {
    const deployed = runtimeFacts(runtimeService('web', hardened));
    assert.deepEqual(factDifferences(deployed, runtimeFacts(runtimeService('web', hardened))), []);
    const updated = runtimeFacts(runtimeService('web', { ...hardened, hostConfig: { ...hardened.hostConfig, Memory: 0, Privileged: true } }));
    assert.deepEqual(factDifferences(deployed, updated), ['privileged: deployed false, running true', 'memory limit: deployed 268435456, running none']);
  });
});
