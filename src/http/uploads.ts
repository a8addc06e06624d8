import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { asHttpError, badRequest, HttpError } from './errors.js';

/**
 * Writes an uploaded stream to `path` (new, mode 0600) and stops at `maxBytes`, so an upload
 * never sits in memory and never outgrows its limit on disk. What goes wrong with the upload
 * itself (a multipart body cut short or garbled, a part over its limit) is the caller's fault:
 * 400 or 413, never 500. A failure of the disk stays a failure of the server.
 */
export async function spoolUpload(content: Readable, path: string, maxBytes: number, tooLarge: (maxBytes: number) => HttpError): Promise<number> {
  let seen = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(tooLarge(maxBytes));
      else callback(null, chunk);
    },
  });
  try {
    await pipeline(content, cap, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
    // The multipart parser marks a part it cut at its own size limit instead of failing it.
    if ((content as Readable & { truncated?: boolean }).truncated) throw tooLarge(maxBytes);
    return seen;
  } catch (err) {
    await rm(path, { force: true });
    if (err instanceof HttpError) throw err;
    // The disk's errors name their system call; anything else came from the upload itself: cut
    // short, garbled, over a parser limit.
    if ((err as NodeJS.ErrnoException).syscall !== undefined) throw err;
    throw malformedUpload(err);
  }
}

/** The one file part of a multipart request, or a 400 that says what was wrong with the body. */
export async function multipartFile(request: FastifyRequest, field: string, limits: { fileSize: number }): Promise<Readable & { truncated?: boolean }> {
  if (!request.isMultipart()) throw badRequest(`send the package as multipart/form-data, in the field "${field}"`);
  let part;
  try {
    part = await request.file({ limits: { fileSize: limits.fileSize, files: 1, fields: 10, parts: 20, fieldSize: 4096, headerPairs: 100 } });
  } catch (err) {
    throw malformedUpload(err);
  }
  if (!part || part.fieldname !== field) throw badRequest(`the multipart field "${field}" is required: the package`);
  return part.file;
}

/** An error met while reading an upload, as the caller's 4xx. */
export function malformedUpload(err: unknown): HttpError {
  const known = asHttpError(err);
  if (known) return known;
  const message = ((err as Error)?.message ?? String(err)).replace(/[\x00-\x1f\x7f]/g, '?').slice(0, 200);
  return badRequest(`malformed upload: ${message}`);
}
