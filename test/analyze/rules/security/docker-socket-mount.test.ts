import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import rule from '../../../../src/analyze/rules/security/docker-socket-mount.js';
import { places, runRule } from '../../harness.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('docker-socket-mount', () => {
  it('valid: project binds, named volumes and other host paths', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  a:',
        '    image: x:1',
        '    volumes:',
        '      - ./data:/data',
        '      - logs:/var/log/app',
        '      - /srv/www:/usr/share/nginx/html:ro',
        'volumes:',
        '  logs: {}',
      ),
    };
    assert.deepEqual(runRule(rule, { files }), []);
  });

  it('invalid: short and long syntax, /run and rootless paths, read-only too, each at its source', () => {
    const files = {
      'compose.yaml': lines(
        'services:',
        '  traefik:',
        '    image: traefik:v3.1',
        '    volumes:',
        '      - /var/run/docker.sock:/var/run/docker.sock:ro',
        '  agent:',
        '    image: agent:2',
        '    volumes:',
        '      - type: bind',
        '        source: /run/docker.sock',
        '        target: /var/run/docker.sock',
        '      - /run/user/1000/podman/podman.sock:/run/podman.sock',
      ),
    };
    const findings = runRule(rule, { files });
    assert.deepEqual(places(findings), ['compose.yaml:5:9', 'compose.yaml:10:17', 'compose.yaml:12:9']);
    assert.deepEqual(findings.map((f) => [f.service, f.severity]), [
      ['traefik', 'critical'],
      ['agent', 'critical'],
      ['agent', 'critical'],
    ]);
    assert.equal(
      findings[0]!.message,
      'service "traefik" mounts the Docker socket /var/run/docker.sock: whoever controls this container controls the Docker engine, ' +
        'and with it the host; read-only does not make it safe: ":ro" protects the socket file, not the API behind it',
    );
    assert.doesNotMatch(findings[1]!.message, /read-only/);
    assert.match(findings[2]!.message, /the Podman socket \/run\/user\/1000\/podman\/podman\.sock/);
    assert.match(findings[0]!.fix ?? '', /socket proxy/);
  });

  it('invalid: a mount added by an override file points into that file', () => {
    const files = {
      'compose.yaml': lines('services:', '  app:', '    image: app:1.0'),
      'compose.override.yaml': lines('services:', '  app:', '    volumes:', '      - "/var/run/docker.sock:/var/run/docker.sock"'),
    };
    assert.deepEqual(places(runRule(rule, { files })), ['compose.override.yaml:4:9']);
  });
});
