import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Errors as values with a status: handlers throw them, one handler turns them into JSON, the
 * same way on the agent and the manager (docs/security.md, "Errors"). Routes inherited from
 * machine-lab answer `{"detail": …}` as FastAPI did; Shipshape's own routes answer
 * `{"error": {code, message, details}}`.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Sent with the answer (`WWW-Authenticate`, `Retry-After`). */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string, details?: unknown) => new HttpError(400, 'invalid_request', message, details);
export const unauthorized = (message: string, headers?: Record<string, string>) => new HttpError(401, 'unauthorized', message, undefined, headers);
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);
export const notFound = (message: string) => new HttpError(404, 'not_found', message);
export const conflict = (message: string, details?: unknown) => new HttpError(409, 'conflict', message, details);
export const unprocessable = (message: string, details?: unknown, code = 'unprocessable') => new HttpError(422, code, message, details);
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new HttpError(429, 'rate_limited', message, undefined, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) });

export type ErrorShape = 'detail' | 'error';

/**
 * The body of an error answer. In machine-lab's shape, the findings that refused a deploy stay
 * next to `detail`, where its clients ignore them and people can read them.
 */
export function errorBody(shape: ErrorShape, code: string, message: string, details?: unknown): Record<string, unknown> {
  if (shape === 'detail') {
    const findings = (details as { findings?: unknown } | undefined)?.findings;
    return findings === undefined ? { detail: message } : { detail: message, findings };
  }
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

const CONTEXT_NAMES: Readonly<Record<string, string>> = { querystring: 'query', params: 'path', headers: 'header', body: 'body' };

export interface ErrorHandlerOptions {
  /** Which shape a request's errors take. */
  shapeOf: (request: FastifyRequest) => ErrorShape;
  /** The app's own typed errors (the Docker engine's, for the agent) as answers. */
  translate?: (err: unknown) => HttpError | undefined;
  /** Names where the details of a 500 are ("the agent's log"). */
  logName: string;
  /** Called before a 4xx goes out; throws the answer that replaces it (a limited source's 429). */
  beforeRefusal?: (request: FastifyRequest, status: number) => void;
}

/**
 * Installs the error and not-found handlers. Validation errors are 400 with every issue located
 * (`body.ports.0: must be integer`), 422 with FastAPI's list on machine-lab routes. A 5xx never
 * shows its message to the client, only the request id to look it up in the log.
 */
export function installErrorHandlers(app: FastifyInstance, options: ErrorHandlerOptions): void {
  app.setErrorHandler((thrown: unknown, request, reply) => {
    const shape = options.shapeOf(request);
    const err = replaced(thrown, request, options);
    const fastifyError = err as FastifyError;
    if (fastifyError?.validation) {
      const context = CONTEXT_NAMES[fastifyError.validationContext ?? 'body'] ?? 'body';
      const issues = (fastifyError.validation as ValidationIssue[]).map((issue) => describeIssue(context, issue));
      if (shape === 'detail') return send(reply, 422, { detail: issues });
      const first = issues[0];
      return send(reply, 400, errorBody('error', 'invalid_request', first ? `${first.loc.join('.')}: ${first.msg}` : 'invalid request', issues));
    }
    const known = asHttpError(err, options.translate);
    if (known) {
      if (known.statusCode >= 500) request.log.warn({ code: known.code, message: known.message }, 'request failed');
      if (known.headers) void reply.headers(known.headers);
      return send(reply, known.statusCode, errorBody(shape, known.code, known.message, known.details));
    }
    request.log.error({ err }, 'unexpected error');
    return send(reply, 500, errorBody(shape, 'internal', `Internal server error; the ${options.logName} log has the details (request id ${request.id})`));
  });

  app.setNotFoundHandler((request, reply) => {
    const shape = options.shapeOf(request);
    const limited = replaced(undefined, request, options, 404);
    if (limited instanceof HttpError) {
      void reply.headers(limited.headers ?? {});
      return send(reply, limited.statusCode, errorBody(shape, limited.code, limited.message));
    }
    return send(reply, 404, errorBody(shape, 'not_found', shape === 'detail' ? 'Not Found' : `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}

/** What `beforeRefusal` makes of a refusal: the error itself, or what it throws instead. */
function replaced(err: unknown, request: FastifyRequest, options: ErrorHandlerOptions, status?: number): unknown {
  const code = status ?? (err as { statusCode?: unknown })?.statusCode;
  if (!options.beforeRefusal || typeof code !== 'number' || code < 400 || code >= 500 || code === 429) return err;
  try {
    options.beforeRefusal(request, code);
  } catch (instead) {
    return instead;
  }
  return err;
}

/** Whatever was thrown, as an answer for the caller; undefined for a bug. */
export function asHttpError(err: unknown, translate?: (err: unknown) => HttpError | undefined): HttpError | undefined {
  if (err instanceof HttpError) return err;
  const translated = translate?.(err);
  if (translated) return translated;
  const fastifyError = err as Partial<FastifyError> | undefined;
  if (fastifyError?.validation) return new HttpError(400, 'invalid_request', fastifyError.message ?? 'invalid request', fastifyError.validation);
  const status = fastifyError?.statusCode;
  // Fastify's own 4xx (unparsable JSON, wrong content type, body too large, rate limit) and the
  // multipart parser's carry messages meant for callers.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(status, codeOfStatus(status), fastifyError?.message || 'invalid request');
  }
  return undefined;
}

function codeOfStatus(status: number): string {
  if (status === 413) return 'too_large';
  if (status === 415 || status === 406) return 'unsupported_media_type';
  if (status === 429) return 'rate_limited';
  return 'invalid_request';
}

function describeIssue(context: string, issue: ValidationIssue): { loc: string[]; msg: string; type: string } {
  const loc = [context, ...(issue.instancePath ?? '').split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))];
  const missing = issue.params?.missingProperty;
  if (typeof missing === 'string') loc.push(missing);
  const extra = issue.params?.additionalProperty;
  if (typeof extra === 'string') loc.push(extra);
  const msg = issue.keyword === 'additionalProperties' ? 'unknown field' : issue.keyword === 'required' ? 'field required' : issue.message ?? 'invalid';
  return { loc, msg, type: issue.keyword ?? 'invalid' };
}

function send(reply: FastifyReply, status: number, body: Record<string, unknown>): FastifyReply {
  // A response schema must not strip the error body, so it is sent as prepared JSON.
  return reply.code(status).type('application/json; charset=utf-8').serializer(JSON.stringify).send(body);
}
