import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { Deployment, DeploymentStateSchema, DeploymentCreateRequest, DetailResponse, LaunchResponse } from '../../contract/index.js';
import { multipartFile, spoolUpload } from '../../http/index.js';
import type { ManagerContext } from '../context.js';
import { USER_SECURITY as SECURED, conflict, HttpError, notFound, unprocessable, type ErrorShape } from '../http/index.js';
import type { AllowanceUse } from '../../analyze/index.js';
import { inspectOptionsOf, inspectZip, packCompose, PackageError, type InspectedPackage, type InspectOptions } from '../package/index.js';
import { UniqueViolation, type DeploymentRecord } from '../storage/index.js';
import { deploymentView } from '../views.js';
import { registerHardenRoutes } from './harden.js';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
const LaunchQuery = Type.Object({ user_id: Type.String({ minLength: 1, maxLength: 128, description: 'Whom the environment is for' }) });
const ListQuery = Type.Object({
  state: Type.Optional(DeploymentStateSchema),
  host_id: Type.Optional(Type.String({ maxLength: 128 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
});
const RemoveQuery = Type.Object({
  force: Type.Optional(
    Type.Boolean({ description: 'While it deploys, or when its agent cannot take it down now: record the removal, carried out as soon as the agent can' }),
  ),
});

/**
 * Deployments, twice: machine-lab's `/containers` (a ZIP upload, `{"detail"}` errors) and
 * Shipshape's `/deployments` (a compose file and its files as JSON). Both analyze the package,
 * place it, and answer 202 while the agent deploys it in the background.
 */
export const deploymentRoutes: FastifyPluginAsyncTypebox<{ ctx: ManagerContext }> = async (app, { ctx }) => {
  const { repo, config, deployer, audit } = ctx;
  const inspectOptions: InspectOptions = inspectOptionsOf(config, ctx.version);

  /** Every operator allowance a package used is audited, whether or not the deploy went on. */
  const auditAllowances = async (request: FastifyRequest, allowed: readonly AllowanceUse[], target?: string) => {
    for (const use of allowed) {
      await audit.record(request, {
        action: 'deployment.gate_allowance',
        target,
        details: { rule: use.rule, allowed_by: use.by === 'rule' ? 'GATE_ALLOW_RULES' : 'ALLOWED_HOST_PATHS', file: use.file, line: use.line, service: use.service, message: use.message },
      });
    }
  };

  /** Analysis, placement and the background deploy; the caller has checked the request. */
  const create = async (
    request: FastifyRequest,
    shape: ErrorShape,
    inspect: () => Promise<InspectedPackage>,
    input: { name?: string; userId: string | null; source: DeploymentRecord['source']; hostId?: string },
  ) => {
    let pkg: InspectedPackage;
    try {
      pkg = await inspect();
    } catch (err) {
      if (!(err instanceof PackageError)) throw err;
      await auditAllowances(request, err.allowed);
      await audit.record(request, { action: 'deployment.create', outcome: 'denied', details: { reason: err.message } });
      if (err.findings) ctx.fleet.alerts.notify('gate.refused', { name: input.name ?? null, by: request.principal!.email, reason: err.message, findings: err.findings.slice(0, 20) });
      throw unprocessable(err.message, err.findings ? { findings: err.findings } : undefined);
    }
    const id = randomUUID();
    let placement;
    try {
      placement = await deployer.place(
        { id, name: input.name ?? id, userId: input.userId, source: input.source, findings: JSON.stringify(pkg.findings), createdBy: request.principal!.email },
        pkg.zip,
        input.hostId,
      );
    } catch (err) {
      if (err instanceof UniqueViolation) throw conflict(`A live deployment is named ${input.name} already`);
      throw err;
    }
    if (!placement.ok) {
      ctx.metrics.deploymentsPlaced.inc({ outcome: 'no_capacity' });
      await audit.record(request, { action: 'deployment.create', outcome: 'failed', details: { reason: 'no host with room', host_id: input.hostId } });
      if (input.hostId) throw new HttpError(503, 'no_capacity', 'That host is not online with room for another deployment (or does not exist)');
      throw new HttpError(503, 'no_capacity', shape === 'detail' ? 'No available host' : 'No online host has room for another deployment');
    }
    ctx.metrics.deploymentsPlaced.inc({ outcome: 'placed' });
    // Kept so that the deployment can be hardened from its own files later (docs/harden.md).
    await repo.saveDeploymentPackage(id, pkg.zip, ctx.now());
    await auditAllowances(request, pkg.allowed, id);
    await audit.record(request, {
      action: 'deployment.create',
      target: id,
      details: { host_id: placement.host.id, name: placement.deployment.name, source: input.source, user_id: input.userId, findings: pkg.findings.length },
    });
    return placement;
  };

  const load = async (id: string, what: string): Promise<DeploymentRecord> => {
    const deployment = await repo.getDeployment(id);
    if (!deployment) throw notFound(`${what} not found`);
    return deployment;
  };

  const restart = async (request: FastifyRequest, id: string, what: string) => {
    const deployment = await load(id, what);
    // A stack that exists on its host can be restarted, which is what a degraded or stopped one wants.
    if (!['running', 'degraded', 'stopped'].includes(deployment.state)) throw conflict(`Only a running, degraded or stopped deployment can be restarted; this one is ${deployment.state}`);
    const host = deployment.hostId ? await repo.getHost(deployment.hostId) : undefined;
    if (!host) throw conflict('Its host is gone');
    const result = await deployer.restart(deployment, host);
    await audit.record(request, { action: 'deployment.restart', target: id, outcome: result.ok ? 'ok' : 'failed', details: result.ok ? undefined : { reason: result.reason } });
    if (!result.ok) throw new HttpError(502, 'agent_failed', `Agent restart failed: ${result.reason}`);
    return deployment;
  };

  /** `removed`, or the deployment whose removal is now pending on its agent. */
  const remove = async (request: FastifyRequest, id: string, force: boolean, what: string): Promise<DeploymentRecord | undefined> => {
    const deployment = await load(id, what);
    if ((deployment.state === 'pending' || deployment.state === 'deploying') && !force) {
      throw conflict(`It is ${deployment.state}: wait until it is running or failed, or pass force=true to have it taken down as soon as its agent can`);
    }
    const host = deployment.hostId ? await repo.getHost(deployment.hostId) : undefined;
    const result = await deployer.remove(deployment, host, force, request.principal!.email);
    await audit.record(request, {
      action: 'deployment.delete',
      target: id,
      outcome: result.outcome === 'failed' ? 'failed' : 'ok',
      details: { force, ...(result.outcome === 'failed' ? { reason: result.failure.reason } : {}), ...(result.outcome === 'pending' ? { pending: true } : {}) },
    });
    if (result.outcome === 'failed') throw new HttpError(502, 'agent_failed', `Agent delete failed: ${result.failure.reason}`);
    return result.outcome === 'pending' ? result.deployment : undefined;
  };

  // --- machine-lab ---------------------------------------------------------------------------

  const compat = { errorShape: 'detail' as const };
  const containerTags = ['containers'];

  app.post(
    '/containers/launch',
    {
      schema: {
        tags: containerTags,
        summary: 'Upload a ZIP with a compose file at its top and launch it on a host with room',
        security: SECURED,
        consumes: ['multipart/form-data'],
        querystring: LaunchQuery,
        response: { 202: LaunchResponse },
      },
      config: { access: 'operator', ...compat },
    },
    async (request, reply) => {
      // The upload goes to a scratch file as it arrives, and is read from there under the package limits.
      const file = await multipartFile(request, 'file', { fileSize: config.maxPackageBytes });
      const scratch = await mkdtemp(join(tmpdir(), 'shipshape-upload-'));
      try {
        const archive = join(scratch, 'package.zip');
        await spoolUpload(file, archive, config.maxPackageBytes, (max) => new HttpError(413, 'too_large', `The package is larger than ${max} bytes`));
        const placement = await create(request, 'detail', () => inspectZip(archive, inspectOptions), { userId: request.query.user_id, source: 'launch' });
        reply.code(202);
        return { id: placement.deployment.id, host_id: placement.host.id };
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },
  );

  app.get(
    '/containers',
    { schema: { tags: containerTags, summary: 'List deployments', security: SECURED, response: { 200: Type.Array(Deployment) } }, config: { access: 'viewer', ...compat } },
    async () => (await repo.listDeployments()).map(deploymentView),
  );

  app.get(
    '/containers/:id',
    { schema: { tags: containerTags, summary: 'One deployment', security: SECURED, params: Params, response: { 200: Deployment } }, config: { access: 'viewer', ...compat } },
    async (request) => deploymentView(await load(request.params.id, 'Container')),
  );

  app.post(
    '/containers/:id/restart',
    { schema: { tags: containerTags, summary: 'Restart through its agent', security: SECURED, params: Params, response: { 200: DetailResponse } }, config: { access: 'operator', ...compat } },
    async (request) => {
      await restart(request, request.params.id, 'Container');
      return { detail: 'Container restarted successfully' };
    },
  );

  app.delete(
    '/containers/:id',
    {
      schema: {
        tags: containerTags,
        summary: 'Take it down through its agent and forget it; 202 when that waits for the agent (force=true)',
        security: SECURED,
        params: Params,
        querystring: RemoveQuery,
        response: { 200: DetailResponse, 202: DetailResponse },
      },
      config: { access: 'operator', ...compat },
    },
    async (request, reply) => {
      const pending = await remove(request, request.params.id, request.query.force === true, 'Container');
      if (pending) return reply.code(202).send({ detail: 'Removal requested: the container is taken down as soon as its agent can' });
      return { detail: 'Container stopped and removed successfully' };
    },
  );

  // --- Shipshape -----------------------------------------------------------------------------

  const tags = ['deployments'];

  app.post(
    '/deployments',
    {
      schema: { tags, summary: 'Deploy a compose file and its files on a host with room', security: SECURED, body: DeploymentCreateRequest, response: { 202: Deployment } },
      config: { access: 'operator' },
      bodyLimit: Math.ceil((config.maxPackageBytes * 4) / 3) + 2 * 2 ** 20,
    },
    async (request, reply) => {
      const body = request.body;
      const placement = await create(request, 'error', () => packCompose(body.compose, body.files ?? {}, body.encoding ?? 'utf8', inspectOptions), {
        name: body.name,
        userId: body.user_id ?? null,
        source: 'compose',
        hostId: body.host_id,
      });
      reply.code(202);
      return deploymentView(placement.deployment);
    },
  );

  app.get(
    '/deployments',
    { schema: { tags, summary: 'List deployments, newest first', security: SECURED, querystring: ListQuery, response: { 200: Type.Array(Deployment) } }, config: { access: 'viewer' } },
    async (request) =>
      (await repo.listDeployments({ state: request.query.state, hostId: request.query.host_id, limit: request.query.limit })).map(deploymentView),
  );

  app.get(
    '/deployments/:id',
    { schema: { tags, summary: 'One deployment, with its findings and the agent’s answer', security: SECURED, params: Params, response: { 200: Deployment } }, config: { access: 'viewer' } },
    async (request) => deploymentView(await load(request.params.id, 'Deployment')),
  );

  app.post(
    '/deployments/:id/restart',
    { schema: { tags, summary: 'Restart through its agent', security: SECURED, params: Params, response: { 200: Deployment } }, config: { access: 'operator' } },
    async (request) => deploymentView(await restart(request, request.params.id, 'Deployment')),
  );

  app.delete(
    '/deployments/:id',
    {
      schema: {
        tags,
        summary: 'Take it down through its agent and forget it; 202 with the deployment when that waits for the agent (force=true)',
        security: SECURED,
        params: Params,
        querystring: RemoveQuery,
        response: { 202: Deployment, 204: Type.Null() },
      },
      config: { access: 'operator' },
    },
    async (request, reply) => {
      const pending = await remove(request, request.params.id, request.query.force === true, 'Deployment');
      if (pending) return reply.code(202).send(deploymentView(pending));
      return reply.code(204).send(null);
    },
  );

  registerHardenRoutes(app, { ctx, inspectOptions, load, remove, create });
};
