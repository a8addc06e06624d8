import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  ContainerAction,
  ContainerCreated,
  ContainerCreateRequest,
  ContainerDetail,
  ContainerStats,
  ContainerSummary,
  LogsQuery,
} from '../../contract/index.js';
import { DockerNotFoundError } from '../../docker/index.js';
import { createBody, detailView, statsView, summaryView } from '../container-view.js';
import { HttpError } from '../../http/index.js';
import { callerGone, NDJSON, streamItems, streamLogLines } from '../streaming.js';
import { ContainerParams, errors, StreamResponse } from './schemas.js';

const ENGINE_ERRORS = [401, 404, 503] as const;

/** Containers on the host, one by one (`docker run`, `ps`, `inspect`, `logs`, `stats`…). */
export const containerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { docker, limits } = app.agent;
  const tags = ['containers'];

  app.get(
    '/containers',
    {
      schema: {
        tags,
        summary: 'List containers (running ones; all=true for every one)',
        querystring: Type.Object({ all: Type.Optional(Type.Boolean({ default: false })), stack: Type.Optional(Type.String()) }),
        response: { 200: Type.Array(ContainerSummary), ...errors(401, 503) },
      },
    },
    async (request) => {
      const filters = request.query.stack ? { label: [`com.docker.compose.project=${request.query.stack}`] } : undefined;
      const listed = await docker.containers.list({ all: request.query.all ?? false, ...(filters ? { filters } : {}) });
      return listed.map(summaryView);
    },
  );

  app.post(
    '/containers',
    {
      schema: {
        tags,
        summary: 'Create (and by default start) a container from a local image',
        body: ContainerCreateRequest,
        response: { 201: ContainerCreated, ...errors(400, 401, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const reservation = await limits.reserve(1);
      try {
        let created: { id: string; warnings: string[] };
        try {
          created = await docker.containers.create(request.body.name, createBody(request.body));
        } catch (err) {
          if (err instanceof DockerNotFoundError) {
            throw new HttpError(404, 'not_found', `${err.reason || err.message}; pull it first (POST /images/pull)`);
          }
          throw err;
        }
        const start = request.body.start ?? true;
        if (start) {
          try {
            await docker.containers.start(created.id);
          } catch (err) {
            // A container that cannot start is of no use to the caller; do not leave it behind.
            await docker.containers.remove(created.id, { force: true }).catch(() => undefined);
            throw err;
          }
        }
        // The engine names a container the caller left unnamed; only then is it asked which name.
        const name = request.body.name ?? (await docker.containers.inspect(created.id)).Name.replace(/^\//, '');
        request.log.info({ container: name, image: request.body.image }, 'container created');
        return reply.code(201).send({
          id: created.id,
          name,
          status: start ? 'running' : 'created',
          warnings: created.warnings,
        });
      } finally {
        reservation.release();
      }
    },
  );

  app.get(
    '/containers/:id',
    { schema: { tags, summary: 'Inspect a container', params: ContainerParams, response: { 200: ContainerDetail, ...errors(...ENGINE_ERRORS) } } },
    async (request) => detailView(await docker.containers.inspect(request.params.id)),
  );

  app.delete(
    '/containers/:id',
    {
      schema: {
        tags,
        summary: 'Remove a container (force=true removes a running one)',
        params: ContainerParams,
        querystring: Type.Object({ force: Type.Optional(Type.Boolean({ default: false })), volumes: Type.Optional(Type.Boolean({ default: false })) }),
        response: { 200: ContainerAction, ...errors(401, 404, 409, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      await docker.containers.remove(id, { force: request.query.force ?? false, volumes: request.query.volumes ?? false });
      request.log.info({ container: id }, 'container removed');
      return { id, status: 'removed' as const };
    },
  );

  const lifecycle = [
    ['start', 'started', 'Start a container'],
    ['stop', 'stopped', 'Stop a container (timeout: seconds before it is killed, default 10)'],
    ['restart', 'restarted', 'Restart a container'],
  ] as const;
  for (const [action, status, summary] of lifecycle) {
    app.post(
      `/containers/:id/${action}`,
      {
        schema: {
          tags,
          summary,
          params: ContainerParams,
          querystring: Type.Object({ timeout: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })) }),
          response: { 200: ContainerAction, ...errors(...ENGINE_ERRORS) },
        },
      },
      async (request) => {
        const { id } = request.params;
        const grace = request.query.timeout === undefined ? {} : { timeoutSeconds: request.query.timeout };
        if (action === 'start') await docker.containers.start(id);
        else if (action === 'stop') await docker.containers.stop(id, grace);
        else await docker.containers.restart(id, grace);
        request.log.info({ container: id, action }, 'container lifecycle');
        return { id, status };
      },
    );
  }

  app.get(
    '/containers/:id/logs',
    {
      schema: {
        tags,
        summary: 'Container output; follow=true keeps the stream open',
        params: ContainerParams,
        querystring: LogsQuery,
        response: { 200: StreamResponse, ...errors(...ENGINE_ERRORS) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      // Inspected first so a missing container is a 404, not an empty 200 stream.
      const tty = (await docker.containers.inspect(id)).Config.Tty;
      const signal = callerGone(reply);
      const { follow, tail, since, timestamps } = request.query;
      const lines = docker.containers.logs(
        id,
        { tty, follow: follow ?? false, timestamps: timestamps ?? false, ...(tail !== undefined ? { tail } : {}), ...(since ? { since } : {}) },
        { signal, timeoutMs: 0 },
      );
      return streamLogLines(request, reply, lines);
    },
  );

  app.get(
    '/containers/:id/stats',
    {
      schema: {
        tags,
        summary: 'Resource usage: one sample, or a sample a second as JSON lines with stream=true',
        params: ContainerParams,
        querystring: Type.Object({ stream: Type.Optional(Type.Boolean({ default: false })) }),
        response: { 200: ContainerStats, ...errors(...ENGINE_ERRORS) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const first = statsView(id, await docker.containers.stats(id));
      if (!request.query.stream) return first;
      const signal = callerGone(reply);
      async function* samples() {
        yield first;
        while (!signal.aborted) {
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          if (signal.aborted) return;
          const next = statsView(id, await docker.containers.stats(id, { signal }));
          yield next;
        }
      }
      return streamItems(request, reply, samples(), NDJSON, (sample) => JSON.stringify(sample));
    },
  );
};
