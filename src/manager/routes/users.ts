import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { UserCreateRequest, UserInfo, UserUpdateRequest } from '../../contract/index.js';
import type { ManagerContext } from '../context.js';
import { USER_SECURITY as SECURED, badRequest, conflict, notFound } from '../http/index.js';
import { hashPassword } from '../security/index.js';
import { userView } from '../views.js';

const TAGS = ['users'];
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });

/** Accounts and their roles (admin only). Under /auth/users: machine-lab's /users is its VPN API. */
export const userRoutes: FastifyPluginAsyncTypebox<{ ctx: ManagerContext }> = async (app, { ctx }) => {
  const { repo, now, audit } = ctx;
  const config = { access: 'admin' as const };

  app.get('/auth/users', { schema: { tags: TAGS, summary: 'List users', security: SECURED, response: { 200: Type.Array(UserInfo) } }, config }, async () =>
    (await repo.listUsers()).map((user) => userView(user, now())),
  );

  app.post(
    '/auth/users',
    { schema: { tags: TAGS, summary: 'Create a user', security: SECURED, body: UserCreateRequest, response: { 201: UserInfo } }, config },
    async (request, reply) => {
      const email = request.body.email.toLowerCase();
      const id = randomUUID();
      const created = await repo.createUser({ id, email, passwordHash: await hashPassword(request.body.password), role: request.body.role, createdAt: now() });
      if (!created) throw conflict(`A user with e-mail ${email} exists`);
      await audit.record(request, { action: 'user.create', target: id, details: { email, role: request.body.role } });
      reply.code(201);
      return userView((await repo.findUserById(id))!, now());
    },
  );

  app.patch(
    '/auth/users/:id',
    { schema: { tags: TAGS, summary: 'Change a role or password, or unlock', security: SECURED, params: Params, body: UserUpdateRequest, response: { 200: UserInfo } }, config },
    async (request) => {
      const user = await repo.findUserById(request.params.id);
      if (!user) throw notFound('User not found');
      const { role, password, unlock } = request.body;
      if (role !== undefined && role !== 'admin' && user.role === 'admin' && (await repo.countAdmins()) <= 1) {
        throw conflict('This is the last admin; make another user admin first');
      }
      const updated = await repo.updateUser(user.id, { role, passwordHash: password === undefined ? undefined : await hashPassword(password), unlock }, now());
      // A new password or a lower role takes effect at once: the user logs in again.
      if (password !== undefined || (role !== undefined && role !== user.role)) await repo.revokeUserKeys(user.id, now());
      if (unlock) ctx.logins.forget(user.email);
      await audit.record(request, { action: 'user.update', target: user.id, details: { role, password_changed: password !== undefined, unlock } });
      return userView(updated!, now());
    },
  );

  app.delete(
    '/auth/users/:id',
    { schema: { tags: TAGS, summary: 'Delete a user and their keys', security: SECURED, params: Params, response: { 204: Type.Null() } }, config },
    async (request, reply) => {
      const user = await repo.findUserById(request.params.id);
      if (!user) throw notFound('User not found');
      if (user.id === request.principal!.userId) throw badRequest('You cannot delete yourself');
      if (user.role === 'admin' && (await repo.countAdmins()) <= 1) throw conflict('This is the last admin');
      await repo.deleteUser(user.id);
      await audit.record(request, { action: 'user.delete', target: user.id, details: { email: user.email } });
      return reply.code(204).send(null);
    },
  );
};
