import { createRule } from '../create-rule.js';
import { diagnosticFindings } from './shared.js';

export default createRule({
  id: 'undefined-secret',
  severity: 'high',
  category: 'validation',
  docs: {
    summary: 'A service uses a secret that the top-level `secrets:` section does not declare.',
    why: 'Compose refuses to start the project ("service refers to undefined secret"), and the service would not get its credential.',
    fix: 'Declare the secret under the top-level `secrets:` with its `file:`, `environment:` or `external: true`.',
    example: 'services:\n  db:\n    image: postgres:16\n    secrets: [db_password]\n',
  },
  check: (ctx) =>
    diagnosticFindings(ctx, ['undefined-secret'], (d) => {
      const secret = /uses secret "([^"]+)"/.exec(d.message)?.[1] ?? 'NAME';
      return { fix: `declare it at the top level: \`secrets: {${secret}: {file: ./secrets/${secret}.txt}}\`` };
    }),
});
