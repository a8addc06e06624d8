import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from './exit.js';

export type ManagerModule = typeof import('../manager/index.js');
export type AgentModule = typeof import('../agent/index.js');

/**
 * The manager and the agent, loaded only by the commands that run them, by specifiers esbuild
 * cannot follow: the bundled CLI (dist/shipshape.cjs) must not inline them, because the SQLite
 * driver is a native addon that finds its binary relative to its own file, Fastify's plugins read
 * files next to theirs, and every other command would carry them. From the bundle, the compiled
 * modules are in dist/src/, beside it.
 */
export async function loadManager(): Promise<ManagerModule> {
  return (await import(compiledModule('manager'))) as ManagerModule;
}

export async function loadAgent(): Promise<AgentModule> {
  return (await import(compiledModule('agent'))) as AgentModule;
}

function compiledModule(part: 'manager' | 'agent'): string {
  for (const candidate of [`../${part}/index.js`, `./src/${part}/index.js`]) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url.href;
  }
  throw new UsageError(`the ${part} modules are missing next to the CLI; run \`npm run build\``);
}
