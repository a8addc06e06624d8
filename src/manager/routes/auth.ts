import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChangePasswordRequest, LoginRequest, LoginResponse, MessageResponse, RotateKeyResponse, WhoAmI, type Role } from '../../contract/index.js';
import type { ManagerContext } from '../context.js';
import { USER_SECURITY as SECURED, HttpError, unauthorized, SESSION_COOKIE, tooManyRequests, type Principal } from '../http/index.js';
import { hashKey, mintAdminKey, hashPassword, verifyNothing, verifyPassword } from '../security/index.js';
import { iso } from '../views.js';

export interface AuthRouteOptions {
  ctx: ManagerContext;
  /** False in tests that make many logins on purpose. */
  rateLimit: boolean;
}

const TAGS = ['auth'];

/** machine-lab's `/auth` routes: login for an admin key, change password, rotate key, logout. */
export const authRoutes: FastifyPluginAsyncTypebox<AuthRouteOptions> = async (app, { ctx, rateLimit }) => {
  const { repo, config, now, audit, logins } = ctx;
  const limit = (max: number) => (rateLimit ? { rateLimit: { max, timeWindow: 60_000 } } : {});

  app.post(
    '/auth/login',
    {
      schema: { tags: TAGS, summary: 'Log in for an admin key', body: LoginRequest, response: { 200: LoginResponse } },
      config: { access: 'public', errorShape: 'detail', ...limit(config.loginRateLimit) },
    },
    async (request, reply) => {
      const email = request.body.email.toLowerCase();
      const waitMs = logins.waitMs(email, request.ip);
      if (waitMs > 0) {
        // The password is not even checked: a waiting pair learns nothing.
        await audit.record(request, { action: 'auth.login', actor: email, actorRole: null, outcome: 'denied', details: { reason: 'backoff' } });
        throw tooManyRequests(`Too many failed logins for this account from your address; try again in ${Math.ceil(waitMs / 1000)} s`, waitMs / 1000);
      }
      const user = await repo.findUserByEmail(email);
      const ok = user ? await verifyPassword(user.passwordHash, request.body.password) : await verifyNothing(request.body.password);
      if (!user || !ok) {
        const wait = logins.failed(email, request.ip);
        await audit.record(request, {
          action: wait > 0 ? 'auth.backoff' : 'auth.login',
          actor: email,
          actorRole: user?.role ?? null,
          outcome: 'failed',
          details: { reason: user ? 'wrong password' : 'unknown user', ...(wait > 0 ? { wait_seconds: Math.ceil(wait / 1000) } : {}) },
        });
        throw unauthorized('Invalid credentials');
      }
      logins.succeeded(email, request.ip);
      const issued = await issueKey(ctx, user.id, user.role);
      if (request.body.session) setSessionCookie(request, reply, issued.key, config.adminKeyTtl);
      await audit.record(request, { action: 'auth.login', actor: email, actorRole: user.role, details: { session: request.body.session === true } });
      return { admin_key: issued.key, expires: issued.expires, role: user.role, email: user.email };
    },
  );

  app.post(
    '/auth/change-password',
    {
      schema: { tags: TAGS, summary: 'Change your password', security: SECURED, body: ChangePasswordRequest, response: { 200: MessageResponse } },
      config: { access: 'viewer', errorShape: 'detail', ...limit(30) },
    },
    async (request) => {
      const principal = request.principal!;
      const user = await repo.findUserById(principal.userId);
      if (!user) throw unauthorized('No such user');
      const waitMs = logins.waitMs(user.email, request.ip);
      if (waitMs > 0) throw tooManyRequests(`Too many wrong passwords; try again in ${Math.ceil(waitMs / 1000)} s`, waitMs / 1000);
      if (!(await verifyPassword(user.passwordHash, request.body.current_password))) {
        // A stolen key must not become a free password oracle: these failures back off like logins.
        logins.failed(user.email, request.ip);
        await audit.record(request, { action: 'auth.change-password', target: user.id, outcome: 'failed', details: { reason: 'wrong current password' } });
        throw new HttpError(400, 'invalid_request', 'Wrong current password');
      }
      await repo.updateUser(user.id, { passwordHash: await hashPassword(request.body.new_password) }, now());
      // Other sessions end; the one that changed the password goes on.
      const revoked = await repo.revokeUserKeys(user.id, now(), principal.jti);
      await audit.record(request, { action: 'auth.change-password', target: user.id, details: { keys_revoked: revoked } });
      return { message: 'Password changed successfully' };
    },
  );

  app.post(
    '/auth/rotate-key',
    {
      schema: { tags: TAGS, summary: 'Revoke all your keys and get a new one', security: SECURED, response: { 200: RotateKeyResponse } },
      config: { access: 'viewer', errorShape: 'detail', ...limit(30) },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const revoked = await repo.revokeUserKeys(principal.userId, now());
      const issued = await issueKey(ctx, principal.userId, principal.role);
      if (principal.via === 'cookie') setSessionCookie(request, reply, issued.key, config.adminKeyTtl);
      await audit.record(request, { action: 'auth.rotate-key', target: principal.userId, details: { keys_revoked: revoked } });
      return { message: 'Admin key rotated successfully', admin_key: issued.key, expires: issued.expires };
    },
  );

  app.post(
    '/auth/logout',
    {
      schema: { tags: TAGS, summary: 'Revoke the key of this request', security: SECURED, response: { 200: MessageResponse } },
      config: { access: 'viewer', errorShape: 'detail', ...limit(60) },
    },
    async (request, reply) => {
      const principal = request.principal!;
      await repo.revokeKey(principal.jti, now());
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      await audit.record(request, { action: 'auth.logout', target: principal.userId });
      return { message: 'Logged out' };
    },
  );

  app.get(
    '/auth/me',
    { schema: { tags: TAGS, summary: 'Who the key belongs to', security: SECURED, response: { 200: WhoAmI } }, config: { access: 'viewer', errorShape: 'detail' } },
    async (request) => whoAmI(request.principal!),
  );
};

function whoAmI(principal: Principal) {
  return { id: principal.userId, email: principal.email, role: principal.role };
}

/** A new admin key for the user, on record by its hash only. */
export async function issueKey(ctx: ManagerContext, userId: string, role: Role): Promise<{ key: string; expires: string | null }> {
  const at = ctx.now();
  const issuedAt = Math.floor(at / 1000);
  const expiresAt = ctx.config.adminKeyTtl > 0 ? issuedAt + ctx.config.adminKeyTtl : null;
  const jti = randomUUID();
  const key = await mintAdminKey(ctx.secret, { userId, role, jti, issuedAt, expiresAt });
  await ctx.repo.insertApiKey({ jti, userId, keyHash: hashKey(key), issuedAt: at, expiresAt: expiresAt === null ? null : expiresAt * 1000, revokedAt: null });
  return { key, expires: expiresAt === null ? null : iso(expiresAt * 1000) };
}

function setSessionCookie(request: FastifyRequest, reply: FastifyReply, key: string, ttlSeconds: number): void {
  reply.setCookie(SESSION_COOKIE, key, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: request.protocol === 'https',
    ...(ttlSeconds > 0 ? { maxAge: ttlSeconds } : {}),
  });
}
