import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/sensitive-host-mount.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('sensitive-host-mount', () => {
  it('valid: project files (even mounted into /etc), data folders, time zone files read-only, the docker socket', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  a:',
        '    image: x:1',
        '    volumes:',
        '      - ./nginx.conf:/etc/nginx/nginx.conf:ro',
        '      - /srv/data:/data',
        '      - /etc/localtime:/etc/localtime:ro',
        '      - /etc/ssl/certs:/etc/ssl/certs:ro',
        '      - /home/alice/minecraft:/data/world',
        '      - /var/run/docker.sock:/var/run/docker.sock',
        '      - cache:/cache',
        'volumes:',
        '  cache: {}',
      ),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: system folders, below them, their parents and hidden home entries, at each source', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  exporter:',
        '    image: prom/node-exporter:v1.8.2',
        '    volumes:',
        '      - /:/host:ro',
        '      - /proc:/host/proc:ro',
        '      - type: bind',
        '        source: /etc',
        '        target: /host/etc',
        '  backup:',
        '    image: backup:1.2',
        '    volumes:',
        '      - /var:/host/var',
        '      - /home/alice/.ssh:/root/.ssh:ro',
        '      - /etc/dnsmasq.d:/etc/dnsmasq.d',
        '      - /etc/localtime:/etc/localtime',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), [
      'compose.yaml:5:9',
      'compose.yaml:6:9',
      'compose.yaml:8:17',
      'compose.yaml:13:9',
      'compose.yaml:14:9',
      'compose.yaml:15:9',
      'compose.yaml:16:9',
    ]);
    assert.deepEqual(findings.map((f) => f.message), [
      'service "exporter" mounts the host\'s / read-only at /host: the host\'s whole filesystem',
      'service "exporter" mounts the host\'s /proc read-only at /host/proc: the host\'s kernel interface and every process\'s memory maps and environment',
      'service "exporter" mounts the host\'s /etc read-write at /host/etc: the host\'s configuration, including /etc/shadow, /etc/sudoers and SSH host keys',
      'service "backup" mounts the host\'s /var read-write at /host/var: a parent of /var/run, /var/lib/docker, /var/lib/containerd (the Docker socket included)',
      'service "backup" mounts the host\'s /home/alice/.ssh read-only at /root/.ssh: SSH keys, inside /home',
      'service "backup" mounts the host\'s /etc/dnsmasq.d read-write at /etc/dnsmasq.d: it is inside /etc (the host\'s configuration), so the container can change what the host keeps there',
      'service "backup" mounts the host\'s /etc/localtime read-write at /etc/localtime: it is inside /etc (the host\'s configuration), so the container can change what the host keeps there',
    ]);
    assert.ok(findings.every((f) => f.severity === 'high'));
  });

  it('invalid: a named volume that binds a host folder, at the service\'s volume entry', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  app:',
        '    image: app:1',
        '    volumes:',
        '      - hostetc:/host/etc:ro',
        'volumes:',
        '  hostetc:',
        '    driver: local',
        '    driver_opts: {type: none, o: bind, device: /etc}',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:5:9']);
    assert.match(findings[0]!.message, /^service "app" mounts the host's \/etc through volume "hostetc" read-only at \/host\/etc/);
  });
});
