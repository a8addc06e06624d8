import { posix } from 'node:path';
import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import type { RawFinding } from '../../types.js';
import { listOf } from './shared.js';
import { hostBindings, isEngineSocket } from '../../facts/index.js';

const ENGINE_OF: Record<string, string> = {
  'docker.sock': 'Docker',
  'podman.sock': 'Podman',
  'containerd.sock': 'containerd',
  'crio.sock': 'CRI-O',
  'cri-dockerd.sock': 'Docker (cri-dockerd)',
};

const FIX =
  'remove the mount; if the service must talk to the engine, give it a socket proxy that allows only ' +
  'the API calls it needs (read-only GETs when it only watches containers), or a remote API with TLS client certificates';

export default createRule({
  id: 'docker-socket-mount',
  severity: 'critical',
  category: 'security',
  cis: ['5.32'],
  docs: {
    summary: 'A service mounts the Docker (or another container engine) socket.',
    why:
      'The socket is the engine\'s full API: whoever can reach it can start a privileged container that ' +
      'mounts the host\'s `/`, so a compromise of this service is a compromise of the host. Mounting it ' +
      'read-only (`:ro`) does not help: it only stops changes to the socket file, not requests sent through it.',
    fix:
      'Remove the mount. If the service must talk to Docker (a reverse proxy watching containers, a CI ' +
      'runner), put a socket proxy in front that allows only the API calls it needs, or use the remote API ' +
      'with TLS client certificates.',
    example:
      'services:\n  traefik:\n    image: traefik:v3.1\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const [name, service] of services(ctx)) {
      for (const b of hostBindings(ctx, service)) {
        if (!isEngineSocket(b.source)) continue;
        const engine = ENGINE_OF[posix.basename(b.source)] ?? 'container engine';
        const via = b.volume ? ` through volume "${b.volume}"` : '';
        const readOnly = b.readOnly
          ? '; read-only does not make it safe: ":ro" protects the socket file, not the API behind it'
          : '';
        findings.push({
          path: ['services', name, 'volumes', b.index, 'source'],
          message:
            `service "${name}" mounts the ${engine} socket ${b.source}${via}: whoever controls this container ` +
            `controls the ${engine} engine, and with it the host${readOnly}`,
          fix: FIX,
        });
      }
      listOf(service.volumes).forEach((v, index) => {
        // Docker Desktop and Docker on Windows expose the same API as a named pipe.
        if (v?.type === 'npipe' && typeof v.source === 'string' && /docker_engine/i.test(v.source)) {
          findings.push({
            path: ['services', name, 'volumes', index, 'source'],
            message: `service "${name}" mounts the Docker engine pipe ${v.source}: whoever controls this container controls the engine, and with it the host`,
            fix: FIX,
          });
        }
      });
    }
    return findings;
  },
});
