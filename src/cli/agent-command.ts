import { readEnvFile } from './env-file.js';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { readSecretFiles } from '../settings/index.js';
import { EXIT } from './exit.js';
import { loadAgent, type AgentModule } from './server-modules.js';
import { VERSION } from './version.js';

interface AgentCliOptions {
  envFile?: string;
  port?: string;
  host?: string;
  enroll?: string;
  manager?: string;
  address?: string;
  insecure?: boolean;
}

export function registerAgentCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('agent')
    .description('Run the host agent: containers and compose stacks of this Docker host over HTTP (port 8003)')
    .option('--env-file <file>', 'settings file (default: ./.env when there is one); the environment wins over it')
    .option('-p, --port <port>', 'port to listen on (overrides API_PORT)')
    .option('--host <address>', 'address to listen on (overrides API_HOST, default 0.0.0.0)')
    .option('--enroll <token>', 'register this host with the manager using a token from POST /hosts/enrollment-tokens, store its identity in WORK_DIR, and exit')
    .option('--manager <url>', "the manager's https:// URL, with --enroll")
    .option('--address <ip>', 'with --enroll: where the manager reaches this agent (default: the address the manager sees)')
    .option('--insecure', 'allow plain HTTP on an address other machines reach (INSECURE_HTTP=true)')
    .addHelpText(
      'after',
      '\nAn enrolled agent (--enroll) starts from WORK_DIR alone. Otherwise SERVER_KEY is required, with MANAGER_URL and HOST_ID for heartbeats.\n' +
        'Settings (environment or .env): SERVER_KEY, MANAGER_URL, HOST_ID, HEARTBEAT_INTERVAL, API_PORT, API_HOST, INSECURE_HTTP,\n' +
        'ENROLL_TOKEN (+ MANAGER_URL, ENROLL_ADDRESS, ENROLL_HOSTNAME: enroll on the first start), SERVER_KEY_FILE and ENROLL_TOKEN_FILE,\n' +
        'DOCKER_SOCKET, WORK_DIR, MAX_CONTAINERS, MAX_CPU_PERCENT, MAX_MEMORY_PERCENT, ANALYSIS_GATE, ANALYSIS_CONFIG,\n' +
        'PACKAGE_MAX_MB, PACKAGE_MAX_EXPANDED_MB, PACKAGE_MAX_FILES, PACKAGE_MAX_RATIO, LOG_LEVEL,\n' +
        'ADVISORIES_PATH and IMAGE_SCAN_INTERVAL (image scans: docs/scan.md). See docs/agent.md.\n',
    )
    .action(async (options: AgentCliOptions) => {
      const agent = await loadAgent();
      const secrets = readSecretFiles(agent.mergeDotenv(process.env, readEnvFile(options.envFile)), ['SERVER_KEY', 'ENROLL_TOKEN']);
      if (secrets.problems.length > 0) {
        for (const problem of secrets.problems) process.stderr.write(`shipshape agent: ${problem}\n`);
        setExit(EXIT.usage);
        return;
      }
      const { env } = secrets;
      if (options.port !== undefined) env.API_PORT = options.port;
      if (options.host !== undefined) env.API_HOST = options.host;
      if (options.insecure) env.INSECURE_HTTP = 'true';
      const fail = (message: string) => {
        process.stderr.write(`shipshape agent: ${message}\n`);
        setExit(EXIT.usage);
      };
      if ((options.enroll === undefined) !== (options.manager === undefined)) return fail('--enroll and --manager go together');
      // WORK_DIR and the listen settings, read before anything else: an enrolled agent needs no more.
      const base = agent.parseAgentConfig(env, { enrolled: true });
      if (!base.ok) {
        for (const problem of base.problems) process.stderr.write(`shipshape agent: ${problem.message}\n`);
        setExit(EXIT.usage);
        return;
      }
      // ENROLL_TOKEN (or its _FILE) with MANAGER_URL: enroll on the first start, then serve, as a
      // DaemonSet's pods do on each node (docs/deploy.md, "Kubernetes"); a later start finds WORK_DIR enrolled.
      let enrollOnStart = false;
      if (options.enroll === undefined && env.ENROLL_TOKEN?.trim()) {
        let existing: ReturnType<AgentModule['readEnrollment']>;
        try {
          existing = agent.readEnrollment(base.config.workDir);
        } catch (err) {
          return fail((err as Error).message);
        }
        if (!existing) {
          if (!env.MANAGER_URL?.trim()) return fail('ENROLL_TOKEN needs MANAGER_URL, the manager to enroll with');
          options.enroll = env.ENROLL_TOKEN.trim();
          options.manager = env.MANAGER_URL.trim();
          if (!options.address && env.ENROLL_ADDRESS?.trim()) options.address = env.ENROLL_ADDRESS.trim();
          enrollOnStart = true;
        }
        delete env.MANAGER_URL;
      }
      if (options.enroll !== undefined && options.manager !== undefined) {
        try {
          const enrolled = await agent.enroll({
            token: options.enroll,
            managerUrl: options.manager,
            workDir: base.config.workDir,
            // A pod's host name is its own; a DaemonSet names the node (docs/deploy.md, "Kubernetes").
            hostname: env.ENROLL_HOSTNAME?.trim() || hostname(),
            apiPort: base.config.apiPort || 8003,
            ...(options.address ? { address: options.address } : {}),
            ...(base.config.maxContainers ? { maxContainers: base.config.maxContainers } : {}),
          });
          process.stdout.write(
            `Enrolled as host ${enrolled.hostId} at ${enrolled.managerUrl} (manager CA pinned: sha256 ${enrolled.caSha256}).\n` +
              (enrollOnStart ? '' : `Its key, certificate and the pin are in ${join(base.config.workDir, agent.ENROLLMENT_FILE)}; start the agent with: shipshape agent\n`),
          );
        } catch (err) {
          return fail(err instanceof agent.EnrollmentError ? err.message : `enrollment failed: ${(err as Error).message}`);
        }
        if (!enrollOnStart) return;
      }
      let enrollment: ReturnType<AgentModule['readEnrollment']>;
      try {
        enrollment = agent.readEnrollment(base.config.workDir);
      } catch (err) {
        return fail((err as Error).message);
      }
      const parsed = enrollment ? base : agent.parseAgentConfig(env);
      if (!parsed.ok) {
        for (const problem of parsed.problems) process.stderr.write(`shipshape agent: ${problem.message}\n`);
        setExit(EXIT.usage);
        return;
      }
      const { config } = parsed;
      if (enrollment) {
        for (const name of ['SERVER_KEY', 'MANAGER_URL', 'HOST_ID']) {
          if (env[name]) process.stderr.write(`shipshape agent: ${name} is ignored: this agent is enrolled (${join(config.workDir, agent.ENROLLMENT_FILE)})\n`);
        }
        if (!env.HEARTBEAT_INTERVAL) config.heartbeatInterval = enrollment.heartbeatInterval;
      }
      let running: Awaited<ReturnType<typeof agent.startAgent>>;
      try {
        running = await agent.startAgent({ config, version: VERSION, ...(enrollment ? { enrollment } : {}) });
      } catch (err) {
        process.stderr.write(`shipshape agent: ${startFailure(err, config.apiHost, config.apiPort)}\n`);
        setExit(EXIT.usage);
        return;
      }
      await untilSignalled();
      await running.close();
    });
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
