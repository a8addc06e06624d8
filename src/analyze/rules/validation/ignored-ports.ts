import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import { listOf } from './shared.js';

export default createRule({
  id: 'ignored-ports',
  severity: 'medium',
  category: 'validation',
  docs: {
    summary: 'A service with `network_mode: host` also lists `ports:`, which the engine discards.',
    why:
      'On the host network the container listens directly on the host\'s interfaces: `ports:` mappings are ignored ' +
      '(Docker only prints a warning), so a remapping such as `8080:80` does not happen and the service is reachable ' +
      'on every port it opens, on every interface, whatever `ports:` says.',
    fix: 'Remove `ports:` and configure the port in the application, or drop `network_mode: host` and keep the mappings.',
    example: 'services:\n  agent:\n    image: agent:1.0\n    network_mode: host\n    ports: ["8080:80"]\n',
  },
  check: (ctx) =>
    services(ctx)
      .filter(([, s]) => s.network_mode === 'host' && listOf(s.ports).length > 0)
      .map(([name, s]) => ({
        path: ['services', name, 'ports'],
        message:
          `service "${name}" uses network_mode: host, so its ports (${listOf(s.ports).map((p) => (p.published ? `${p.published}:${p.target}` : String(p.target))).join(', ')}) ` +
          'are ignored: it listens on the host\'s interfaces directly',
        fix: 'remove `ports:` (set the listening port in the application), or remove `network_mode: host` to keep the mappings',
      })),
});
