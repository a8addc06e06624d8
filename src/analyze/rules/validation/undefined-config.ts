import { createRule } from '../create-rule.js';
import { diagnosticFindings } from './shared.js';

export default createRule({
  id: 'undefined-config',
  severity: 'high',
  category: 'validation',
  docs: {
    summary: 'A service uses a config that the top-level `configs:` section does not declare.',
    why: 'Compose refuses to start the project ("service refers to undefined config"), and the service would not get its configuration file.',
    fix: 'Declare the config under the top-level `configs:` with its `file:`, `content:`, `environment:` or `external: true`.',
    example: 'services:\n  proxy:\n    image: nginx:1.27\n    configs: [nginx_conf]\n',
  },
  check: (ctx) =>
    diagnosticFindings(ctx, ['undefined-config'], (d) => {
      const config = /uses config "([^"]+)"/.exec(d.message)?.[1] ?? 'NAME';
      return { fix: `declare it at the top level: \`configs: {${config}: {file: ./${config}}}\`` };
    }),
});
