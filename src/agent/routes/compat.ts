import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { uptime } from 'node:os';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CompatAction, CompatContainerInfo, CompatHealth, CompatStartRequest } from '../../contract/index.js';
import { HttpError } from '../../http/index.js';
import { asAgentError } from '../errors.js';
import { isStackName } from '../names.js';
import { locateStack } from '../stacks.js';
import { callerGone } from '../streaming.js';
import { CompatParams, compatErrors } from './schemas.js';

const NOT_FOUND = 'Environment not found';
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/**
 * machine-lab-platform's agent API, as its manager calls it: same paths, bodies, status codes
 * and `{"detail": …}` errors. Behind it are the agent's stacks, so environments are analyzed,
 * limited and cleaned up like any stack. Like machine-lab's, every route here wants the key,
 * /agent/health included.
 */
export const compatRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { docker, stacks, packages, config, host, probe, engine } = app.agent;
  const tags = ['machine-lab'];
  const compat = { compat: true };

  app.get(
    '/agent/containers',
    { config: compat, schema: { tags, summary: 'Running containers (machine-lab)', response: { 200: Type.Array(CompatContainerInfo), ...compatErrors(401, 503) } } },
    async () => {
      const running = await docker.containers.list();
      return running.map((c) => ({
        id: c.Id,
        name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
        // machine-lab showed the image's first tag, "" for an untagged one.
        image: c.Image.startsWith('sha256:') ? '' : c.Image,
        status: c.State,
      }));
    },
  );

  app.post(
    '/agent/containers',
    {
      config: compat,
      bodyLimit: Math.ceil((config.packageLimits.maxArchiveBytes * 4) / 3) + 2 ** 20,
      schema: {
        tags,
        summary: 'Unpack a zip of a compose project, add the VPN profile as vpn.ovpn and deploy it (machine-lab)',
        body: CompatStartRequest,
        response: { 201: CompatAction, ...compatErrors(401, 409, 413, 422, 503) },
      },
    },
    async (request, reply) => {
      const { name, docker_zip_base64, vpn_conf_base64 } = request.body;
      if (!BASE64.test(docker_zip_base64)) throw new HttpError(422, 'validation', 'docker_zip_base64 is not base64');
      if (!BASE64.test(vpn_conf_base64)) throw new HttpError(422, 'validation', 'vpn_conf_base64 is not base64');
      const uploaded = await packages.uploadBuffer(Buffer.from(docker_zip_base64, 'base64'));
      try {
        await stacks.deploy({
          name,
          source: 'machine-lab',
          callerGone: callerGone(reply),
          // machine-lab ran `docker compose up -d`, which builds what has no image yet; so does the engine.
          materialize: async (dir) => {
            await rm(dir, { recursive: true });
            await packages.take(uploaded.id, dir);
            const { projectDir } = await locateStack(dir);
            const profile = join(projectDir, 'vpn.ovpn');
            // Replaces a vpn.ovpn of the zip without following it if it is a link.
            await rm(profile, { force: true });
            await writeFile(profile, Buffer.from(vpn_conf_base64, 'base64'), { flag: 'wx', mode: 0o600 });
          },
        });
      } finally {
        await packages.discard(uploaded.id);
      }
      return reply.code(201).send({ name, status: 'started' });
    },
  );

  app.post(
    '/agent/containers/:name/restart',
    {
      config: compat,
      schema: {
        tags,
        summary: 'Rebuild and restart an environment (machine-lab: compose build + up -d)',
        params: CompatParams,
        response: { 200: CompatAction, ...compatErrors(401, 404, 409, 422, 503) },
      },
    },
    async (request) => {
      const { name } = request.params;
      if (!isStackName(name)) throw new HttpError(404, 'not_found', NOT_FOUND);
      await renameNotFound(stacks.restart(name, { rebuild: true }));
      return { name, status: 'restarted' };
    },
  );

  app.delete(
    '/agent/containers/:name',
    {
      config: compat,
      schema: {
        tags,
        summary: 'Take an environment down and remove it with its volumes and built images (machine-lab)',
        params: CompatParams,
        response: { 200: CompatAction, ...compatErrors(401, 404, 409, 503) },
      },
    },
    async (request) => {
      const { name } = request.params;
      if (!isStackName(name)) throw new HttpError(404, 'not_found', NOT_FOUND);
      await renameNotFound(stacks.remove(name));
      return { name, status: 'removed' };
    },
  );

  app.get(
    '/agent/health',
    { config: compat, schema: { tags, summary: 'Uptime, running containers, memory and CPU (machine-lab)', response: { 200: CompatHealth, ...compatErrors(401, 503) } } },
    async () => {
      const counts = await host.containerCounts();
      if (!counts) throw new HttpError(503, 'docker_unavailable', `Docker engine unavailable: ${engine.current.reason ?? 'no answer'}`);
      return {
        uptime_seconds: Math.floor(uptime()),
        running_containers: counts.running,
        mem_percent: probe.memory().percent,
        cpu_percent: probe.cpuPercent(),
      };
    },
  );
};

async function renameNotFound(operation: Promise<void>): Promise<void> {
  try {
    await operation;
  } catch (err) {
    const known = asAgentError(err);
    if (known?.statusCode === 404) throw new HttpError(404, 'not_found', NOT_FOUND);
    throw err;
  }
}
