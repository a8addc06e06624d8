import { createRequire } from 'node:module';

/**
 * The compose-schema validator that `scripts/build-schema.mjs` generates as `schema/validate.js`
 * beside this module, loaded synchronously (Node ≥ 20.19 requires ES modules) so that loading
 * the compose model never waits at import. It throws when the file is absent: sources run
 * without `npm run build` compile the schema instead.
 *
 * The bundled CLI replaces this module with one that imports the generated file, so that the
 * validator is inside the bundle and its code cache (docs/benchmarks.md, "The CLI is bundled").
 */
export function loadGeneratedValidator(): unknown {
  return createRequire(import.meta.url)('./schema/validate.js');
}
