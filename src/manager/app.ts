import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv, type Options as AjvOptions } from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { dashboardRoutes } from '../web/index.js';
import { HttpAgentClient, type AgentClient } from './agent-client.js';
import { AuditLog } from './audit.js';
import type { ManagerConfig } from './config.js';
import type { ManagerContext } from './context.js';
import { Deployer } from './deployer.js';
import { EventBus } from './events.js';
import { ensureFirstAdmin, type InitialAdmin } from './first-admin.js';
import { installErrorHandlers } from './http/errors.js';
import './http/fastify-types.js';
import { installAuthentication, SESSION_COOKIE } from './http/guard.js';
import { ManagerMetrics } from './metrics.js';
import { Monitor } from './monitor.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { deploymentRoutes } from './routes/deployments.js';
import { eventRoutes } from './routes/events.js';
import { hostRoutes } from './routes/hosts.js';
import { metaRoutes } from './routes/meta.js';
import { userRoutes } from './routes/users.js';
import { generateSecret } from './security/keys.js';
import { openRepository } from './storage/open.js';
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
  /** Rate-limit the auth routes (default true). */
  rateLimit?: boolean;
  /** Relative SQLite paths resolve against it. */
  cwd?: string;
  /** How long a deployment in flight stays claimed without renewal (default 30 s). */
  deploymentLeaseMs?: number;
  /** How often the monitor settles deployments whose manager died (default 10 s). */
  reconcileEveryMs?: number;
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
}

/** Log fields that must never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers["x-admin-key"]',
  'req.headers["x-server-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.new_password',
  '*.current_password',
  '*.admin_key',
  '*.server_key',
  '*.serverKey',
];

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

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

  const app = Fastify({
    ...loggerOptions(options.logger, config),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true },
    trustProxy: config.trustProxy,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler());

  const repo = await openRepository(config.databaseUrl, { cwd: options.cwd, onError: (err) => app.log.error({ err }, 'database connection error') });
  try {
    const secret = config.jwtSecret ?? (await repo.putSettingIfAbsent('jwt_secret', generateSecret()));
    const initialAdmin = await ensureFirstAdmin(repo, config, now());
    if (initialAdmin) app.log.warn({ email: initialAdmin.email, generated: initialAdmin.generated }, 'created the first admin');

    const events = new EventBus(repo.notifications, (err) => app.log.warn({ err }, 'could not relay an event'));
    const metrics = new ManagerMetrics(repo, now);
    const audit = new AuditLog(repo, app.log, now);
    const deployer = new Deployer({
      repo,
      agents: options.agents ?? new HttpAgentClient(),
      events,
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
      reconcileEveryMs: options.reconcileEveryMs,
    });
    const ctx: ManagerContext = { config, repo, secret, now, events, audit, metrics, deployer, version, instanceId };

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

    installErrorHandlers(app);
    installAuthentication(app, ctx);
    app.addHook('onRequest', async (request, reply) => {
      reply.header('x-request-id', request.id);
    });
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
    await app.register(deploymentRoutes, { ctx });
    await app.register(eventRoutes, { ctx });
    await app.register(auditRoutes, { ctx });
    await app.register(dashboardRoutes);

    app.addHook('onReady', async () => {
      await events.start();
      // One manager per SQLite file: whatever was in flight belonged to a previous run.
      if (repo.dialect === 'sqlite') await repo.releaseForeignLeases(instanceId);
      if (options.monitor ?? true) monitor.start();
    });
    app.addHook('onClose', async () => {
      await monitor.stop();
      await deployer.close();
      await repo.close();
    });

    return { app, repo, deployer, monitor, events, initialAdmin, instanceId, context: ctx };
  } catch (err) {
    await repo.close().catch(() => undefined);
    throw err;
  }
}

/**
 * Query strings and paths are text, so their numbers and booleans are coerced; JSON bodies are
 * typed already and taken as they are: `"max_containers": "10"` or an unknown field is an error,
 * not something to guess about.
 */
function validatorCompiler() {
  const base: AjvOptions = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false };
  const body = addFormats.default(new Ajv({ ...base, coerceTypes: false }));
  const text = addFormats.default(new Ajv({ ...base, coerceTypes: 'array' }));
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) => (httpPart === 'body' ? body : text).compile(schema);
}

function loggerOptions(logger: BuildManagerOptions['logger'], config: ManagerConfig): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  if (logger !== undefined && typeof logger === 'object' && logger !== null && 'info' in logger && typeof logger.info === 'function') {
    return { loggerInstance: logger as FastifyBaseLogger };
  }
  if (logger === false) return { logger: false };
  const given = typeof logger === 'object' && logger !== null ? logger : {};
  return { logger: { level: config.logLevel, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, ...given } };
}
