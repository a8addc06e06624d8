import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

const SANE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * An incoming X-Request-Id (from a proxy, or the manager calling an agent) is kept when it is
 * sane, so one id follows a request across hosts; anything else gets a fresh one.
 */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
}

/** Every answer names its request id, so a caller can point at the log lines. */
export function echoRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
}
