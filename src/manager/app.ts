import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { installPlumbing, loggerOptions as httpLoggerOptions, serverOptions } from '../http/index.js';
import { dashboardRoutes } from '../web/index.js';
import { HttpAgentClient, type AgentClient } from './agent-client.js';
import { AuditLog } from './audit.js';
import { servesTls, type ManagerConfig } from './config.js';
import type { ManagerContext } from './context.js';
import { Deployer } from './deployer.js';
import { EventBus } from './events.js';
import { HostHistory } from './host-history.js';
import { ensureFirstAdmin, type InitialAdmin } from './first-admin.js';
import { shapeOf } from './http/errors.js';
import { EventStreams } from './http/index.js';
import './http/fastify-types.js';
import { installAuthentication, SESSION_COOKIE } from './http/guard.js';
import { ManagerMetrics } from './metrics.js';
import { Fleet } from './fleet/index.js';
import { Monitor } from './monitor.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { deploymentRoutes } from './routes/deployments.js';
import { enrollmentRoutes } from './routes/enrollment.js';
import { eventRoutes } from './routes/events.js';
import { hostDetailRoutes } from './routes/host-detail.js';
import { fleetRoutes } from './routes/fleet.js';
import { hostRoutes } from './routes/hosts.js';
import { metaRoutes } from './routes/meta.js';
import { previewRoutes } from './routes/preview.js';
import { userRoutes } from './routes/users.js';
import { generateSecret, LoginBackoff } from './security/index.js';
import { openRepository } from './storage/open.js';
import { ManagerTls } from './tls.js';
import type { Repository } from './storage/repository.js';

export interface BuildManagerOptions {
  config: ManagerConfig;
  /** Pino options, `false` for silence, or a logger to use as it is. Default: JSON at config.logLevel. */
  logger?: boolean | FastifyServerOptions['logger'] | FastifyBaseLogger;
  /** How the manager reaches agents (tests pass fakes). */
  agents?: AgentClient;
  /** Milliseconds since the epoch (tests move time). */
  now?: () => number;
  version?: string;
  /** Run the offline monitor (default true). */
  monitor?: boolean;
  /** Rate-limit the auth routes and refused requests (default true). */
  rateLimit?: boolean;
  /** Relative SQLite paths resolve against it. */
  cwd?: string;
  /** How long a deployment in flight stays claimed without renewal (default 30 s). */
  deploymentLeaseMs?: number;
  /** How often the monitor reconciles deployments nobody waits on (default OFFLINE_AFTER / 3). */
  reconcileEveryMs?: number;
  /** Milliseconds before a failed webhook delivery is tried again, doubled each time (default 2 s). */
  alertRetryBaseMs?: number;
}

export interface Manager {
  app: FastifyInstance;
  repo: Repository;
  deployer: Deployer;
  monitor: Monitor;
  events: EventBus;
  /** The admin created at this start, if one was; its password only when generated. */
  initialAdmin: InitialAdmin | undefined;
  instanceId: string;
  /** What the routes share (the signing secret among it): for embedding code such as `npm start`. */
  context: ManagerContext;
  /** What the app serves once it listens. */
  scheme: 'http' | 'https';
}

/**
 * The manager as a Fastify app: storage opened and migrated, the first admin ensured, routes,
 * OpenAPI at /docs, the dashboard at /, and the offline monitor started once the app is ready.
 * `app.close()` stops everything and closes the database.
 */
export async function buildManager(options: BuildManagerOptions): Promise<Manager> {
  const { config } = options;
  const now = options.now ?? Date.now;
  const version = options.version ?? '0.0.0';
  const instanceId = randomUUID();

  // The log exists once the app does, which needs the certificates, which live in the database.
  let log: FastifyBaseLogger | undefined;
  const repo = await openRepository(config.databaseUrl, { cwd: options.cwd, onError: (err) => log?.error({ err }, 'database connection error') });
  try {
    const tls = new ManagerTls(repo, config);
    const https = servesTls(config)
      ? // Client certificates are asked for, not required: browsers and admins have none; the
        // heartbeat route reads an agent's (docs/security.md, "Keys and transport").
        {
          https: {
            ...(await tls.serverCredentials()),
            ca: [(await tls.authority()).certificatePem],
            requestCert: true,
            rejectUnauthorized: false,
          },
        }
      : {};
    const app = Fastify({
      ...loggerOptions(options.logger, config),
      ...https,
      ...serverOptions(),
      routerOptions: { ignoreTrailingSlash: true },
      trustProxy: config.trustProxy,
    } as FastifyServerOptions).withTypeProvider<TypeBoxTypeProvider>();
    log = app.log;
    installPlumbing(app, {
      shapeOf,
      logName: "manager's",
      refusals: { limit: options.rateLimit === false ? 0 : config.refusalLimit, windowMs: config.refusalWindow * 1000 },
    });

    const secret = config.jwtSecret ?? (await repo.putSettingIfAbsent('jwt_secret', generateSecret()));
    const initialAdmin = await ensureFirstAdmin(repo, config, now());
    if (initialAdmin) app.log.warn({ email: initialAdmin.email, generated: initialAdmin.generated }, 'created the first admin');

    const events = new EventBus(repo.notifications, (err) => app.log.warn({ err }, 'could not relay an event'));
    const metrics = new ManagerMetrics(repo, now);
    const audit = new AuditLog(repo, app.log, now, {
      ratePerMinute: config.auditRateLimit,
      retentionMs: config.auditRetentionDays * 86_400_000,
      maxEntries: config.auditMaxEntries,
    });
    const agentTls = async () => ({ ca: (await tls.authority()).certificatePem, ...(await tls.clientCredentials()) });
    const agentClient = options.agents ?? new HttpAgentClient(agentTls);
    const deployer = new Deployer({
      repo,
      agents: agentClient,
      events,
      audit,
      log: app.log,
      now,
      secret,
      instanceId,
      agentTimeoutMs: config.agentTimeout * 1000,
      leaseMs: options.deploymentLeaseMs,
    });
    const monitor = new Monitor({
      repo,
      events,
      audit,
      metrics,
      deployer,
      log: app.log,
      now,
      instanceId,
      offlineAfterMs: config.offlineAfter * 1000,
      intervalMs: config.monitorInterval * 1000,
      // About one agent heartbeat interval (OFFLINE_AFTER is three of them).
      reconcileEveryMs: options.reconcileEveryMs ?? (config.offlineAfter * 1000) / 3,
    });
    const fleet = new Fleet({
      repo,
      config: config.fleet,
      events,
      agents: agentClient instanceof HttpAgentClient ? agentClient : new HttpAgentClient(agentTls),
      deployer,
      secret,
      log: app.log,
      now,
      instanceId,
      poll: options.monitor ?? true,
      alertRetryBaseMs: options.alertRetryBaseMs,
    });
    const logins = new LoginBackoff({ freeFailures: config.loginMaxFailures, maxWaitSeconds: config.loginLockSeconds }, now);
    const ctx: ManagerContext = { config, repo, secret, now, events, audit, metrics, deployer, logins, version, instanceId, tls, fleet, history: new HostHistory(), streams: new EventStreams(config.eventStreamsPerUser) };

    await app.register(cookie);
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) => {
        const error = new Error(`Too many requests; try again in ${Math.ceil(context.ttl / 1000)} s`) as Error & { statusCode: number };
        error.statusCode = context.statusCode;
        return error;
      },
    });
    await app.register(multipart, { limits: { fileSize: config.maxPackageBytes, files: 1 } });
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Shipshape manager',
          version,
          description: 'A fleet of Docker hosts: admin keys, hosts and heartbeats, deployments. Wire-compatible with machine-lab-platform.',
        },
        components: {
          securitySchemes: {
            AdminKey: { type: 'apiKey', in: 'header', name: 'X-Admin-Key', description: 'From POST /auth/login' },
            ServerKey: { type: 'apiKey', in: 'header', name: 'X-Server-Key', description: "The host's key, from POST /hosts" },
            Session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The dashboard session' },
          },
        },
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });

    installAuthentication(app, ctx);
    app.addHook('onResponse', async (request, reply) => {
      metrics.httpDuration.observe(
        { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });

    await app.register(metaRoutes, { ctx });
    await app.register(authRoutes, { ctx, rateLimit: options.rateLimit ?? true });
    await app.register(userRoutes, { ctx });
    await app.register(hostRoutes, { ctx });
    await app.register(hostDetailRoutes, { ctx });
    await app.register(enrollmentRoutes, { ctx, rateLimit: options.rateLimit ?? true });
    await app.register(deploymentRoutes, { ctx });
    await app.register(previewRoutes, { ctx });
    await app.register(eventRoutes, { ctx });
    await app.register(auditRoutes, { ctx });
    await app.register(fleetRoutes, { ctx });
    await app.register(dashboardRoutes);

    app.addHook('onReady', async () => {
      await events.start();
      audit.start();
      // One manager per SQLite file: whatever was in flight belonged to a previous run.
      if (repo.dialect === 'sqlite') await repo.releaseForeignLeases(instanceId);
      if (options.monitor ?? true) monitor.start();
      await fleet.start();
    });
    // preClose: the server waits for open connections before onClose hooks run.
    app.addHook('preClose', async () => ctx.streams.endAll());
    app.addHook('onClose', async () => {
      await monitor.stop();
      await fleet.stop();
      await audit.stop();
      await deployer.close();
      await repo.close();
    });

    return { app: app as unknown as FastifyInstance, repo, deployer, monitor, events, initialAdmin, instanceId, context: ctx, scheme: servesTls(config) ? 'https' : 'http' };
  } catch (err) {
    await repo.close().catch(() => undefined);
    throw err;
  }
}

function loggerOptions(logger: BuildManagerOptions['logger'], config: ManagerConfig): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  if (logger !== undefined && typeof logger === 'object' && logger !== null && 'info' in logger && typeof logger.info === 'function') {
    return { loggerInstance: logger as FastifyBaseLogger };
  }
  if (logger === false) return { logger: false };
  const given = typeof logger === 'object' && logger !== null ? logger : {};
  return { logger: httpLoggerOptions(config.logLevel, given) };
}
