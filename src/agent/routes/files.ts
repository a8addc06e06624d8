import type { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PackageUploaded } from '../../contract/index.js';
import { badRequest, multipartFile } from '../../http/index.js';
import { errors } from './schemas.js';

/** Archive types that may also be sent as the whole body (`curl --data-binary @stack.tar.gz`). */
const RAW_TYPES = ['application/zip', 'application/gzip', 'application/x-gzip', 'application/x-tar', 'application/octet-stream'];

/** Package uploads: unpacked and checked at once, then deployed with POST /stacks {package_id}. */
export const fileRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { packages, config } = app.agent;
  const limits = config.packageLimits;
  await app.register(multipart, {
    limits: { fileSize: limits.maxArchiveBytes, files: 1, fields: 4, parts: 5, fieldSize: 1024, headerPairs: 100 },
  });
  // The stream goes to the package store as it arrives; nothing buffers the archive in memory.
  app.addContentTypeParser(RAW_TYPES, (_request, payload, done) => done(null, payload));

  app.post(
    '/files',
    {
      schema: {
        tags: ['files'],
        summary: 'Upload a package (tar, tar.gz or zip): multipart field "file", or the archive as the body',
        description:
          'Refused: entries with "..", absolute paths, links leading out of the package, devices, and packages past the ' +
          'size, file count or compression ratio limits. The unpacked package waits for POST /stacks {package_id} and is ' +
          'removed when used or when it expires.',
        consumes: ['multipart/form-data', ...RAW_TYPES],
        response: { 201: PackageUploaded, ...errors(400, 401, 413, 422) },
      },
    },
    async (request, reply) => {
      let content: Readable;
      if (request.isMultipart()) {
        content = await multipartFile(request, 'file', { fileSize: limits.maxArchiveBytes });
      } else {
        content = request.body as Readable;
        if (!content || typeof (content as Partial<Readable>).pipe !== 'function') {
          throw badRequest(`send the package as multipart/form-data or with Content-Type ${RAW_TYPES.join(', ')}`);
        }
      }
      const uploaded = await packages.upload(content);
      request.log.info({ package: uploaded.id, files: uploaded.files, bytes: uploaded.bytes, format: uploaded.format }, 'package uploaded');
      return reply.code(201).send(uploaded);
    },
  );
};
