import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ManagerEvent } from '../../contract/index.js';
import type { ManagerContext } from '../context.js';
import { USER_SECURITY as SECURED } from '../http/index.js';

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
      const release = ctx.streams.reserve(request.principal!.userId);
      const res = ctx.streams.start(request, reply, `retry: 3000\n: connected ${new Date(ctx.now()).toISOString()}\n\n`);
      const send = (event: ManagerEvent) => {
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          res.destroy();
          return;
        }
        res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      };
      const unsubscribe = ctx.events.subscribe(send);
      const stop = () => {
        unsubscribe();
        release();
      };
      res.on('close', stop);
      res.on('error', stop);
    },
  );
};
