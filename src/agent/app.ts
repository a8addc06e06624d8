import Fastify, { type FastifyServerOptions } from 'fastify';
import { challenge, HttpError, installPlumbing, loggerOptions as httpLoggerOptions, presentedKey, serverOptions, unauthorized } from '../http/index.js';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HeartbeatResponse, HostRevokedResponse } from '../contract/index.js';
import { createDockerClient, type DockerClient } from '../docker/index.js';
import { TLSSocket } from 'node:tls';
import { isManagerClientCertificate } from '../pki/index.js';
import { managerTlsOptions, writeEnrollment, type Enrollment } from './enrollment.js';
import { KeyHolder } from './key-holder.js';
import type { AgentConfig } from './config.js';
import type { AgentApp, AgentContext } from './context.js';
import { EngineMonitor } from './engine-monitor.js';
import { shapeOf, translateDockerError } from './errors.js';
import { Heartbeat, type HeartbeatOptions } from './heartbeat.js';
import { ImageScanner } from './image-scans.js';
import { HostStatus } from './host-status.js';
import { LimitGuard } from './limits.js';
import { AgentMetrics } from './metrics.js';
import { PackageStore } from './package-store.js';
import { hostProbe, type ResourceProbe } from './resources.js';
import { compatRoutes } from './routes/compat.js';
import { containerRoutes } from './routes/containers.js';
import { fileRoutes } from './routes/files.js';
import { fleetRoutes } from './routes/fleet.js';
import { imageRoutes } from './routes/images.js';
import { stackRoutes } from './routes/stacks.js';
import { systemRoutes } from './routes/system.js';
import { StackManager } from './stacks.js';
import { endOpenStreams } from './streaming.js';
import { prepareWorkDirs, workDirs } from './work-dirs.js';

export interface AgentOptions {
  config: AgentConfig;
  /** Reported in /health, /system/info and heartbeats. */
  version: string;
  /** Where the JSON log lines go (default stdout); false for no log at all. */
  logStream?: NodeJS.WritableStream | false;
  /** Default: a client for `config.dockerHost`. */
  docker?: DockerClient;
  /** Default: the host's own figures. Tests give fixed ones to exercise the CPU and memory limits. */
  probe?: ResourceProbe;
  heartbeat?: Pick<HeartbeatOptions, 'timeoutMs' | 'maxBackoffMs' | 'random'> & { intervalMs?: number };
  /** How long an uploaded package waits for a deploy. */
  packageTtlMs?: number;
  /**
   * The enrollment read from WORK_DIR: the agent then serves HTTPS with its certificate, wants
   * the manager's client certificate with every call, takes its key and its manager from here,
   * and follows the manager's word on its key (docs/agent.md, "Enrollment").
   */
  enrollment?: Enrollment;
  /** Overrides REFUSAL_LIMIT (0: tests that send many bad requests on purpose). */
  refusalLimit?: number;
}

/** How often a start-up recovery the engine held up is tried again. */
const RECOVERY_RETRY_MS = 5_000;

/** A connection whose client certificate the pinned CA verified and that is the manager's. */
function isFromManager(socket: unknown): boolean {
  return socket instanceof TLSSocket && socket.authorized && isManagerClientCertificate(socket.getPeerCertificate());
}

/**
 * Builds the agent (docs/agent.md) without listening: tests drive it with `app.inject()`,
 * `server.ts` puts it on a port. WORK_DIR is prepared and heartbeats start when the app is
 * ready; heartbeats and the package sweeper stop when it closes.
 */
export function buildAgent(options: AgentOptions): AgentApp {
  const { config } = options;
  const loggerOptions: FastifyServerOptions['logger'] =
    options.logStream === false ? false : httpLoggerOptions(config.logLevel, options.logStream ? { stream: options.logStream } : {});
  const enrollment = options.enrollment;
  const https = enrollment
    ? // Client certificates are asked for, not required at the handshake: GET /health stays open to
      // anyone; every other route checks for the manager's below.
      { https: { key: enrollment.privateKey, cert: enrollment.certificate, ca: [enrollment.caCertificate], requestCert: true, rejectUnauthorized: false } }
    : {};
  const app = Fastify({
    ...https,
    logger: loggerOptions,
    ...serverOptions(),
    // The default is 1 MiB; routes that take packages raise it for themselves.
    bodyLimit: 1 << 20,
  } as FastifyServerOptions).withTypeProvider<TypeBoxTypeProvider>() as unknown as AgentApp;

  const docker = options.docker ?? createDockerClient({ host: config.dockerHost });
  const probe = options.probe ?? hostProbe();
  const dirs = workDirs(config.workDir);
  const engine = new EngineMonitor(docker, app.log);
  const metrics = new AgentMetrics();
  // Called only once the app runs, after `stacks` below exists.
  const host: HostStatus = new HostStatus(docker, engine, probe, config.workDir, {
    count: () => stacks.count(),
    reports: (listing) => stacks.reports(listing),
    get recoveryDone() {
      return stacks.recoveryDone;
    },
    recover: () => stacks.recover(),
  });
  const limits = new LimitGuard(config, probe, (): Promise<number> => host.runningContainers());
  const policy = { threshold: config.analysisGate, remote: true, allowedHostPaths: config.allowedHostPaths, allowRules: config.gateAllowRules };
  const stacks: StackManager = new StackManager({
    dirs,
    docker,
    limits,
    policy,
    gateConfigFile: config.analysisConfig,
    version: options.version,
    log: app.log.child({ component: 'stacks' }),
  });
  const packages = new PackageStore(dirs, config.packageLimits, options.packageTtlMs);
  const imageScans = new ImageScanner({ docker, advisoriesPath: config.advisoriesPath, intervalMs: config.imageScanInterval * 1000, log: app.log.child({ component: 'image-scans' }) });
  const keys = new KeyHolder(enrollment ? enrollment.serverKey : config.serverKey);
  const managerUrl = enrollment?.managerUrl ?? config.managerUrl;
  const hostId = enrollment?.hostId ?? config.hostId;
  const heartbeatLog = app.log.child({ component: 'heartbeat' });
  const heartbeat: Heartbeat | undefined = managerUrl && hostId && !keys.revoked
    ? new Heartbeat({
        url: `${managerUrl}/hosts/${encodeURIComponent(hostId)}/heartbeat`,
        serverKey: () => keys.current,
        intervalMs: options.heartbeat?.intervalMs ?? config.heartbeatInterval * 1000,
        ...(options.heartbeat?.timeoutMs ? { timeoutMs: options.heartbeat.timeoutMs } : {}),
        ...(options.heartbeat?.maxBackoffMs ? { maxBackoffMs: options.heartbeat.maxBackoffMs } : {}),
        ...(options.heartbeat?.random ? { random: options.heartbeat.random } : {}),
        ...(enrollment ? { tls: managerTlsOptions(enrollment), onAnswer: (status: number, text: string) => followManager(status, text) } : {}),
        collect: () => host.heartbeat(options.version),
        log: heartbeatLog,
        onResult: (ok) => metrics.heartbeat(ok),
      })
    : undefined;

  /**
   * What an enrolled agent learns from a heartbeat's answer. It came over TLS to the pinned CA
   * from the manager's own certificate, so a forged manager cannot hand over a key or revoke one.
   * The key in memory changes first, so the old one stops at once even if WORK_DIR cannot be written.
   */
  const followManager = async (status: number, text: string): Promise<void> => {
    if (!enrollment || !enrollment.managerUrl.startsWith('https://')) return;
    // The contract's answers (HeartbeatResponse, HostRevokedResponse), each field checked before it is believed.
    let answer: { [K in keyof (HeartbeatResponse & HostRevokedResponse)]?: unknown } = {};
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {
      return;
    }
    let changed = false;
    if (status === 200 && typeof answer.server_key === 'string' && answer.server_key.length >= 16 && answer.server_key !== keys.current) {
      keys.replace(answer.server_key);
      heartbeatLog.warn({ hostId }, 'the manager rotated this host\'s key: the old key no longer opens this agent');
      changed = true;
    } else if (status === 410 && answer.revoked === true && !keys.revoked) {
      keys.revoke();
      heartbeatLog.error({ hostId }, 'the manager deleted this host: no key opens this agent any more; enroll it again');
      changed = true;
    }
    if (!changed) return;
    try {
      await writeEnrollment(config.workDir, { ...enrollment, serverKey: keys.current });
    } catch (err) {
      heartbeatLog.error({ err }, `could not record the change in ${config.workDir}`);
    }
  };

  const context: AgentContext = {
    config,
    version: options.version,
    startedAt: Date.now(),
    docker,
    engine,
    probe,
    host,
    metrics,
    limits,
    stacks,
    packages,
    imageScans,
    heartbeat,
    keys,
    enrolled: enrollment !== undefined,
  };
  app.decorate('agent', context);
  let recoveryRetry: NodeJS.Timeout | undefined;

  installPlumbing(app, { shapeOf, translate: translateDockerError, logName: "agent's", refusals: { limit: options.refusalLimit ?? config.refusalLimit, windowMs: config.refusalWindow * 1000 } });
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.public === true) return;
    // An enrolled agent answers the manager only: its client certificate, then the key.
    const fromManager = !enrollment || isFromManager(request.raw.socket);
    if (fromManager && keys.matches(presentedKey(request.headers))) return;
    // Logged by the refusal guard, once per source and window.
    if (shapeOf(request) === 'detail') throw unauthorized('Invalid server key', challenge('shipshape-agent'));
    throw unauthorized(
      fromManager
        ? "Invalid server key: send this host's key as X-Server-Key or Authorization: Bearer"
        : "This agent answers its manager only: the manager's client certificate is required",
      challenge('shipshape-agent'),
    );
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  app.addHook('onReady', async () => {
    await prepareWorkDirs(dirs).catch((err: NodeJS.ErrnoException) => {
      throw new HttpError(500, 'work_dir', `WORK_DIR ${config.workDir} cannot be used: ${err.code ?? err.message}`);
    });
    packages.start();
    const state = await engine.check(0);
    // Deploys and removals a killed agent left unfinished, and stacks without a record (docs/agent.md, "The journal").
    if (!(state.ok && (await stacks.recover()))) {
      // Tried again until the engine lets it finish (heartbeats try too, when there is a manager).
      recoveryRetry = setInterval(() => {
        void stacks.recover().then(
          (done) => done && clearInterval(recoveryRetry),
          (err: unknown) => app.log.error({ err }, 'stack recovery failed'),
        );
      }, RECOVERY_RETRY_MS);
      recoveryRetry.unref();
    }
    app.log.info(
      {
        version: options.version,
        dockerHost: config.dockerHost,
        dockerOk: state.ok,
        workDir: config.workDir,
        managerUrl: managerUrl ?? null,
        hostId: hostId ?? null,
        enrolled: enrollment !== undefined,
        keyRevoked: keys.revoked,
        heartbeatIntervalSeconds: config.heartbeatInterval,
        limits: limits.limits,
        analysisGate: config.analysisGate,
        allowedHostPaths: config.allowedHostPaths,
        gateAllowRules: config.gateAllowRules,
        advisoriesPath: config.advisoriesPath ?? null,
        imageScanIntervalSeconds: config.imageScanInterval,
      },
      'agent ready',
    );
    heartbeat?.start();
    imageScans.start();
  });
  app.addHook('preClose', async () => endOpenStreams(app));
  app.addHook('onClose', async () => {
    clearInterval(recoveryRetry);
    heartbeat?.stop();
    packages.stop();
    await imageScans.stop();
  });

  void app.register(swagger, {
    openapi: {
      info: {
        title: 'Shipshape host agent',
        version: options.version,
        description: 'Manages containers and compose stacks on one Docker host (docs/agent.md). Every route but GET /health wants the host\'s server key.',
      },
      components: {
        securitySchemes: {
          serverKey: { type: 'apiKey', in: 'header', name: 'X-Server-Key' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ serverKey: [] }, { bearer: [] }],
    },
  });
  void app.register(swaggerUi, { routePrefix: '/docs' });
  void app.register(systemRoutes);
  void app.register(containerRoutes);
  void app.register(stackRoutes);
  void app.register(imageRoutes);
  void app.register(fileRoutes);
  void app.register(compatRoutes);
  void app.register(fleetRoutes);
  return app;
}
