import type { IncomingMessage } from 'node:http';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DeploymentLogsQuery, type DeploymentLogEvent } from '../../contract/index.js';
import type { ManagerContext } from '../context.js';
import { conflict, HttpError, notFound, USER_SECURITY as SECURED } from '../http/index.js';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
/** A client this far behind is dropped rather than buffered without end. */
const MAX_BUFFERED_BYTES = 1 << 20;
/** One line, at most; longer ones are cut (a binary blob written to stdout). */
const MAX_LINE_CHARS = 16_384;
/** What of an agent's refusal is read for the error message. */
const MAX_REFUSAL_BYTES = 4_096;

/**
 * GET /deployments/:id/logs: the stack's output from its agent, as server-sent events
 * (`event: log`, then `event: end`). The manager relays the agent's stream line by line; when
 * the client goes, the agent's stream is closed at once (docs/manager.md, "Fleet operations").
 */
export const logRoutes: FastifyPluginAsyncTypebox<{ ctx: ManagerContext }> = async (app, { ctx }) => {
  const { repo, deployer, fleet } = ctx;

  app.get(
    '/deployments/:id/logs',
    {
      schema: {
        tags: ['deployments'],
        summary: "A deployment's logs as server-sent events, through its host's agent; follow=1 keeps the stream open",
        description: '`event: log` with `{stream, line, service, container}`, and `event: end` with `{reason}` before the stream closes.',
        security: SECURED,
        params: Params,
        querystring: DeploymentLogsQuery,
        produces: ['text/event-stream'],
      },
      config: { access: 'operator' },
    },
    async (request, reply) => {
      const deployment = await repo.getDeployment(request.params.id);
      if (!deployment) throw notFound('Deployment not found');
      const host = deployment.hostId ? await repo.getHost(deployment.hostId) : undefined;
      if (!host) throw conflict('The deployment has no host');
      const release = ctx.streams.reserve(request.principal!.userId);
      const follow = request.query.follow === '1' || request.query.follow === 'true';
      const tail = request.query.tail ?? 200;
      let upstream: IncomingMessage;
      const controller = new AbortController();
      try {
        try {
          upstream = await fleet.agents.open(
            await deployer.target(host),
            `/stacks/${encodeURIComponent(deployment.name)}/logs?follow=${follow}&tail=${tail}`,
            AbortSignal.any([controller.signal, AbortSignal.timeout(follow ? 2 ** 31 - 1 : 120_000)]),
            { accept: 'application/x-ndjson' },
          );
        } catch (err) {
          throw new HttpError(502, 'agent_failed', `The agent did not answer: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
        if (upstream.statusCode !== 200) {
          const why = await readSome(upstream);
          controller.abort();
          if (upstream.statusCode === 404) throw notFound(`The agent has no stack ${deployment.name}${why ? `: ${why}` : ''}`);
          throw new HttpError(502, 'agent_failed', `The agent answered HTTP ${upstream.statusCode}${why ? `: ${why}` : ''}`);
        }
      } catch (err) {
        release();
        throw err;
      }

      const res = ctx.streams.start(request, reply, `: logs of ${deployment.name} on ${host.hostname}\n\n`, 'event: end\ndata: {"reason":"manager stopping"}\n\n');
      let ended = false;
      const finish = (reason: string) => {
        if (ended) return;
        ended = true;
        controller.abort();
        upstream.destroy();
        release();
        if (!res.destroyed && !res.writableEnded) res.end(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
      };
      res.on('close', () => finish('client gone'));
      let pending = '';
      upstream.setEncoding('utf8');
      upstream.on('data', (chunk: string) => {
        pending += chunk;
        let newline: number;
        while ((newline = pending.indexOf('\n')) >= 0) {
          const text = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (text.trim() === '') continue;
          const event = logEvent(text);
          if (!event) continue;
          if (res.writableLength > MAX_BUFFERED_BYTES) {
            finish('the client reads too slowly');
            return;
          }
          res.write(`event: log\ndata: ${JSON.stringify(event)}\n\n`);
        }
        // A line without an end this long is cut here, so a stream without newlines stays bounded.
        if (pending.length > MAX_LINE_CHARS) {
          const event = logEvent(JSON.stringify({ stream: 'stdout', line: pending }));
          pending = '';
          if (event) res.write(`event: log\ndata: ${JSON.stringify(event)}\n\n`);
        }
      });
      upstream.on('end', () => finish(follow ? 'the agent ended the stream' : 'end of logs'));
      upstream.on('error', () => finish('the agent stream broke'));
    },
  );
};

function logEvent(text: string): DeploymentLogEvent | undefined {
  let parsed: { stream?: unknown; line?: unknown; service?: unknown; container?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    return undefined;
  }
  if (typeof parsed.line !== 'string') return undefined;
  return {
    stream: parsed.stream === 'stderr' ? 'stderr' : 'stdout',
    line: parsed.line.length > MAX_LINE_CHARS ? parsed.line.slice(0, MAX_LINE_CHARS) : parsed.line,
    ...(typeof parsed.service === 'string' ? { service: parsed.service } : {}),
    ...(typeof parsed.container === 'string' ? { container: parsed.container } : {}),
  };
}

async function readSome(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= MAX_REFUSAL_BYTES) break;
    }
  } catch {
    // What arrived is enough.
  }
  const text = Buffer.concat(chunks).toString('utf8').slice(0, MAX_REFUSAL_BYTES);
  try {
    const body = JSON.parse(text) as { error?: { message?: string }; detail?: unknown };
    return String(body.error?.message ?? body.detail ?? '').slice(0, 300);
  } catch {
    return text.replace(/[\x00-\x1f\x7f]/g, ' ').slice(0, 300);
  }
}
