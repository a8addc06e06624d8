import { mkdir, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { LogsQuery, StackAction, StackDeployRequest, StackDetail, StackSummary, type StackFile } from '../../contract/index.js';
import type { PackageLimits } from '../config.js';
import { badRequest } from '../errors.js';
import { checkRelativePath } from '../names.js';
import type { PackageStore } from '../package-store.js';
import { callerGone, streamLogLines, streamOperation, wantsNdjson } from '../streaming.js';
import { errors, StackParams, StreamResponse } from './schemas.js';

/** Compose deployments through the engine. */
export const stackRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { stacks, packages, config } = app.agent;
  const tags = ['stacks'];

  app.get(
    '/stacks',
    { schema: { tags, summary: 'List stacks', response: { 200: Type.Array(StackSummary), ...errors(401) } } },
    async () => stacks.list(),
  );

  app.post(
    '/stacks',
    {
      // compose + files arrive inline; base64 makes them a third bigger.
      bodyLimit: Math.ceil(config.packageLimits.maxExpandedBytes * 1.4) + 2 ** 20,
      schema: {
        tags,
        summary: 'Deploy a stack from compose YAML (plus files) or from an uploaded package; analyzed first',
        description:
          'The stack is analyzed before anything is created; findings at or above the agent\'s gate refuse it with 422 and the ' +
          'findings. With `Accept: application/x-ndjson` the progress is streamed as JSON lines, ending with a `result` or `error` line.',
        body: StackDeployRequest,
        response: { 201: StackDetail, ...errors(400, 401, 404, 409, 413, 422, 503) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (body.package_id !== undefined && (body.compose !== undefined || body.files !== undefined)) {
        throw badRequest('give either package_id or compose (with files), not both');
      }
      const materialize =
        body.package_id !== undefined ? fromPackage(packages, body.package_id) : fromBody(body.compose, body.files ?? [], config.packageLimits);
      const gone = callerGone(reply);
      const deploy = (progress?: Parameters<typeof stacks.deploy>[1]) =>
        stacks.deploy({ name: body.name, source: body.package_id !== undefined ? 'package' : 'compose', materialize, callerGone: gone }, progress);
      if (wantsNdjson(request)) return streamOperation(request, reply, async (progress) => ({ status: 201, body: await deploy(progress) }));
      return reply.code(201).send(await deploy());
    },
  );

  app.get(
    '/stacks/:name',
    { schema: { tags, summary: 'A stack, its services and containers, and its analysis findings', params: StackParams, response: { 200: StackDetail, ...errors(401, 404, 409, 503) } } },
    async (request) => stacks.get(request.params.name),
  );

  app.delete(
    '/stacks/:name',
    {
      schema: {
        tags,
        summary: 'Remove a stack: its containers, networks, volumes (unless keep_volumes=true), built images and files',
        params: StackParams,
        querystring: Type.Object({ keep_volumes: Type.Optional(Type.Boolean({ default: false })) }),
        response: { 200: StackAction, ...errors(401, 404, 409, 503) },
      },
    },
    async (request) => {
      await stacks.remove(request.params.name, { keepVolumes: request.query.keep_volumes ?? false });
      return { name: request.params.name, status: 'removed' as const };
    },
  );

  app.post(
    '/stacks/:name/restart',
    {
      schema: {
        tags,
        summary: 'Restart the stack\'s containers (rebuild=true: rebuild images and recreate what changed)',
        params: StackParams,
        querystring: Type.Object({ rebuild: Type.Optional(Type.Boolean({ default: false })) }),
        response: { 200: StackAction, ...errors(401, 404, 409, 422, 503) },
      },
    },
    async (request) => {
      await stacks.restart(request.params.name, { rebuild: request.query.rebuild ?? false });
      return { name: request.params.name, status: 'restarted' as const };
    },
  );

  app.get(
    '/stacks/:name/logs',
    {
      schema: {
        tags,
        summary: 'The output of every container of the stack, prefixed with its service; follow=true keeps it open',
        params: StackParams,
        querystring: Type.Omit(LogsQuery, ['since']),
        response: { 200: StreamResponse, ...errors(401, 404, 503) },
      },
    },
    async (request, reply) => {
      const { follow, tail, timestamps } = request.query;
      const lines = await stacks.logs(request.params.name, {
        follow: follow ?? false,
        timestamps: timestamps ?? false,
        ...(tail !== undefined ? { tail } : {}),
        signal: callerGone(reply),
      });
      return streamLogLines(request, reply, lines, (l) => `${l.container} | ${l.line}`);
    },
  );
};

function fromPackage(packages: PackageStore, id: string) {
  return async (dir: string) => {
    // The package's folder takes the place of the empty one the deploy made.
    await rmdir(dir);
    await packages.take(id, dir);
  };
}

/**
 * Writes compose.yaml and the files of the request. Paths are checked as package entries are;
 * every file is new (`wx`) and no links are made, so nothing can be written outside the folder.
 */
function fromBody(compose: string | undefined, files: StackFile[], limits: PackageLimits) {
  const prepared: { path: string; data: Buffer }[] = [];
  let total = 0;
  for (const file of files) {
    const checked = checkRelativePath(file.path);
    if ('error' in checked) throw badRequest(`file path "${file.path.slice(0, 200)}" ${checked.error}`);
    if (file.encoding === 'base64' && !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(file.content)) throw badRequest(`file ${checked.path} is not valid base64`);
    const data = Buffer.from(file.content, file.encoding === 'base64' ? 'base64' : 'utf8');
    total += data.length;
    prepared.push({ path: checked.path, data });
  }
  if (compose !== undefined) {
    if (prepared.some((f) => /^(compose|docker-compose)\.ya?ml$/.test(f.path))) {
      throw badRequest('compose is given and files hold a compose file too; send one of them');
    }
    prepared.unshift({ path: 'compose.yaml', data: Buffer.from(compose, 'utf8') });
    total += Buffer.byteLength(compose);
  }
  if (prepared.length > limits.maxEntries) throw badRequest(`more than ${limits.maxEntries} files`);
  if (total > limits.maxExpandedBytes) throw badRequest(`the files add up to more than ${limits.maxExpandedBytes} bytes`);
  const seen = new Set<string>();
  for (const f of prepared) {
    if (seen.has(f.path)) throw badRequest(`file ${f.path} is given twice`);
    seen.add(f.path);
  }
  return async (dir: string) => {
    for (const f of prepared) {
      const target = join(dir, f.path);
      try {
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, f.data, { flag: 'wx', mode: 0o644 });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') throw badRequest(`file ${f.path} is both a file and a folder`);
        throw err;
      }
    }
  };
}
