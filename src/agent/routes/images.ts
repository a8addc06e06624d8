import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ImagePulled, ImagePullRequest, ImageSummary } from '../../contract/index.js';
import type { ProgressMessage } from '../../docker/index.js';
import { streamOperation, wantsNdjson } from '../streaming.js';
import { errors } from './schemas.js';

/** Images on the host, and pulls. */
export const imageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { docker } = app.agent;
  const tags = ['images'];

  app.get(
    '/images',
    { schema: { tags, summary: 'List images', response: { 200: Type.Array(ImageSummary), ...errors(401, 503) } } },
    async () => {
      const images = await docker.images.list();
      return images.map((i) => ({
        id: i.Id,
        tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
        size_bytes: i.Size,
        created: new Date(i.Created * 1000).toISOString(),
      }));
    },
  );

  app.post(
    '/images/pull',
    {
      schema: {
        tags,
        summary: 'Pull an image; with Accept: application/x-ndjson the progress is streamed as JSON lines',
        body: ImagePullRequest,
        response: { 200: ImagePulled, ...errors(400, 401, 404, 502, 503) },
      },
    },
    async (request, reply) => {
      const { image } = request.body;
      const pull = async (onProgress?: (m: ProgressMessage) => void) => {
        await docker.images.pull(image, onProgress ? { onProgress } : {}, { timeoutMs: 60_000 });
        const inspected = await docker.images.inspect(image);
        request.log.info({ image, id: inspected.Id }, 'image pulled');
        return { image, id: inspected.Id, status: 'pulled' as const };
      };
      if (wantsNdjson(request)) {
        return streamOperation(request, reply, async (progress) => ({
          status: 200,
          body: await pull((m) => {
            const words = [m.id ? `${m.id}:` : '', m.status ?? '', m.progress ?? ''].filter(Boolean).join(' ');
            if (words) progress({ type: 'progress', message: words });
          }),
        }));
      }
      return pull();
    },
  );
};
