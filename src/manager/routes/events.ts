import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ManagerEvent } from '../../contract/index.js';
import type { ManagerContext } from '../context.js';
import { HttpError, USER_SECURITY as SECURED } from '../http/index.js';

const KEEPALIVE_MS = 15_000;
/** A client this far behind is dropped rather than buffered without end. */
const MAX_BUFFERED_BYTES = 4 * 2 ** 20;

/** GET /events: server-sent events of hosts and deployments, for the dashboard. */
export const eventRoutes: FastifyPluginAsyncTypebox<{ ctx: ManagerContext }> = async (app, { ctx }) => {
  app.get(
    '/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Server-sent events: host.online, host.offline, host.heartbeat, host.registered, host.updated, host.deleted, deployment.state, deployment.removed',
        security: SECURED,
        produces: ['text/event-stream'],
      },
      config: { access: 'viewer' },
    },
    (request, reply) => {
      // Each open stream holds a connection and a subscriber: a user gets a few, not any number.
      const userId = request.principal!.userId;
      const open = streamsOf.get(userId) ?? 0;
      if (open >= ctx.config.eventStreamsPerUser) {
        throw new HttpError(429, 'rate_limited', `At most ${ctx.config.eventStreamsPerUser} event streams per user are open at once; close one first`, undefined, { 'retry-after': '5' });
      }
      streamsOf.set(userId, open + 1);
      let counted = true;
      const release = () => {
        if (!counted) return;
        counted = false;
        const left = (streamsOf.get(userId) ?? 1) - 1;
        if (left > 0) streamsOf.set(userId, left);
        else streamsOf.delete(userId);
      };
      reply.raw.on('close', release);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': String(request.id),
      });
      res.write(`retry: 3000\n: connected ${new Date(ctx.now()).toISOString()}\n\n`);
      const send = (event: ManagerEvent) => {
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          res.destroy();
          return;
        }
        res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      };
      const unsubscribe = ctx.events.subscribe(send);
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
      keepalive.unref();
      const stop = () => {
        clearInterval(keepalive);
        unsubscribe();
      };
      res.on('close', stop);
      res.on('error', stop);
      // Closing the app must end open streams, or close() would wait for clients to hang up.
      closers.add(res);
      res.on('close', () => closers.delete(res));
    },
  );

  const closers = new Set<ServerResponse>();
  const streamsOf = new Map<string, number>();
  // preClose: the server waits for open connections before onClose hooks run.
  app.addHook('preClose', async () => {
    for (const res of closers) res.end();
  });
};
