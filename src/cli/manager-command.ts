import { readEnvFile } from './env-file.js';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import http from 'node:http';
import { hostname as machineName } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { listenDecision, readSecretFiles } from '../settings/index.js';
import { EXIT, UsageError } from './exit.js';
import { loadAgent, loadManager, type ManagerModule } from './server-modules.js';
import { VERSION } from './version.js';

interface ManagerCliOptions {
  envFile?: string;
  port?: string;
  host?: string;
  database?: string;
  dataDir?: string;
  localAgent: string;
  agentPort: string;
  insecure?: boolean;
}

export function registerManagerCommand(program: Command, setExit: (code: number) => void): void {
  const managerCommand = program.command('manager');
  managerCommand
    // Options after `backup` or `restore` are theirs.
    .enablePositionalOptions()
    .description('Run the manager: hosts and their heartbeats, deployments, the web dashboard (port 8000)')
    .option('--env-file <file>', 'settings file (default: ./.env when there is one); the environment wins over it')
    .option('-p, --port <port>', 'port to listen on (overrides PORT)')
    .option('--host <address>', 'address to listen on (overrides HOST, default 127.0.0.1)')
    .option('--insecure', 'allow plain HTTP on an address other machines reach (INSECURE_HTTP=true)')
    .option('--database <url>', 'sqlite:<path> or postgres://… (overrides DATABASE_URL)')
    .option('--data-dir <dir>', 'folder of the SQLite database and the local agent (overrides DATA_DIR, default ./data)')
    .option('--local-agent <when>', 'also run an agent for this machine: auto (when a Docker engine answers), on, off', 'off')
    .option('--agent-port <port>', 'port of the local agent', '8003')
    .addHelpText(
      'after',
      '\nSettings (environment or .env): PORT, HOST, DATA_DIR (default ./data), DATABASE_URL (default sqlite:DATA_DIR/shipshape.db),\n' +
        'ADMIN_EMAIL, ADMIN_PASSWORD, JWT_SECRET (each of the last four also as NAME_FILE=path), OFFLINE_AFTER, MONITOR_INTERVAL, ADMIN_KEY_TTL, LOGIN_MAX_FAILURES, LOGIN_LOCK_SECONDS,\n' +
        'LOGIN_RATE_LIMIT, DEPLOY_GATE, MAX_PACKAGE_MB, AGENT_TIMEOUT, TRUST_PROXY, TLS, TLS_NAMES, TLS_CA_CERT, TLS_CA_KEY,\n' +
        'INSECURE_HTTP, LOG_LEVEL. See docs/manager.md.\n',
    )
    .action(async (options: ManagerCliOptions) => {
      if (!['auto', 'on', 'off'].includes(options.localAgent)) throw new UsageError(`--local-agent must be auto, on or off, not "${options.localAgent}"`);
      const agentPort = Number(options.agentPort);
      if (!Number.isInteger(agentPort) || agentPort < 1 || agentPort > 65_535) throw new UsageError(`--agent-port must be a port number, not "${options.agentPort}"`);
      const loaded = await loadWithSettings(options, setExit);
      if (!loaded) return;
      const { manager, env } = loaded;
      if (options.port !== undefined) env.PORT = options.port;
      if (options.host !== undefined) env.HOST = options.host;
      if (options.insecure) env.INSECURE_HTTP = 'true';
      const parsed = manager.parseManagerConfig(env);
      if (!parsed.ok) {
        for (const problem of parsed.problems) process.stderr.write(`shipshape manager: ${problem.message}\n`);
        setExit(EXIT.usage);
        return;
      }
      const { config } = parsed;
      const decision = listenDecision({ host: config.listenHost, tls: manager.servesTls(config), insecure: config.insecure, hint: 'set TLS=on (or TLS=auto)' });
      if (!decision.ok) {
        process.stderr.write(`shipshape manager: ${decision.reason}\n`);
        setExit(EXIT.usage);
        return;
      }

      let built: Awaited<ReturnType<ManagerModule['buildManager']>>;
      try {
        built = await manager.buildManager({ config, version: VERSION });
      } catch (err) {
        process.stderr.write(`shipshape manager: cannot open the database ${manager.redactUrl(config.databaseUrl)}: ${(err as Error).message}\n`);
        setExit(EXIT.usage);
        return;
      }
      // Before listening: compose starts the agent once the manager is healthy, and it reads this file.
      const tokenFile = env.LOCAL_AGENT_TOKEN_FILE?.trim();
      let tokenWritten = false;
      try {
        tokenWritten = tokenFile !== undefined && tokenFile !== '' && (await manager.writeLocalAgentToken(built, tokenFile));
      } catch (err) {
        await built.app.close().catch(() => undefined);
        process.stderr.write(`shipshape manager: cannot write LOCAL_AGENT_TOKEN_FILE ${tokenFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
        setExit(EXIT.usage);
        return;
      }
      try {
        await built.app.listen({ host: config.listenHost, port: config.port });
      } catch (err) {
        await built.app.close().catch(() => undefined);
        process.stderr.write(`shipshape manager: ${listenFailure(err, config.listenHost, config.port)}\n`);
        setExit(EXIT.usage);
        return;
      }
      const address = built.app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const url = `${built.scheme}://${browsableHost(config.listenHost)}:${port}`;
      const lines = [`Shipshape manager ${VERSION} on ${url}  (dashboard: ${url}/, API docs: ${url}/docs, database: ${manager.redactUrl(config.databaseUrl)})`];
      if (built.scheme === 'https') lines.push(`Manager CA (agents pin it when they enroll): sha256 ${(await built.context.tls.authority()).sha256}`);
      if (tokenWritten) lines.push(`Enrollment token for the local agent written to ${tokenFile} (one use, valid for a day)`);
      if (built.initialAdmin?.password) {
        lines.push(`First admin, shown this once:  e-mail ${built.initialAdmin.email}  password ${built.initialAdmin.password}`);
      }

      let agent: { close(): Promise<void> } | undefined;
      if (options.localAgent !== 'off') {
        const started = await startLocalAgent(built, env, `${built.scheme}://127.0.0.1:${port}`, agentPort, config.offlineAfter);
        if (started.ok) {
          agent = started.agent;
          lines.push(`Local agent on ${started.url}, registered as host ${started.hostId} (Docker engine: ${started.engine})`);
        } else if (options.localAgent === 'on') {
          process.stderr.write(`shipshape manager: cannot run the local agent: ${started.reason}\n`);
          await built.app.close();
          setExit(EXIT.usage);
          return;
        } else {
          lines.push(`No local agent: ${started.reason}`);
        }
      }
      process.stdout.write(`${lines.join('\n')}\n`);

      await untilSignalled();
      await agent?.close().catch(() => undefined);
      await built.app.close();
    });
  registerBackupCommands(managerCommand, setExit);
  registerInitSecretsCommand(managerCommand);
}

/**
 * `shipshape manager init-secrets --dir DIR`: the database password and URL a compose deployment
 * shares between PostgreSQL and the manager (deploy/compose.yaml), made once: a file that is
 * there is kept, so running it at every `up` changes nothing.
 */
function registerInitSecretsCommand(managerCommand: Command): void {
  managerCommand
    .command('init-secrets')
    .description('Make the database password and URL and an admin password as files a deployment reads (kept when they exist)')
    .requiredOption('--dir <dir>', 'folder of the secret files (a volume shared with PostgreSQL and the manager)')
    .option('--database-host <host>', "PostgreSQL's host name", 'postgres')
    .option('--database-name <name>', 'database and role name', 'shipshape')
    .action((options: { dir: string; databaseHost: string; databaseName: string }) => {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.databaseName)) throw new UsageError(`--database-name must be a plain lower-case name, not "${options.databaseName}"`);
      if (!/^[A-Za-z0-9.-]{1,253}$/.test(options.databaseHost)) throw new UsageError(`--database-host must be a host name, not "${options.databaseHost}"`);
      mkdirSync(options.dir, { recursive: true, mode: 0o700 });
      const passwordFile = join(options.dir, 'postgres_password');
      const made: string[] = [];
      if (writeOnce(passwordFile, randomBytes(24).toString('base64url'))) made.push('postgres_password');
      const password = readText(passwordFile);
      const url = `postgres://${options.databaseName}:${encodeURIComponent(password)}@${options.databaseHost}:5432/${options.databaseName}`;
      if (writeOnce(join(options.dir, 'database_url'), url)) made.push('database_url');
      // For ADMIN_PASSWORD_FILE where no log shows the generated one (Kubernetes: two replicas).
      if (writeOnce(join(options.dir, 'admin_password'), randomBytes(18).toString('base64url'))) made.push('admin_password');
      process.stdout.write(made.length > 0 ? `Wrote ${made.join(', ')} in ${options.dir}\n` : `The secrets in ${options.dir} are there already; nothing changed\n`);
    });
}

/** Creates `file` (mode 0600) with `text` unless it exists; true when it wrote it. */
function writeOnce(file: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new UsageError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readText(file: string): string {
  return readFileSync(file, 'utf8').trim();
}

/** Secrets may come from files (NAME_FILE); this manager's data lives in DATA_DIR unless DATABASE_URL says otherwise. */
const SECRET_SETTINGS = ['DATABASE_URL', 'ADMIN_EMAIL', 'ADMIN_PASSWORD', 'JWT_SECRET'];

type Settings = { ok: true; env: Record<string, string | undefined> } | { ok: false; problems: string[] };
type SettingsOptions = { envFile?: string; database?: string; dataDir?: string };

/** The manager's modules and its settings; undefined, with each problem printed and exit 2, when they are wrong. */
async function loadWithSettings(
  options: SettingsOptions,
  setExit: (code: number) => void,
): Promise<{ manager: ManagerModule; env: Record<string, string | undefined> } | undefined> {
  const manager = await loadManager();
  const settings = managerSettings(manager, options);
  if (settings.ok) return { manager, env: settings.env };
  for (const problem of settings.problems) process.stderr.write(`shipshape manager: ${problem}\n`);
  setExit(EXIT.usage);
  return undefined;
}

function managerSettings(manager: ManagerModule, options: SettingsOptions): Settings {
  const merged = manager.mergeDotenv(process.env, readEnvFile(options.envFile));
  if (options.dataDir !== undefined) merged.DATA_DIR = options.dataDir;
  if (options.database !== undefined) {
    merged.DATABASE_URL = options.database;
    delete merged.DATABASE_URL_FILE;
  }
  const { env, problems } = readSecretFiles(merged, SECRET_SETTINGS);
  if (problems.length > 0) return { ok: false, problems };
  const dataDir = env.DATA_DIR?.trim() || './data';
  if (!env.DATABASE_URL?.trim()) env.DATABASE_URL = `sqlite:${join(dataDir, 'shipshape.db')}`;
  if (!env.AGENT_WORK_DIR?.trim()) env.AGENT_WORK_DIR = join(dataDir, 'agent');
  return { ok: true, env };
}

interface BackupCliOptions {
  envFile?: string;
  database?: string;
  dataDir?: string;
  to?: string;
  from?: string;
}

/**
 * `shipshape manager backup --to FILE` and `restore --from FILE` (docs/deploy.md, "Backup and
 * restore"): the database the manager would use, with the same settings.
 */
function registerBackupCommands(managerCommand: Command, setExit: (code: number) => void): void {
  const common = (command: Command) =>
    command
      .option('--env-file <file>', 'settings file (default: ./.env when there is one); the environment wins over it')
      .option('--database <url>', 'sqlite:<path> or postgres://… (overrides DATABASE_URL)')
      .option('--data-dir <dir>', 'folder of the SQLite database (overrides DATA_DIR, default ./data)');
  const run = async (options: BackupCliOptions, work: (manager: ManagerModule, databaseUrl: string) => Promise<string | undefined>) => {
    const loaded = await loadWithSettings(options, setExit);
    if (!loaded) return;
    const { manager } = loaded;
    const databaseUrl = loaded.env.DATABASE_URL!;
    try {
      const said = await work(manager, databaseUrl);
      if (said !== undefined) process.stdout.write(`${said}\n`);
    } catch (err) {
      // A driver's message may carry the URL, password included.
      const message = ((err as Error).message ?? String(err)).replace(/([a-z]+:\/\/[^:/@\s]*):[^@\s]*@/gi, '$1:***@');
      process.stderr.write(`shipshape manager: ${message}\n`);
      setExit(err instanceof manager.BackupError ? EXIT.findings : EXIT.usage);
    }
  };
  common(managerCommand.command('backup'))
    .description("Write a consistent backup of the manager's database while managers keep using it")
    .requiredOption('--to <file>', 'the backup file to write (mode 0600: it holds the signing secret and the CA key); - for standard output')
    .action(async (options: BackupCliOptions) =>
      run(options, async (manager, databaseUrl) => {
        const toStdout = options.to === '-';
        const summary = await manager.backupDatabase(databaseUrl, toStdout ? process.stdout : resolve(options.to!));
        const rows = Object.entries(summary.counts).map(([table, n]) => `${table} ${n}`).join(', ');
        const said = `Backed up ${manager.redactUrl(databaseUrl)} (schema ${summary.schemaVersion}) to ${toStdout ? 'standard output' : summary.file}: ${rows}; sha256 ${summary.sha256}`;
        if (!toStdout) return said;
        // Standard output is the backup: the summary goes to standard error.
        process.stderr.write(`${said}\n`);
        return undefined;
      }),
    );
  common(managerCommand.command('restore'))
    .description('Restore a backup onto an empty database, check it, and migrate it to this version')
    .requiredOption('--from <file>', 'a file written by `shipshape manager backup`')
    .action(async (options: BackupCliOptions) =>
      run(options, async (manager, databaseUrl) => {
        const summary = await manager.restoreDatabase(databaseUrl, resolve(options.from!));
        const rows = Object.entries(summary.counts).map(([table, n]) => `${table} ${n}`).join(', ');
        const migrated = summary.migrated.length > 0 ? `; migrated from schema ${summary.schemaVersion} through ${summary.migrated.join(', ')}` : '';
        return `Restored ${resolve(options.from!)} into ${manager.redactUrl(databaseUrl)} and checked it: ${rows}${migrated}`;
      }),
    );
}

type LocalAgentStart =
  | { ok: true; agent: { close(): Promise<void> }; url: string; hostId: string; engine: string }
  | { ok: false; reason: string };

/** An agent for this machine, in this process, registered with the manager (`npm start`). */
async function startLocalAgent(
  built: Awaited<ReturnType<ManagerModule['buildManager']>>,
  env: Record<string, string | undefined>,
  managerUrl: string,
  apiPort: number,
  offlineAfter: number,
): Promise<LocalAgentStart> {
  const dockerHost = env.DOCKER_SOCKET || env.DOCKER_HOST || 'unix:///var/run/docker.sock';
  if (!(await dockerAnswers(dockerHost))) return { ok: false, reason: `no Docker engine answers at ${dockerHost}` };
  const manager = await loadManager();
  const { hostId, serverKey } = await manager.ensureLocalHost(built, { hostname: machineName(), ip: '127.0.0.1', apiPort, maxContainers: 10 });
  const agent = await loadAgent();
  const parsed = agent.parseAgentConfig({
    SERVER_KEY: serverKey,
    MANAGER_URL: managerUrl,
    HOST_ID: hostId,
    API_PORT: String(apiPort),
    API_HOST: '127.0.0.1',
    DOCKER_SOCKET: dockerHost,
    // Three heartbeats fit in OFFLINE_AFTER, as the manager's default expects.
    HEARTBEAT_INTERVAL: String(Math.max(0.1, offlineAfter / 3)),
    WORK_DIR: resolve(env.AGENT_WORK_DIR || join('data', 'agent')),
    LOG_LEVEL: env.LOG_LEVEL,
  });
  if (!parsed.ok) return { ok: false, reason: parsed.problems.map((p) => p.message).join('; ') };
  // Over HTTPS the local agent is called and heartbeats as an enrolled one; over loopback HTTP as before.
  const enrollment =
    built.scheme === 'https' ? await manager.localAgentIdentity(built, { hostId, serverKey }, managerUrl, parsed.config.heartbeatInterval) : undefined;
  if (!enrollment) await built.context.repo.setHostCertificate(hostId, null, Date.now());
  try {
    const running = await agent.startAgent({ config: parsed.config, version: VERSION, ...(enrollment ? { enrollment } : {}) });
    return { ok: true, agent: running, url: running.url, hostId, engine: dockerHost };
  } catch (err) {
    return { ok: false, reason: listenFailure(err, '127.0.0.1', apiPort) };
  }
}

/** GET /_ping on a unix:// or tcp:// engine address, within a second. */
function dockerAnswers(address: string): Promise<boolean> {
  let target: http.RequestOptions;
  try {
    const url = new URL(address);
    if (url.protocol === 'unix:') target = { socketPath: url.pathname };
    else if (url.protocol === 'tcp:' || url.protocol === 'http:') target = { host: url.hostname, port: Number(url.port || 2375) };
    else return Promise.resolve(false);
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((done) => {
    const request = http.get({ ...target, path: '/_ping', timeout: 1000 }, (response) => {
      response.resume();
      done(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => done(false));
  });
}

function browsableHost(listenHost: string): string {
  if (listenHost === '0.0.0.0' || listenHost === '::' || listenHost === '') return 'localhost';
  return listenHost.includes(':') ? `[${listenHost}]` : listenHost;
}

function listenFailure(err: unknown, host: string, port: number): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `cannot listen on ${host}:${port}: the port is in use`;
  if (code === 'EACCES') return `cannot listen on ${host}:${port}: permission denied; ports below 1024 need root`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return `cannot listen on ${host}:${port}: no such address on this machine`;
  return (err as Error).message ?? String(err);
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignalled(): Promise<void> {
  return new Promise((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
