import { createRule } from '../create-rule.js';
import { cycleNames, serviceGraph } from '../../../compose/index.js';
import type { RawFinding } from './shared.js';

export default createRule({
  id: 'dependency-cycle',
  severity: 'critical',
  category: 'validation',
  docs: {
    summary: 'Services depend on each other in a circle (through `depends_on`, `links`, `network_mode: service:…` or `volumes_from`).',
    why:
      'Compose needs an order to start services in; with a cycle there is none, and `docker compose up` refuses the ' +
      'project ("dependency cycle detected"). Nothing starts.',
    fix:
      'Remove one dependency of the cycle. A service that only needs another at run time should retry its ' +
      'connection instead of waiting for it at start.',
    example: 'services:\n  api:\n    image: api:1.0\n    depends_on: [worker]\n  worker:\n    image: worker:1.0\n    depends_on: [api]\n',
  },
  check: (ctx) => {
    return serviceGraph(ctx.project).cycles.map((cycle): RawFinding => {
      const implicit = cycle.filter((e) => e.kind !== 'depends_on').map((e) => `"${e.from}" → "${e.to}" through ${e.kind}`);
      const how = implicit.length > 0 ? ` (${implicit.join(', ')})` : '';
      // Located where `up` reports it (startupLevels): the dependency that closes the cycle, back to
      // its first service, which is also the one the fix suggests removing.
      const last = cycle[cycle.length - 1]!;
      return {
        path: last.path,
        message: `dependency cycle: ${cycleNames(cycle).join(' → ')}${how}; compose cannot order these services and refuses to start the project`,
        fix: `remove one dependency of the cycle, e.g. "${last.from}" on "${last.to}"`,
      };
    });
  },
});
