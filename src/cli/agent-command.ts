import { readEnvFile } from './env-file.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { EXIT } from './exit.js';
import { VERSION } from './version.js';

interface AgentCliOptions {
  envFile?: string;
  port?: string;
  host?: string;
}

export function registerAgentCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('agent')
    .description('Run the host agent: containers and compose stacks of this Docker host over HTTP (port 8003)')
    .option('--env-file <file>', 'settings file (default: ./.env when there is one); the environment wins over it')
    .option('-p, --port <port>', 'port to listen on (overrides API_PORT)')
    .option('--host <address>', 'address to listen on (overrides API_HOST, default 0.0.0.0)')
    .addHelpText(
      'after',
      '\nSettings (environment or .env): SERVER_KEY (required), MANAGER_URL, HOST_ID, HEARTBEAT_INTERVAL, API_PORT, API_HOST,\n' +
        'DOCKER_SOCKET, WORK_DIR, MAX_CONTAINERS, MAX_CPU_PERCENT, MAX_MEMORY_PERCENT, ANALYSIS_GATE, ANALYSIS_CONFIG,\n' +
        'PACKAGE_MAX_MB, PACKAGE_MAX_EXPANDED_MB, PACKAGE_MAX_FILES, PACKAGE_MAX_RATIO, LOG_LEVEL. See docs/agent.md.\n',
    )
    .action(async (options: AgentCliOptions) => {
      const agent = await loadAgent();
      const env = agent.mergeDotenv(process.env, readEnvFile(options.envFile));
      if (options.port !== undefined) env.API_PORT = options.port;
      if (options.host !== undefined) env.API_HOST = options.host;
      const parsed = agent.parseAgentConfig(env);
      if (!parsed.ok) {
        for (const problem of parsed.problems) process.stderr.write(`shipshape agent: ${problem.message}\n`);
        setExit(EXIT.usage);
        return;
      }
      const { config } = parsed;
      let running: Awaited<ReturnType<typeof agent.startAgent>>;
      try {
        running = await agent.startAgent({ config, version: VERSION });
      } catch (err) {
        process.stderr.write(`shipshape agent: ${startFailure(err, config.apiHost, config.apiPort)}\n`);
        setExit(EXIT.usage);
        return;
      }
      await untilSignalled();
      await running.close();
    });
}

type AgentModule = typeof import('../agent/index.js');

/**
 * The agent, loaded only by this command. Its specifier is computed so that esbuild leaves it
 * out of the bundled CLI (dist/shipshape.mjs): Fastify's plugins read files next to their own
 * modules, which a bundle does not have, and every other command would parse megabytes it never
 * runs. From the bundle the compiled modules are in dist/src/, next to it.
 */
async function loadAgent(): Promise<AgentModule> {
  for (const candidate of ['../agent/index.js', './src/agent/index.js']) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return (await import(url.href)) as AgentModule;
  }
  throw new Error('the agent modules are missing next to the CLI; run `npm run build`');
}

/** Why the agent could not start, naming the setting to change. */
function startFailure(err: unknown, host: string, port: number): string {
  const e = err as NodeJS.ErrnoException & { code?: string };
  switch (e.code) {
    case 'EADDRINUSE':
      return `cannot listen on ${host}:${port}: the port is in use (API_PORT)`;
    case 'EACCES':
      return `cannot listen on ${host}:${port}: permission denied; ports below 1024 need root (API_PORT)`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `cannot listen on ${host}:${port}: no such address on this host (API_HOST)`;
    default:
      return e.message ?? String(err);
  }
}

/** Resolves on the first SIGINT or SIGTERM, after which the agent closes gracefully. */
function untilSignalled(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
