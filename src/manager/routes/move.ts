import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MoveRequest, MoveResponse } from '../../contract/index.js';
import type { ManagerContext } from '../context.js';
import { moveDeployment, MoveFailed } from '../fleet/index.js';
import { badRequest, conflict, notFound, USER_SECURITY as SECURED } from '../http/index.js';
import { inspectOptionsOf } from '../package/index.js';
import { deploymentView } from '../views.js';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });

/** POST /deployments/:id/move (docs/manager.md, "Moving a deployment"). */
export const moveRoutes: FastifyPluginAsyncTypebox<{ ctx: ManagerContext }> = async (app, { ctx }) => {
  const { repo, fleet, deployer, audit, events, config, now } = ctx;
  const moving = new Set<string>();

  app.post(
    '/deployments/:id/move',
    {
      schema: {
        tags: ['deployments'],
        summary: 'Move a running deployment to another host: deploy there, wait until healthy, then remove it from the source',
        description:
          'On any failure before the target is healthy, what was made on the target is removed and the source is left untouched. ' +
          'The package is analyzed again on the way: the deploy gate applies to moves too. Answers when the move is done (up to MOVE_TIMEOUT).',
        security: SECURED,
        params: Params,
        body: MoveRequest,
        response: { 200: MoveResponse },
      },
      config: { access: 'operator' },
      bodyLimit: 4096,
    },
    async (request) => {
      const deployment = await repo.getDeployment(request.params.id);
      if (!deployment) throw notFound('Deployment not found');
      if (deployment.state !== 'running') throw conflict(`Only a running deployment can be moved; this one is ${deployment.state}`);
      const source = deployment.hostId ? await repo.getHost(deployment.hostId) : undefined;
      if (!source) throw conflict('The deployment has no host to move from');
      if (request.body.host_id === source.id) throw badRequest('The deployment runs on that host already');
      const target = await repo.getHost(request.body.host_id);
      if (!target) throw notFound('Target host not found');
      if (moving.has(deployment.id)) throw conflict('This deployment is being moved already');
      moving.add(deployment.id);
      const details = { name: deployment.name, from: source.id, to: target.id };
      try {
        const outcome = await moveDeployment(
          {
            agents: fleet.agents,
            deployer,
            store: fleet.store,
            inspect: inspectOptionsOf(config, ctx.version),
            agentTimeoutMs: config.agentTimeout * 1000,
            healthTimeoutMs: config.fleet.moveTimeout * 1000,
            now,
          },
          deployment,
          source,
          target,
        );
        const moved = (await repo.getDeployment(deployment.id)) ?? deployment;
        events.publish({ type: 'deployment.state', deployment_id: moved.id, host_id: moved.hostId, state: moved.state, reason: moved.reason, at: new Date(now()).toISOString() });
        await audit.record(request, {
          action: 'deployment.move',
          target: deployment.id,
          details: { ...details, source_removed: outcome.sourceRemoved, ...(outcome.warning ? { warning: outcome.warning } : {}) },
        });
        return { deployment: deploymentView(moved), from_host_id: source.id, to_host_id: target.id, source_removed: outcome.sourceRemoved, warning: outcome.warning };
      } catch (err) {
        if (err instanceof MoveFailed) {
          await audit.record(request, { action: 'deployment.move', target: deployment.id, outcome: err.statusCode === 422 ? 'denied' : 'failed', details: { ...details, reason: err.message } });
          if (err.code === 'analysis_gate') fleet.alerts.notify('gate.refused', { deployment_id: deployment.id, name: deployment.name, by: request.principal!.email, reason: err.message });
        }
        throw err;
      } finally {
        moving.delete(deployment.id);
      }
    },
  );
};
