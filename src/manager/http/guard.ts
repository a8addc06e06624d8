import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Role } from '../../contract/index.js';
import { presentedKey } from '../../http/index.js';
import type { ManagerContext } from '../context.js';
import { hashKey, verifyKey } from '../security/index.js';
import { forbidden, unauthorized } from './errors.js';
import { hasRole, type Principal } from './principal.js';

export const SESSION_COOKIE = 'shipshape_session';
/** Cookie-authenticated writes must carry it: a cross-site form cannot set a header. */
export const CSRF_HEADER = 'x-shipshape-csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Checks every request against its route's `access` before the body is even read, so that an
 * unauthenticated caller learns nothing about what the route would accept.
 */
export function installAuthentication(app: FastifyInstance, ctx: ManagerContext): void {
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.access ?? 'public';
    if (access === 'public') return;
    if (access === 'host') {
      // The heartbeat checks the key against its host in the same UPDATE that records it.
      if (!serverKeyOf(request)) throw unauthorized('Missing X-Server-Key');
      return;
    }
    request.principal = await authenticate(ctx, request, access);
  });
}

export function serverKeyOf(request: FastifyRequest): string | undefined {
  return presentedKey(request.headers, 'x-server-key');
}

function adminKeyOf(request: FastifyRequest): { key: string; via: Principal['via'] } | undefined {
  const key = presentedKey(request.headers, 'x-admin-key');
  if (key) return { key, via: 'header' };
  const cookie = request.cookies?.[SESSION_COOKIE];
  if (cookie) return { key: cookie, via: 'cookie' };
  return undefined;
}

async function authenticate(ctx: ManagerContext, request: FastifyRequest, needed: Role): Promise<Principal> {
  const presented = adminKeyOf(request);
  if (!presented) throw unauthorized('Not authenticated: send X-Admin-Key');
  if (!(await verifyKey(ctx.secret, presented.key))) throw unauthorized('Bad token');
  // The signature is not enough: the key must be on record, live, and its user still there.
  const owner = await ctx.repo.findKeyOwner(hashKey(presented.key));
  if (!owner || owner.key.revokedAt !== null) throw unauthorized('Key revoked');
  if (owner.key.expiresAt !== null && owner.key.expiresAt <= ctx.now()) throw unauthorized('Key expired');
  const principal: Principal = { userId: owner.user.id, email: owner.user.email, role: owner.user.role, jti: owner.key.jti, via: presented.via };
  if (!hasRole(principal.role, needed)) {
    request.principal = principal;
    await ctx.audit.record(request, { action: 'access.denied', target: `${request.method} ${request.routeOptions.url}`, outcome: 'denied', details: { needed } });
    throw forbidden(`Requires the ${needed} role`);
  }
  if (presented.via === 'cookie' && !SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] === undefined) {
    throw forbidden(`Cookie-authenticated requests that change state must send the ${CSRF_HEADER} header`);
  }
  return principal;
}
