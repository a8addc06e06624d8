import type { IncomingMessage } from 'node:http';
import { createInterface } from 'node:readline';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import {
  CONTAINER_REF_PATTERN,
  ContainerLogsQuery,
  FleetMetrics,
  FleetMetricsQuery,
  HostStacks,
  HostMetrics,
  ContainerSummary,
  StackDetail,
  StackSummary,
} from '../../contract/index.js';
import type { ManagerContext } from '../context.js';
import { HISTORY_BUCKET_SECONDS } from '../host-history.js';
import { USER_SECURITY as SECURED, HttpError, notFound } from '../http/index.js';
import type { HostRecord } from '../storage/index.js';

const TAGS = ['hosts'];
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
const LogParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }), ref: Type.String({ pattern: CONTAINER_REF_PATTERN }) });
const AGENT_READ_MS = 15_000;
/** The most stacks whose details one inventory asks the agent for. */
const MAX_STACKS = 200;
const MAX_BUFFERED_BYTES = 4 * 2 ** 20;

/**
 * What the dashboard's host view reads: the last hour of heartbeats (kept by the manager), and
 * the host's stacks, containers and container logs, asked of its agent over the same channel as
 * deployments (docs/dashboard.md).
 */
/** What the agent's answers must be: a host's agent may be hostile, and its answers go to browsers. */
const ANSWERS = {
  stacks: Compile(Type.Array(StackSummary)),
  stack: Compile(StackDetail),
  containers: Compile(Type.Array(ContainerSummary)),
};

export const hostDetailRoutes: FastifyPluginAsyncTypebox<{ ctx: ManagerContext }> = async (app, { ctx }) => {
  const { repo, history, deployer, now } = ctx;
  const agents = ctx.fleet.agents;

  const load = async (id: string): Promise<HostRecord> => {
    const host = await repo.getHost(id);
    if (!host) throw notFound('Host not found');
    return host;
  };

  app.get(
    '/hosts/metrics',
    {
      schema: { tags: TAGS, summary: "Every host's newest heartbeat samples (for sparklines)", security: SECURED, querystring: FleetMetricsQuery, response: { 200: FleetMetrics } },
      config: { access: 'viewer' },
    },
    async (request) => {
      const points = request.query.points ?? 30;
      const hosts: Record<string, ReturnType<typeof history.samples>> = {};
      for (const id of history.hosts()) hosts[id] = history.samples(id, now(), points);
      return { bucket_seconds: HISTORY_BUCKET_SECONDS, hosts };
    },
  );

  app.get(
    '/hosts/:id/metrics',
    {
      schema: { tags: TAGS, summary: "A host's CPU, memory, disk and containers over the last hour", security: SECURED, params: Params, response: { 200: HostMetrics } },
      config: { access: 'viewer' },
    },
    async (request) => {
      const host = await load(request.params.id);
      return { host_id: host.id, bucket_seconds: HISTORY_BUCKET_SECONDS, samples: history.samples(host.id, now()) };
    },
  );

  app.get(
    '/hosts/:id/stacks',
    {
      schema: {
        tags: TAGS,
        summary: "The host's stacks (services, containers, health) and every container, as its agent reports them",
        security: SECURED,
        params: Params,
        response: { 200: HostStacks },
      },
      config: { access: 'viewer' },
    },
    async (request) => {
      const host = await load(request.params.id);
      const target = await deployer.target(host);
      const signal = AbortSignal.timeout(AGENT_READ_MS);
      const [stacks, containers] = await Promise.all([
        agents.call(target, 'GET', '/stacks', undefined, signal, { 200: ANSWERS.stacks }),
        agents.call(target, 'GET', '/containers?all=true', undefined, signal, { 200: ANSWERS.containers }),
      ]);
      for (const result of [stacks, containers]) {
        if (!result.ok) throw new HttpError(502, 'agent_failed', `The host's agent could not list what runs there: ${result.reason}`);
      }
      const summaries = (stacks.body as StackSummary[]).slice(0, MAX_STACKS);
      const details = await Promise.all(
        summaries.map(async (summary) => {
          const detail = await agents.call(target, 'GET', `/stacks/${encodeURIComponent(summary.name)}`, undefined, signal, { 200: ANSWERS.stack });
          return detail.ok ? (detail.body as StackDetail) : { ...summary, services: [], findings: [] };
        }),
      );
      return { host_id: host.id, stacks: details, containers: containers.body as ContainerSummary[] };
    },
  );

  app.get(
    '/hosts/:id/containers/:ref/logs',
    {
      schema: {
        tags: TAGS,
        summary: "A container's output as server-sent events (event: line, then event: end), through its agent",
        security: SECURED,
        params: LogParams,
        querystring: ContainerLogsQuery,
        produces: ['text/event-stream'],
      },
      config: { access: 'operator' },
    },
    async (request, reply) => {
      const host = await load(request.params.id);
      // Counted before the agent is asked, as every event stream is; released on any failure below.
      const release = ctx.streams.reserve(request.principal!.userId);
      const { follow = false, tail = 200 } = request.query;
      const controller = new AbortController();
      const path = `/containers/${encodeURIComponent(request.params.ref)}/logs?tail=${tail}${follow ? '&follow=true' : ''}`;
      let upstream: IncomingMessage;
      try {
        try {
          upstream = await agents.open(await deployer.target(host), path, AbortSignal.any([controller.signal, AbortSignal.timeout(follow ? 2 ** 31 - 1 : AGENT_READ_MS)]), {
            accept: 'application/x-ndjson',
          });
        } catch (err) {
          throw new HttpError(502, 'agent_failed', `The host's agent did not answer: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
        // Ending the agent's answer (the viewer left) fails it with "aborted": expected, and handled below.
        upstream.on('error', () => undefined);
        if (upstream.statusCode !== 200) {
          controller.abort();
          if (upstream.statusCode === 404) throw notFound('No such container on that host');
          throw new HttpError(502, 'agent_failed', `The host's agent answered HTTP ${upstream.statusCode} to a log read`);
        }
        await ctx.audit.record(request, { action: 'container.logs', target: `${host.id}/${request.params.ref}`, details: { follow } });
      } catch (err) {
        controller.abort();
        release();
        throw err;
      }
      // No `retry:` the browser would act on: a finished container's stream is not reopened.
      const res = ctx.streams.start(request, reply, ': connected\n\n');
      let open = true;
      const stop = () => {
        if (!open) return;
        open = false;
        controller.abort();
        release();
      };
      res.on('close', stop);
      res.on('error', stop);
      const lines = createInterface({ input: upstream, crlfDelay: Infinity });
      lines.on('line', (text) => {
        if (!open || text === '') return;
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          res.destroy();
          return;
        }
        let parsed: { stream?: unknown; line?: unknown };
        try {
          parsed = JSON.parse(text) as typeof parsed;
        } catch {
          parsed = { stream: 'stdout', line: text };
        }
        const event = { stream: parsed.stream === 'stderr' ? 'stderr' : 'stdout', line: typeof parsed.line === 'string' ? parsed.line : String(parsed.line ?? '') };
        res.write(`event: line\ndata: ${JSON.stringify(event)}\n\n`);
      });
      lines.on('close', () => {
        if (!open) return;
        res.end('event: end\ndata: {}\n\n');
        stop();
      });
      // readline passes the upstream's errors on: a broken agent connection ends this stream too.
      lines.on('error', () => {
        if (open) res.destroy();
      });
    },
  );
};
