import { PassThrough } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ProgressEvent } from '../contract/index.js';
import { errorBody, HttpError } from '../http/index.js';
import { asAgentError } from './errors.js';

export const NDJSON = 'application/x-ndjson';

/** Open streams of each app, ended when it closes: a followed log never ends by itself. */
const openStreams = new WeakMap<object, Set<PassThrough>>();

function track(request: FastifyRequest, out: PassThrough): void {
  let streams = openStreams.get(request.server);
  if (!streams) openStreams.set(request.server, (streams = new Set()));
  streams.add(out);
  out.once('close', () => streams.delete(out));
}

/** Ends every stream the app still sends (its preClose hook). */
export function endOpenStreams(app: object): void {
  for (const out of openStreams.get(app) ?? []) out.end();
}

/** Whether the caller asked for a stream of JSON lines (`Accept: application/x-ndjson`). */
export function wantsNdjson(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && accept.toLowerCase().includes(NDJSON);
}

/**
 * An AbortSignal that fires when the caller goes away (or the answer is complete), so a followed
 * log or a stats stream stops reading from the engine as soon as nobody listens. The response's
 * `close` is the event that means this; the request's fires as soon as its body is read.
 */
export function callerGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => controller.abort());
  return controller.signal;
}

/**
 * Runs a long operation with its progress streamed as JSON lines: `progress` lines while it
 * works, then one `result` line (the status and body the plain request would have answered)
 * or one `error` line. The HTTP status is 200 as soon as the stream starts.
 */
export function streamOperation(
  request: FastifyRequest,
  reply: FastifyReply,
  run: (progress: (event: ProgressEvent) => void) => Promise<{ status: number; body: unknown }>,
): FastifyReply {
  const out = new PassThrough();
  const write = (event: ProgressEvent) => {
    if (!out.writableEnded) out.write(`${JSON.stringify(event)}\n`);
  };
  void (async () => {
    try {
      const { status, body } = await run(write);
      write({ type: 'result', status, body });
    } catch (err) {
      const known = asAgentError(err);
      if (!known) request.log.error({ err }, 'unexpected error in a streamed operation');
      const error = known ?? new HttpError(500, 'internal', `internal error; the agent's log has the details (request id ${request.id})`);
      write({ type: 'error', status: error.statusCode, body: errorBody('error', error.code, error.message, error.details) });
    } finally {
      out.end();
    }
  })();
  return reply.code(200).type(NDJSON).send(out);
}

/**
 * Streams `items`, one line each as `render` writes it, ending when they end or the caller
 * leaves. An error after the stream started can only end it early; it is logged.
 */
export function streamItems<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  items: AsyncIterable<T>,
  contentType: string,
  render: (item: T) => string,
): FastifyReply {
  const out = new PassThrough();
  track(request, out);
  void (async () => {
    try {
      for await (const item of items) {
        if (out.destroyed) break;
        out.write(`${render(item)}\n`);
      }
    } catch (err) {
      const known = asAgentError(err);
      if (!known) request.log.error({ err }, 'stream failed');
      else request.log.warn({ reason: known.message }, 'stream ended early');
    } finally {
      out.end();
    }
  })();
  return reply.code(200).type(contentType).send(out);
}

/** Log lines as text (one per line) or, when the caller asked for them, as JSON lines. */
export function streamLogLines<T extends { line: string }>(request: FastifyRequest, reply: FastifyReply, lines: AsyncIterable<T>, text: (item: T) => string = (item) => item.line): FastifyReply {
  return wantsNdjson(request)
    ? streamItems(request, reply, lines, NDJSON, (item) => JSON.stringify(item))
    : streamItems(request, reply, lines, 'text/plain; charset=utf-8', text);
}
