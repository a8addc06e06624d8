import { createRule } from '../create-rule.js';
import { diagnosticFindings, editDistance } from './shared.js';

export default createRule({
  id: 'unknown-dependency',
  severity: 'critical',
  category: 'validation',
  docs: {
    summary: 'A service depends on (or shares the network of) a service that the project does not define.',
    why:
      'Compose refuses to start the project ("depends on undefined service"). It usually means a renamed service ' +
      'or a typo, and the start order the author intended is lost.',
    fix: 'Use the name of an existing service, or remove the dependency.',
    example: 'services:\n  api:\n    image: api:1.0\n    depends_on: [databse]\n  database:\n    image: postgres:16\n',
  },
  check: (ctx) =>
    diagnosticFindings(ctx, ['unknown-dependency'], (d) => {
      const missing = /depends on "([^"]+)"|but "([^"]+)" is not/.exec(d.message);
      const name = missing?.[1] ?? missing?.[2] ?? '';
      const known = Object.keys(ctx.project.services);
      const close = closest(name, known);
      return {
        fix: close
          ? `did you mean "${close}"? Use the name of an existing service, or remove the dependency`
          : `use one of the project's services (${known.map((s) => `"${s}"`).join(', ') || 'none'}), or remove the dependency`,
      };
    }),
});

/** The known name within a small edit distance of a misspelled one. */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const k of known) {
    const distance = editDistance(name.toLowerCase(), k.toLowerCase());
    if (distance <= Math.max(1, Math.floor(name.length / 3)) && (!best || distance < best.distance)) best = { name: k, distance };
  }
  return best?.name;
}
