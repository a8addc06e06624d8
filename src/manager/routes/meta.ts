import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ManagerContext } from '../context.js';

/** GET /health and GET /metrics: public, for load balancers and Prometheus. */
export const metaRoutes: FastifyPluginAsyncTypebox<{ ctx: ManagerContext }> = async (app, { ctx }) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['meta'],
        summary: 'Liveness, and whether the database answers',
        response: { 200: Type.Object({ status: Type.Literal('ok'), version: Type.String(), database: Type.String() }) },
      },
      config: { access: 'public', errorShape: 'detail' },
    },
    async () => {
      await ctx.repo.getSetting('schema');
      return { status: 'ok' as const, version: ctx.version, database: ctx.repo.dialect };
    },
  );

  app.get('/metrics', { schema: { tags: ['meta'], summary: 'Prometheus metrics', produces: ['text/plain'] }, config: { access: 'public' } }, async (_request, reply) => {
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
};
