import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { UsageError } from './exit.js';

export type ManagerModule = typeof import('../manager/index.js');
export type AgentModule = typeof import('../agent/index.js');

/**
 * The manager and the agent, loaded only by the commands that run them, by paths esbuild cannot
 * follow: the bundled CLI (dist/shipshape.cjs) must not inline them, because the SQLite driver is a
 * native addon that finds its binary relative to its own file, Fastify's plugins read files next
 * to theirs, and every other command would carry them. From the bundle, the compiled modules are
 * in dist/src/, beside it.
 *
 * They are required, not imported: Node ≥ 20.19 requires ES modules, and the bundle runs as a
 * `vm.Script` (bin/load-bundle.js), where `import()` would need an experimental loader hook.
 */
export function loadManager(): Promise<ManagerModule> {
  return Promise.resolve(requireCompiled('manager') as ManagerModule);
}

export function loadAgent(): Promise<AgentModule> {
  return Promise.resolve(requireCompiled('agent') as AgentModule);
}

const requireHere = createRequire(import.meta.url);

function requireCompiled(part: 'manager' | 'agent'): unknown {
  for (const candidate of [`../${part}/index.js`, `./src/${part}/index.js`]) {
    const file = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(file)) return requireHere(file);
  }
  throw new UsageError(`the ${part} modules are missing next to the CLI; run \`npm run build\``);
}
