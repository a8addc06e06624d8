import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HostInventory, ImageScans, ImageScanStarted, StackFiles } from '../../contract/index.js';
import { HttpError } from '../../http/index.js';
import { ImageScanRefused } from '../image-scans.js';
import { collectInventory } from '../inventory.js';
import { errors, StackParams } from './schemas.js';

/** What the manager reads for the fleet (docs/posture.md, docs/manager.md "Fleet operations"). */
export const fleetRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { docker, stacks, config, version, imageScans } = app.agent;

  app.get(
    '/fleet/inventory',
    {
      schema: {
        tags: ['fleet'],
        summary: 'What runs on this host: containers (ports, env names without values), posture findings and drift',
        response: { 200: HostInventory, ...errors(401, 503) },
      },
    },
    async () => collectInventory(docker, stacks, version, { status: imageScans.status(), images: imageScans.summaries() }),
  );

  app.post(
    '/images/scan',
    {
      schema: {
        tags: ['images'],
        summary: "Start a round that scans the images of the host's containers against ADVISORIES_PATH (docs/scan.md, \"On the fleet\")",
        description: 'Answers at once; GET /images/scans shows the round and its results. 409: a round runs; 422: scanning is off (ADVISORIES_PATH unset).',
        response: { 202: ImageScanStarted, ...errors(401, 409, 422) },
      },
    },
    async (request, reply) => {
      try {
        const round = imageScans.request();
        request.log.info({ round: round.id }, 'image scan round started');
        reply.code(202);
        return { round_id: round.id, started_at: round.started_at };
      } catch (err) {
        if (err instanceof ImageScanRefused) throw new HttpError(err.reason === 'off' ? 422 : 409, err.reason === 'off' ? 'scanning_off' : 'scan_running', err.message);
        throw err;
      }
    },
  );

  app.get(
    '/images/scans',
    {
      schema: {
        tags: ['images'],
        summary: 'The last scan of each image the containers use, and the running and last rounds',
        response: { 200: ImageScans, ...errors(401) },
      },
    },
    async () => imageScans.state(),
  );

  app.get(
    '/stacks/:name/files',
    {
      schema: {
        tags: ['stacks'],
        summary: "A stack's folder as deployed (regular files, base64), for a move to another host",
        params: StackParams,
        response: { 200: StackFiles, ...errors(401, 404, 413) },
      },
    },
    async (request) => {
      const root = await stacks.folder(request.params.name);
      const files: { path: string; content: string }[] = [];
      let total = 0;
      const walk = async (dir: string, prefix: string): Promise<void> => {
        for (const entry of (await readdir(dir)).sort()) {
          const path = join(dir, entry);
          const info = await lstat(path);
          // Links are not followed: the package's own files are what moves.
          if (info.isDirectory()) await walk(path, `${prefix}${entry}/`);
          if (!info.isFile()) continue;
          total += info.size;
          if (files.length >= config.packageLimits.maxEntries || total > config.packageLimits.maxExpandedBytes) {
            throw new HttpError(413, 'too_large', `the stack's folder holds more than the package limits allow (${config.packageLimits.maxEntries} files, ${config.packageLimits.maxExpandedBytes} bytes)`);
          }
          files.push({ path: `${prefix}${entry}`, content: (await readFile(path)).toString('base64') });
        }
      };
      await walk(root, '');
      return { name: request.params.name, files };
    },
  );
};
