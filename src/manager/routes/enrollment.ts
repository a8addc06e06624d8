import { createPublicKey, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ENROLLMENT_TOKEN_TTL,
  EnrollmentTokenRequest,
  EnrollmentTokenResponse,
  EnrollRequest,
  EnrollResponse,
  parseEnrollmentToken,
  formatEnrollmentToken,
  TlsCaResponse,
} from '../../contract/index.js';
import { agentCommonName, certificateSha256 } from '../../pki/index.js';
import type { ManagerContext } from '../context.js';
import { USER_SECURITY as SECURED, badRequest, conflict, unauthorized } from '../http/index.js';
import { hashKey, mintServerKey } from '../security/index.js';
import { newHostRecord } from '../storage/index.js';
import { iso } from '../views.js';

const TAGS = ['hosts'];
const AGENT_CERT_DAYS = 825;
/** Per client address: room for a provisioning script enrolling a rack behind one NAT. */
export const ENROLLMENTS_PER_MINUTE = 60;

/** A new enrollment token, stored hashed and audited; the answer of `POST /hosts/enrollment-tokens`. */
export async function issueEnrollmentToken(
  ctx: ManagerContext,
  options: { ttlSeconds: number; uses: number; createdBy: string | null; request?: Parameters<ManagerContext['audit']['record']>[0] },
): Promise<{ token: string; expires_at: string; ca_sha256: string; uses: number }> {
  const at = ctx.now();
  const ca = await ctx.tls.authority();
  const secret = randomBytes(32).toString('base64url');
  const id = randomUUID();
  const expiresAt = at + options.ttlSeconds * 1000;
  await ctx.repo.insertEnrollmentToken({ id, tokenHash: hashKey(secret), createdBy: options.createdBy, createdAt: at, expiresAt, maxUses: options.uses });
  await ctx.audit.record(options.request, { action: 'host.enrollment-token', target: id, details: { expires_at: iso(expiresAt), uses: options.uses } });
  return { token: formatEnrollmentToken(secret, ca.sha256), expires_at: iso(expiresAt), ca_sha256: ca.sha256, uses: options.uses };
}

/**
 * Enrollment (docs/manager.md, "Enrollment"): an admin asks for a one-time token, and an agent
 * that holds it registers itself, gets its key and a certificate for a key pair it made, and
 * pins the manager CA. The manager keeps only the token's hash.
 */
export const enrollmentRoutes: FastifyPluginAsyncTypebox<{ ctx: ManagerContext; rateLimit: boolean }> = async (app, { ctx, rateLimit }) => {
  const { repo, now, audit, events, tls } = ctx;

  app.post(
    '/hosts/enrollment-tokens',
    {
      schema: {
        tags: TAGS,
        summary: 'A token for `shipshape agent --enroll`: one host, or `uses` hosts',
        security: SECURED,
        body: EnrollmentTokenRequest,
        response: { 201: EnrollmentTokenResponse },
      },
      config: { access: 'admin', errorShape: 'detail' },
    },
    async (request, reply) => {
      const issued = await issueEnrollmentToken(ctx, {
        ttlSeconds: request.body?.ttl_seconds ?? ENROLLMENT_TOKEN_TTL.default,
        uses: request.body?.uses ?? 1,
        createdBy: request.principal?.userId ?? null,
        request,
      });
      reply.code(201);
      return issued;
    },
  );

  app.get(
    '/tls/ca',
    {
      schema: { tags: TAGS, summary: "The manager CA's certificate; agents compare it with the pin in their token", response: { 200: TlsCaResponse } },
      config: { access: 'public', errorShape: 'detail' },
    },
    async () => {
      const ca = await tls.authority();
      return { ca_certificate: ca.certificatePem, ca_sha256: ca.sha256 };
    },
  );

  app.post(
    '/hosts/enroll',
    {
      schema: {
        tags: TAGS,
        summary: 'An agent registers itself with an enrollment token (used once)',
        body: EnrollRequest,
        response: { 201: EnrollResponse },
      },
      // Public and audited when refused: a stranger's guesses are limited per client address.
      config: { access: 'public', errorShape: 'detail', ...(rateLimit ? { rateLimit: { max: ENROLLMENTS_PER_MINUTE, timeWindow: 60_000 } } : {}) },
    },
    async (request, reply) => {
      const body = request.body;
      const ca = await tls.authority();
      const refuse = async (req: typeof request, details: { hostname: string; ip: string }): Promise<never> => {
        await audit.record(req, { action: 'host.enroll', target: null, outcome: 'denied', details });
        throw unauthorized('Enrollment token unknown, used or expired');
      };
      const parsed = parseEnrollmentToken(body.token);
      // A token for another CA is as good as none: the agent would not trust this manager.
      if (!parsed || parsed.caSha256 !== ca.sha256) throw unauthorized('Enrollment token unknown, used or expired');
      const publicKeyPem = checkedPublicKey(body.public_key);
      const at = now();
      const tokenHash = hashKey(parsed.secret);
      const ip = body.ip ?? request.ip.replace(/^::ffff:/, '');
      // Nothing is signed for a stranger: a dead token is refused before any work is done for it.
      if (!(await repo.enrollmentTokenUsable(tokenHash, at))) return refuse(request, { hostname: body.hostname, ip });
      const id = randomUUID();
      // No host name or address in it: those are the enrolling party's word, and the manager knows
      // the agent by the certificate's fingerprint, not by a name (docs/security.md, "Keys and transport").
      const certificate = ca.issue({ commonName: agentCommonName(id), publicKeyPem, use: 'both', days: AGENT_CERT_DAYS });
      const jti = randomUUID();
      const issuedAt = Math.floor(at / 1000);
      const serverKey = await mintServerKey(ctx.secret, { hostId: id, jti, issuedAt });
      const host = newHostRecord(
        {
          id,
          hostname: body.hostname,
          ip,
          sshPort: body.ssh_port ?? 22,
          apiPort: body.api_port ?? 8003,
          maxContainers: body.max_containers ?? 10,
          keyJti: jti,
          keyHash: hashKey(serverKey),
          keyIssuedAt: issuedAt,
          agentCertSha256: certificateSha256(certificate),
        },
        at,
      );
      const outcome = await repo.enrollHost(tokenHash, host, at);
      if (outcome === 'invalid-token') return refuse(request, { hostname: host.hostname, ip });
      if (outcome === 'address-taken') throw conflict(`A host is registered at ${ip}:${host.apiPort} already: delete it first, or enroll with another api_port`);
      await audit.record(request, { action: 'host.enroll', target: id, actor: null, details: { hostname: host.hostname, ip, api_port: host.apiPort } });
      events.publish({ type: 'host.registered', host_id: id, at: iso(at) });
      reply.code(201);
      return {
        host_id: id,
        server_key: serverKey,
        certificate,
        ca_certificate: ca.certificatePem,
        ca_sha256: ca.sha256,
        heartbeat_interval: Math.max(0.1, ctx.config.offlineAfter / 3),
      };
    },
  );
};

/** An RSA public key of 2048 bits or more, as SPKI PEM; anything else is refused. */
function checkedPublicKey(pem: string): string {
  try {
    const key = createPublicKey(pem);
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (key.asymmetricKeyType !== 'rsa' || bits < 2048) throw new Error('weak');
    return key.export({ type: 'spki', format: 'pem' }).toString();
  } catch {
    throw badRequest('public_key must be an RSA public key of at least 2048 bits in PEM (SPKI) form');
  }
}
