import { hostname, arch, platform, cpus, totalmem, uptime } from 'node:os';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { HealthResponse, SystemInfo, SystemResources } from '../../contract/index.js';
import { errors } from './schemas.js';

/** Health, system information, resources and metrics. */
export const systemRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.agent;
  const agentUptime = () => Math.floor((Date.now() - ctx.startedAt) / 1000);

  app.get(
    '/health',
    {
      config: { public: true },
      // Probed every few seconds by load balancers and health checks: not worth an info line each.
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: 'Whether the agent and its Docker engine work (no key needed)',
        security: [],
        response: { 200: HealthResponse, 503: HealthResponse },
      },
    },
    async (_request, reply) => {
      const engine = await ctx.engine.check();
      const body = {
        status: engine.ok ? ('ok' as const) : ('unavailable' as const),
        docker_ok: engine.ok,
        ...(engine.ok ? {} : { reason: engine.reason ?? 'the Docker engine does not answer' }),
        agent_version: ctx.version,
        uptime_seconds: agentUptime(),
      };
      return reply.code(engine.ok ? 200 : 503).send(body);
    },
  );

  app.get(
    '/system/info',
    { schema: { tags: ['system'], summary: 'The host, the agent, the Docker engine and the limits', response: { 200: SystemInfo, ...errors(401) } } },
    async () => {
      const engine = await ctx.engine.check();
      let docker: SystemInfo['docker'] = { ok: false, reason: engine.reason ?? 'the Docker engine does not answer' };
      if (engine.ok) {
        try {
          const [info, version] = await Promise.all([ctx.docker.info(), ctx.docker.version()]);
          docker = {
            ok: true,
            version: version.Version,
            api_version: version.ApiVersion,
            root_dir: typeof info.DockerRootDir === 'string' ? info.DockerRootDir : undefined,
            storage_driver: typeof info.Driver === 'string' ? info.Driver : undefined,
            operating_system: info.OperatingSystem,
            containers: info.Containers,
            images: info.Images,
          };
        } catch (err) {
          ctx.engine.noteFailure(err);
          docker = { ok: false, reason: (err as Error).message };
        }
      }
      const beat = ctx.heartbeat?.status;
      return {
        host_id: ctx.config.hostId ?? null,
        hostname: hostname(),
        agent_version: ctx.version,
        node_version: process.version,
        platform: platform(),
        arch: arch(),
        cpus: cpus().length,
        memory_bytes: totalmem(),
        uptime_seconds: Math.floor(uptime()),
        agent_uptime_seconds: agentUptime(),
        docker,
        limits: ctx.limits.limits,
        analysis_gate: ctx.config.analysisGate,
        heartbeat: {
          enabled: ctx.heartbeat !== undefined,
          interval_seconds: ctx.config.heartbeatInterval,
          consecutive_failures: beat?.consecutiveFailures ?? 0,
          last_success_at: beat?.lastSuccessAt ? new Date(beat.lastSuccessAt).toISOString() : null,
          last_error: beat?.lastError ?? null,
        },
      };
    },
  );

  app.get(
    '/system/resources',
    {
      schema: {
        tags: ['system'],
        summary: 'CPU, memory, disk of the Docker data directory, load, containers by state, limits',
        response: { 200: SystemResources, ...errors(401) },
      },
    },
    async () => {
      const s = await ctx.host.snapshot();
      return {
        cpu_percent: s.cpuPercent,
        memory: s.memory,
        disk: s.disk ?? null,
        load: s.load,
        containers: s.containers ?? null,
        stacks: s.stacks,
        docker_ok: s.dockerOk,
        limits: ctx.limits.limits,
      };
    },
  );

  app.get(
    '/metrics',
    {
      logLevel: 'warn',
      schema: {
        tags: ['system'],
        summary: 'Prometheus metrics: host gauges, containers by state, HTTP latency, heartbeat results',
        produces: ['text/plain'],
        response: { 200: Type.String(), ...errors(401) },
      },
    },
    async (_request, reply) => {
      const text = await ctx.metrics.render(await ctx.host.snapshot());
      return reply.type(ctx.metrics.contentType).send(text);
    },
  );
};
