import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';

const KEEPALIVE_MS = 15_000;

/**
 * The manager's server-sent event streams (`GET /events` and the log streams): one count of open
 * streams per user across all of them (`EVENTS_MAX_STREAMS`), the same headers and keep-alives,
 * and every stream ended when the manager closes, or close() would wait for the clients.
 */
export class EventStreams {
  private readonly perUser = new Map<string, number>();
  private readonly open = new Map<ServerResponse, string>();

  constructor(private readonly limit: number) {}

  /** Counts one more open stream of the user's (429 past the limit); the release it returns runs once. */
  reserve(userId: string): () => void {
    const count = this.perUser.get(userId) ?? 0;
    if (count >= this.limit) {
      throw new HttpError(429, 'rate_limited', `At most ${this.limit} event and log streams per user are open at once; close one first`, undefined, { 'retry-after': '5' });
    }
    this.perUser.set(userId, count + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const left = (this.perUser.get(userId) ?? 1) - 1;
      if (left > 0) this.perUser.set(userId, left);
      else this.perUser.delete(userId);
    };
  }

  /**
   * Takes the reply over and opens the stream with `first` (SSE text). `last` is what it is ended
   * with when the manager closes. Keep-alives run until the client or the server ends it.
   */
  start(request: FastifyRequest, reply: FastifyReply, first: string, last = ''): ServerResponse {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': String(request.id),
    });
    res.write(first);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    this.open.set(res, last);
    res.on('close', () => {
      clearInterval(keepalive);
      this.open.delete(res);
    });
    return res;
  }

  /** Ends every open stream: the manager is closing. */
  endAll(): void {
    for (const [res, last] of this.open) res.end(last);
  }
}
