import { createRule } from '../create-rule.js';
import { diagnosticFindings, hasProjectDotenv } from './shared.js';

export default createRule({
  id: 'unset-variable',
  severity: 'high',
  category: 'validation',
  docs: {
    summary: 'A `${VAR}` has no value in the environment or `.env`, and no default.',
    why:
      'Compose replaces it with an empty string and only prints a warning: an image tag becomes `app:`, a password ' +
      'becomes empty, a port mapping loses its host port. The project starts, but not as written.',
    fix: 'Set the variable in `.env` or the environment, give it a default (`${TAG:-1.4.2}`), or make it required (`${DB_PASSWORD:?set DB_PASSWORD}`).',
    example: 'services:\n  api:\n    image: "registry.example.com/api:${API_TAG}"\n',
  },
  check: (ctx) => {
    const deployTime = !hasProjectDotenv(ctx);
    return diagnosticFindings(ctx, ['unset-variable'], (d) => {
      const name = /the "([^"]+)" variable/.exec(d.message)?.[1] ?? 'VAR';
      return {
        ...(deployTime ? { severity: 'low' as const, message: `${d.message} (the project has no .env: its value comes from the host that deploys it)` } : {}),
        fix: `set ${name} in .env or in the environment, or give a default: \${${name}:-value} (or require it: \${${name}:?message})`,
      };
    });
  },
});
