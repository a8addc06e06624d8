import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AnalysisPreview, AnalysisPreviewRequest } from '../../contract/index.js';
import type { ManagerContext } from '../context.js';
import { USER_SECURITY as SECURED, unprocessable } from '../http/index.js';
import { inspectOptionsOf, PackageError, previewCompose } from '../package/index.js';

/**
 * POST /analyze/preview: what `POST /deployments` would decide on a package, without placing or
 * recording anything: the findings, the scores, the graph and the gate's decision, from the same
 * analysis and the same deploy policy (docs/security.md, "The deploy gate").
 */
export const previewRoutes: FastifyPluginAsyncTypebox<{ ctx: ManagerContext }> = async (app, { ctx }) => {
  const options = inspectOptionsOf(ctx.config, ctx.version);
  app.post(
    '/analyze/preview',
    {
      schema: {
        tags: ['deployments'],
        summary: "The gate's decision on a package, its findings, scores and service graph; nothing is deployed",
        security: SECURED,
        body: AnalysisPreviewRequest,
        response: { 200: AnalysisPreview },
      },
      config: { access: 'operator' },
      bodyLimit: Math.ceil((ctx.config.maxPackageBytes * 4) / 3) + 2 * 2 ** 20,
    },
    async (request) => {
      const body = request.body;
      try {
        return await previewCompose(body.compose, body.files ?? {}, body.encoding ?? 'utf8', options);
      } catch (err) {
        if (err instanceof PackageError) throw unprocessable(err.message);
        throw err;
      }
    },
  );
};
