import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { Deployment, HardenPreview } from '../../contract/index.js';
import type { ManagerContext } from '../context.js';
import { hardenPackage, type HardenedPackage } from '../harden.js';
import { USER_SECURITY as SECURED, conflict, unprocessable, type ErrorShape } from '../http/index.js';
import { inspectZip, PackageError, type InspectedPackage, type InspectOptions } from '../package/index.js';
import type { DeploymentRecord } from '../storage/index.js';
import { deploymentView } from '../views.js';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });

interface HardenRouteHelpers {
  ctx: ManagerContext;
  inspectOptions: InspectOptions;
  load: (id: string, what: string) => Promise<DeploymentRecord>;
  remove: (request: FastifyRequest, id: string, force: boolean, what: string) => Promise<unknown>;
  create: (
    request: FastifyRequest,
    shape: ErrorShape,
    inspect: () => Promise<InspectedPackage>,
    input: { name?: string; userId: string | null; source: DeploymentRecord['source'] },
  ) => Promise<{ deployment: DeploymentRecord }>;
}

/**
 * "Harden" for a deployment (docs/harden.md, docs/manager.md): the preview of the overlay its own
 * package gets, and the redeploy with the overlay added to the package. The manager has no engine
 * to verify on, so the overlay is planned from the files alone; the deploy goes through the same
 * gate as any other.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the deployments plugin's type-provider instance
export function registerHardenRoutes(app: FastifyInstance<any, any, any, any, any>, helpers: HardenRouteHelpers): void {
  const { ctx, inspectOptions, load, remove, create } = helpers;
  const tags = ['deployments'];

  const harden = async (id: string): Promise<{ deployment: DeploymentRecord; hardened: HardenedPackage }> => {
    const deployment = await load(id, 'Deployment');
    const zip = await ctx.repo.getDeploymentPackage(id);
    if (!zip) throw conflict('The manager has not kept this deployment’s package (it was made before packages were kept); deploy it again first');
    try {
      return { deployment, hardened: await hardenPackage(zip, inspectOptions.limits) };
    } catch (err) {
      if (err instanceof PackageError) throw unprocessable(err.message);
      throw err;
    }
  };

  app.post(
    '/deployments/:id/harden/preview',
    {
      schema: {
        tags,
        summary: 'The hardened overlay this deployment would get, the findings it fixes and the scores before and after',
        security: SECURED,
        params: Params,
        response: { 200: HardenPreview },
      },
      config: { access: 'viewer' },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const { hardened } = await harden(request.params.id);
      await ctx.audit.record(request, { action: 'deployment.harden_preview', target: request.params.id });
      return hardened.preview;
    },
  );

  app.post(
    '/deployments/:id/harden',
    {
      schema: {
        tags,
        summary: 'Redeploy with the hardened overlay added to the package (takes the running deployment down first)',
        security: SECURED,
        params: Params,
        response: { 202: Deployment },
      },
      config: { access: 'operator' },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
      const { deployment, hardened } = await harden(request.params.id);
      if (deployment.state === 'pending' || deployment.state === 'deploying') throw conflict(`It is ${deployment.state}: wait until it is running or failed`);
      // Secret files the overlay names must come with the package: the agent cannot start without them.
      const missing = hardened.preview.secret_files.filter((file) => !hardened.files.has(file));
      if (missing.length > 0) {
        throw conflict(`the overlay reads ${missing.join(', ')}, which the package does not have: create them (shipshape secrets generate) and deploy the package again`);
      }
      // The hardened package must pass the gate before the running one goes.
      let pkg: InspectedPackage;
      try {
        pkg = await inspectZip(hardened.zip, inspectOptions);
      } catch (err) {
        if (err instanceof PackageError) throw unprocessable(`the hardened package is refused: ${err.message}`, err.findings ? { findings: err.findings } : undefined);
        throw err;
      }
      await remove(request, deployment.id, false, 'Deployment');
      const placement = await create(request, 'error', async () => pkg, { name: deployment.name, userId: deployment.userId, source: deployment.source });
      await ctx.audit.record(request, {
        action: 'deployment.harden',
        target: placement.deployment.id,
        details: { replaced: deployment.id, fixed: hardened.preview.findings.fixed.length, security_before: hardened.preview.scores.before.security, security_after: hardened.preview.scores.after.security },
      });
      reply.code(202);
      return deploymentView(placement.deployment);
    },
  );
}
