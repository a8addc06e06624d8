import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AuditEntry } from '../../contract/index.js';
import type { ManagerContext } from '../context.js';
import { USER_SECURITY as SECURED } from '../http/index.js';
import { auditView } from '../views.js';

const Query = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  before: Type.Optional(Type.String({ maxLength: 64, description: 'Continue after this entry id (the last of the previous page)' })),
  action: Type.Optional(Type.String({ maxLength: 64 })),
  actor: Type.Optional(Type.String({ maxLength: 254 })),
  target: Type.Optional(Type.String({ maxLength: 256, description: 'Entries about this deployment, host or user id' })),
});

/** GET /audit: who did what, when and from where, newest first (admin only). */
export const auditRoutes: FastifyPluginAsyncTypebox<{ ctx: ManagerContext }> = async (app, { ctx }) => {
  app.get(
    '/audit',
    {
      schema: { tags: ['audit'], summary: 'The audit log, newest first', security: SECURED, querystring: Query, response: { 200: Type.Array(AuditEntry) } },
      config: { access: 'admin' },
    },
    async (request) => {
      const { limit, before, action, actor, target } = request.query;
      return (await ctx.repo.listAudit({ limit: limit ?? 100, before, action, actor, target })).map(auditView);
    },
  );
};
