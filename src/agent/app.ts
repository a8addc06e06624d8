import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify, { type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createDockerClient, type DockerClient } from '../docker/index.js';
import { keyChecker, presentedKey } from './auth.js';
import type { AgentConfig } from './config.js';
import type { AgentApp, AgentContext } from './context.js';
import { EngineMonitor } from './engine-monitor.js';
import { AgentError, compatBody, errorBody, handleError, isCompatRequest } from './errors.js';
import { Heartbeat, type HeartbeatOptions } from './heartbeat.js';
import { HostStatus } from './host-status.js';
import { LimitGuard } from './limits.js';
import { AgentMetrics } from './metrics.js';
import { PackageStore } from './package-store.js';
import { hostProbe, type ResourceProbe } from './resources.js';
import { compatRoutes } from './routes/compat.js';
import { containerRoutes } from './routes/containers.js';
import { fileRoutes } from './routes/files.js';
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
}

/** Paths whose values never reach a log line. */
const REDACTED = [
  'req.headers["x-server-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers["x-server-key"]',
  'headers.authorization',
  'serverKey',
  'jwtSecret',
  'SERVER_KEY',
  'JWT_SECRET',
  '*.serverKey',
  '*.jwtSecret',
  '*.SERVER_KEY',
  '*.JWT_SECRET',
];

/**
 * Builds the agent (ARCHITECTURE §5) without listening: tests drive it with `app.inject()`,
 * `server.ts` puts it on a port. WORK_DIR is prepared and heartbeats start when the app is
 * ready; heartbeats and the package sweeper stop when it closes.
 */
export function buildAgent(options: AgentOptions): AgentApp {
  const { config } = options;
  const loggerOptions: FastifyServerOptions['logger'] =
    options.logStream === false
      ? false
      : {
          level: config.logLevel,
          redact: { paths: REDACTED, censor: '[redacted]' },
          ...(options.logStream ? { stream: options.logStream } : {}),
        };
  const app = Fastify({
    logger: loggerOptions,
    // An incoming X-Request-Id (from a proxy or the manager) is kept when it is sane, so one id
    // follows a request across hosts.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false } },
    // The default is 1 MiB; routes that take packages raise it for themselves.
    bodyLimit: 1 << 20,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const docker = options.docker ?? createDockerClient({ host: config.dockerHost });
  const probe = options.probe ?? hostProbe();
  const dirs = workDirs(config.workDir);
  const engine = new EngineMonitor(docker, app.log);
  const metrics = new AgentMetrics();
  // Called only once the app runs, after `stacks` below exists.
  const host: HostStatus = new HostStatus(docker, engine, probe, config.workDir, (): Promise<number> => stacks.count());
  const limits = new LimitGuard(config, probe, (): Promise<number> => host.runningContainers());
  const gateConfigFile = config.analysisConfig ?? join(dirs.tmp, 'gate-config.yml');
  const stacks: StackManager = new StackManager({ dirs, docker, limits, gate: config.analysisGate, gateConfigFile, version: options.version, log: app.log.child({ component: 'stacks' }) });
  const packages = new PackageStore(dirs, config.packageLimits, options.packageTtlMs);
  const heartbeat = config.managerUrl && config.hostId
    ? new Heartbeat({
        url: `${config.managerUrl}/hosts/${encodeURIComponent(config.hostId)}/heartbeat`,
        serverKey: config.serverKey,
        intervalMs: options.heartbeat?.intervalMs ?? config.heartbeatInterval * 1000,
        ...(options.heartbeat?.timeoutMs ? { timeoutMs: options.heartbeat.timeoutMs } : {}),
        ...(options.heartbeat?.maxBackoffMs ? { maxBackoffMs: options.heartbeat.maxBackoffMs } : {}),
        ...(options.heartbeat?.random ? { random: options.heartbeat.random } : {}),
        collect: () => host.heartbeat(options.version),
        log: app.log.child({ component: 'heartbeat' }),
        onResult: (ok) => metrics.heartbeat(ok),
      })
    : undefined;

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
    heartbeat,
  };
  app.decorate('agent', context);

  const keyMatches = keyChecker(config.serverKey);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (request.routeOptions.config?.public === true) return;
    if (keyMatches(presentedKey(request.headers))) return;
    request.log.warn({ ip: request.ip, url: request.url }, 'refused: missing or wrong server key');
    reply.code(401).header('www-authenticate', 'Bearer realm="shipshape-agent"');
    const refusal = new AgentError(401, 'unauthorized', 'Invalid server key: send this host\'s key as X-Server-Key or Authorization: Bearer');
    if (isCompatRequest(request)) return reply.send({ detail: 'Invalid server key' });
    return reply.send(errorBody(refusal));
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const error = new AgentError(404, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`);
    if (isCompatRequest(request)) return reply.code(404).send(compatBody(new AgentError(404, 'not_found', 'Not Found')).body);
    return reply.code(404).send(errorBody(error));
  });

  app.addHook('onReady', async () => {
    await prepareWorkDirs(dirs).catch((err: NodeJS.ErrnoException) => {
      throw new AgentError(500, 'work_dir', `WORK_DIR ${config.workDir} cannot be used: ${err.code ?? err.message}`);
    });
    if (!config.analysisConfig) await writeFile(gateConfigFile, '# The analysis gate re-grades no rule; set ANALYSIS_CONFIG to change that.\n');
    packages.start();
    const state = await engine.check(0);
    app.log.info(
      {
        version: options.version,
        dockerHost: config.dockerHost,
        dockerOk: state.ok,
        workDir: config.workDir,
        managerUrl: config.managerUrl ?? null,
        hostId: config.hostId ?? null,
        heartbeatIntervalSeconds: config.heartbeatInterval,
        limits: limits.limits,
        analysisGate: config.analysisGate,
      },
      'agent ready',
    );
    heartbeat?.start();
  });
  app.addHook('preClose', async () => endOpenStreams(app));
  app.addHook('onClose', async () => {
    heartbeat?.stop();
    packages.stop();
  });

  void app.register(swagger, {
    openapi: {
      info: {
        title: 'Shipshape host agent',
        version: options.version,
        description: 'Manages containers and compose stacks on one Docker host (ARCHITECTURE §5). Every route but GET /health wants the host\'s server key.',
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
  return app;
}
