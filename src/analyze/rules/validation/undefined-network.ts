import { createRule } from '../create-rule.js';
import { diagnosticFindings } from './shared.js';

export default createRule({
  id: 'undefined-network',
  severity: 'high',
  category: 'validation',
  docs: {
    summary: 'A service joins a network that the top-level `networks:` section does not declare.',
    why: 'Compose refuses to start the project ("service refers to undefined network"), so none of its services run.',
    fix: 'Declare the network under the top-level `networks:`, or mark it `external: true` when it is created outside the project.',
    example: 'services:\n  api:\n    image: api:1.0\n    networks: [backend]\n',
  },
  check: (ctx) =>
    diagnosticFindings(ctx, ['undefined-network'], (d) => {
      const network = /uses network "([^"]+)"/.exec(d.message)?.[1] ?? 'NAME';
      return {
        fix: `declare it at the top level: \`networks: {${network}: {}}\` (or \`{${network}: {external: true}}\` when it exists outside the project)`,
      };
    }),
});
