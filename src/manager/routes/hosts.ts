import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  Heartbeat,
  HeartbeatResponse,
  HostCreateRequest,
  HostInfo,
  HostRegisterResponse,
  HostRevokedResponse,
  HostStatusResponse,
  HostUpdateRequest,
} from '../../contract/index.js';
import type { ManagerContext } from '../context.js';
import { HOST_SECURITY, USER_SECURITY as SECURED, conflict, notFound, unauthorized, serverKeyOf } from '../http/index.js';
import { agentCertificateOf, hashKey, mintServerKey } from '../security/index.js';
import { newHostRecord, UniqueViolation, type HostRecord } from '../storage/index.js';
import { StackTruth } from '../stack-truth.js';
import { hostStatusView, hostView, iso } from '../views.js';

const TAGS = ['hosts'];
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
const DeleteQuery = Type.Object({ force: Type.Optional(Type.Boolean({ description: 'Also end the deployments that live there (they become failed)' })) });

/** machine-lab's `/hosts` routes. */
export const hostRoutes: FastifyPluginAsyncTypebox<{ ctx: ManagerContext }> = async (app, { ctx }) => {
  const { repo, now, audit, events, metrics } = ctx;
  const stackTruth = new StackTruth({ repo, events, log: app.log.child({ component: 'stack-truth' }) });
  const viewer = { access: 'viewer' as const, errorShape: 'detail' as const };
  const admin = { access: 'admin' as const, errorShape: 'detail' as const };

  const load = async (id: string): Promise<HostRecord> => {
    const host = await repo.getHost(id);
    if (!host) throw notFound('Host not found');
    return host;
  };

  app.get('/hosts', { schema: { tags: TAGS, summary: 'List hosts', security: SECURED, response: { 200: Type.Array(HostInfo) } }, config: viewer }, async () =>
    (await repo.listHosts()).map(hostView),
  );

  app.post(
    '/hosts',
    {
      schema: { tags: TAGS, summary: 'Register a host; the answer holds its server key', security: SECURED, body: HostCreateRequest, response: { 201: HostRegisterResponse } },
      config: admin,
    },
    async (request, reply) => {
      const at = now();
      const id = randomUUID();
      const key = await newServerKey(ctx, id);
      const host = newHostRecord(
        {
          id,
          hostname: request.body.hostname,
          ip: request.body.ip,
          sshPort: request.body.ssh_port ?? 22,
          apiPort: request.body.api_port ?? 8003,
          maxContainers: request.body.max_containers,
          keyJti: key.jti,
          keyHash: key.hash,
          keyIssuedAt: key.issuedAt,
        },
        at,
      );
      try {
        await repo.insertHost(host);
      } catch (err) {
        if (err instanceof UniqueViolation) throw conflict(`A host is registered at ${host.ip}:${host.apiPort} already`);
        throw err;
      }
      await audit.record(request, { action: 'host.register', target: id, details: { hostname: host.hostname, ip: host.ip, api_port: host.apiPort } });
      events.publish({ type: 'host.registered', host_id: id, at: iso(at) });
      reply.code(201);
      return { id, host_id: id, server_key: key.key };
    },
  );

  app.get('/hosts/:id', { schema: { tags: TAGS, summary: 'One host', security: SECURED, params: Params, response: { 200: HostInfo } }, config: viewer }, async (request) =>
    hostView(await load(request.params.id)),
  );

  app.get(
    '/hosts/:id/status',
    { schema: { tags: TAGS, summary: "A host's status, last heartbeat and load", security: SECURED, params: Params, response: { 200: HostStatusResponse } }, config: viewer },
    async (request) => hostStatusView(await load(request.params.id)),
  );

  app.patch(
    '/hosts/:id',
    { schema: { tags: TAGS, summary: 'Change a host', security: SECURED, params: Params, body: HostUpdateRequest, response: { 200: HostInfo } }, config: admin },
    async (request) => {
      const body = request.body;
      let host: HostRecord | undefined;
      try {
        host = await repo.updateHost(
          request.params.id,
          { hostname: body.hostname, ip: body.ip, sshPort: body.ssh_port, apiPort: body.api_port, maxContainers: body.max_containers },
          now(),
        );
      } catch (err) {
        if (err instanceof UniqueViolation) throw conflict('Another host is registered at that address');
        throw err;
      }
      if (!host) throw notFound('Host not found');
      await audit.record(request, { action: 'host.update', target: host.id, details: body });
      events.publish({ type: 'host.updated', host_id: host.id, at: iso(now()) });
      return hostView(host);
    },
  );

  app.delete(
    '/hosts/:id',
    {
      schema: { tags: TAGS, summary: 'Delete a host; its server key stops working', security: SECURED, params: Params, querystring: DeleteQuery, response: { 204: Type.Null() } },
      config: admin,
    },
    async (request, reply) => {
      const outcome = await repo.deleteHost(request.params.id, request.query.force === true, now());
      if (outcome === 'not-found') throw notFound('Host not found');
      if (outcome === 'busy') throw conflict('Deployments live on this host: remove them first, or pass force=true to mark them failed');
      metrics.forgetHost(request.params.id);
      stackTruth.forget(request.params.id);
      await audit.record(request, { action: 'host.delete', target: request.params.id, details: { force: request.query.force === true } });
      events.publish({ type: 'host.deleted', host_id: request.params.id, at: iso(now()) });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/hosts/:id/rotate-key',
    {
      schema: { tags: TAGS, summary: 'Issue a new server key; the old one stops working at once', security: SECURED, params: Params, response: { 200: HostRegisterResponse } },
      config: admin,
    },
    async (request) => {
      const host = await load(request.params.id);
      const key = await newServerKey(ctx, host.id);
      if (!(await repo.setHostKey(host.id, { jti: key.jti, hash: key.hash, issuedAt: key.issuedAt }, now()))) throw notFound('Host not found');
      await audit.record(request, { action: 'host.rotate-key', target: host.id });
      return { id: host.id, host_id: host.id, server_key: key.key };
    },
  );

  app.post(
    '/hosts/:id/heartbeat',
    {
      schema: {
        tags: TAGS,
        summary: "An agent's heartbeat, with that host's own server key",
        security: HOST_SECURITY,
        params: Params,
        body: Heartbeat,
        response: { 200: HeartbeatResponse, 410: HostRevokedResponse },
      },
      config: { access: 'host', errorShape: 'detail' },
      // A fleet sends one every few seconds per host: logged only when something goes wrong.
      logLevel: 'warn',
    },
    async (request, reply) => {
      const id = request.params.id;
      const body = request.body;
      const at = now();
      let keyHash = hashKey(serverKeyOf(request)!);
      // An enrolled agent proves who it is with its certificate, over TLS the CA verified; then a
      // key that is no longer current earns the current one, and a deleted host hears that it is
      // (docs/security.md, "Keys and transport"). Anyone else is judged by the key alone.
      let currentKey: string | undefined;
      const certificate = agentCertificateOf(request);
      if (certificate && certificate.hostId === id) {
        const host = await repo.getHost(id);
        if (!host) {
          metrics.heartbeats.inc({ outcome: 'revoked' });
          await audit.record(request, { action: 'host.revocation-notice', target: id, actor: `agent:${id}` });
          return reply.code(410).send({ detail: 'This host was deleted at the manager: its key is revoked; enroll it again', revoked: true as const });
        }
        if (host.agentCertSha256 === certificate.sha256) {
          if (host.keyHash !== keyHash) currentKey = await mintServerKey(ctx.secret, { hostId: id, jti: host.keyJti, issuedAt: host.keyIssuedAt });
          keyHash = host.keyHash;
        }
      }
      const outcome = await repo.heartbeat(
        id,
        keyHash,
        {
          cpu: body.cpu,
          mem: body.mem,
          containers: body.containers,
          disk: body.disk ?? null,
          load: body.load ?? null,
          dockerOk: body.docker_ok ?? null,
          agentVersion: body.agent_version ?? null,
        },
        at,
      );
      // An unknown host and a wrong key get the same answer: the route must not tell which host ids exist.
      if (outcome === 'unknown-host' || outcome === 'wrong-key') {
        metrics.heartbeats.inc({ outcome: outcome === 'unknown-host' ? 'unknown_host' : 'wrong_key' });
        throw unauthorized('Server key revoked or invalid');
      }
      metrics.heartbeatAccepted(id, at);
      if (outcome === 'came-online') {
        const host = await repo.getHost(id);
        request.log.info({ host: id }, 'host online');
        events.publish({ type: 'host.online', host_id: id, hostname: host?.hostname ?? id, at: iso(at) });
      }
      // Deployment states follow the stacks the agent reports (docs/manager.md, "Deployment status").
      if (Array.isArray(body.stacks)) {
        await stackTruth.ingest(id, body.stacks, at).catch((err: unknown) => request.log.error({ err, host: id }, 'could not apply the stacks of a heartbeat'));
      }
      if (events.subscribers > 0) {
        events.publish({
          type: 'host.heartbeat',
          host_id: id,
          at: iso(at),
          cpu_percent: Math.round(body.cpu),
          mem_percent: Math.round(body.mem),
          current_containers: body.containers,
        });
      }
      if (currentKey) {
        request.log.info({ host: id }, 'handed the rotated server key to its agent');
        await audit.record(request, { action: 'host.key-handover', target: id, actor: `agent:${id}` });
        return { ack: true, server_key: currentKey };
      }
      return { ack: true };
    },
  );
};

async function newServerKey(ctx: ManagerContext, hostId: string): Promise<{ key: string; jti: string; hash: string; issuedAt: number }> {
  const jti = randomUUID();
  const issuedAt = Math.floor(ctx.now() / 1000);
  const key = await mintServerKey(ctx.secret, { hostId, jti, issuedAt });
  return { key, jti, hash: hashKey(key), issuedAt };
}
