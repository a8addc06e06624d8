import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Errors as values with a status: handlers throw them, one handler turns them into JSON. Routes
 * inherited from machine-lab answer `{"detail": …}` as FastAPI did; Shipshape's own routes answer
 * `{"error": {code, message, details}}` (ARCHITECTURE §7).
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string, details?: unknown) => new HttpError(400, 'invalid_request', message, details);
export const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message);
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);
export const notFound = (message: string) => new HttpError(404, 'not_found', message);
export const conflict = (message: string, details?: unknown) => new HttpError(409, 'conflict', message, details);
export const unprocessable = (message: string, details?: unknown) => new HttpError(422, 'unprocessable', message, details);

export type ErrorShape = 'detail' | 'error';

export function errorBody(shape: ErrorShape, code: string, message: string, details?: unknown): Record<string, unknown> {
  if (shape === 'detail') return { detail: message };
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

const CONTEXT_NAMES: Readonly<Record<string, string>> = { querystring: 'query', params: 'path', headers: 'header', body: 'body' };

/** Installs the error and not-found handlers. A 5xx never shows its message to the client. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    const shape = shapeOf(request);
    if (error instanceof HttpError) {
      if (error.statusCode >= 500) request.log.error({ err: error }, 'request failed');
      return send(reply, error.statusCode, errorBody(shape, error.code, error.message, error.details));
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      const context = CONTEXT_NAMES[fastifyError.validationContext ?? 'body'] ?? 'body';
      const issues = (fastifyError.validation as ValidationIssue[]).map((issue) => describeIssue(context, issue));
      if (shape === 'detail') return send(reply, 422, { detail: issues });
      const first = issues[0];
      return send(reply, 400, errorBody('error', 'invalid_request', first ? `${first.loc.join('.')}: ${first.msg}` : 'invalid request', issues));
    }
    const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return send(reply, status, errorBody(shape, 'internal', 'Internal server error'));
    }
    // Fastify's own 4xx: unparsable JSON, wrong content type, body too large, rate limit.
    const code = status === 413 ? 'too_large' : status === 415 ? 'unsupported_media_type' : status === 429 ? 'rate_limited' : 'invalid_request';
    return send(reply, status, errorBody(shape, code, fastifyError.message || 'invalid request'));
  });

  app.setNotFoundHandler((request, reply) => {
    send(reply, 404, errorBody(shapeOf(request), 'not_found', 'Not Found'));
  });
}

/** machine-lab's routes answer like FastAPI; everything else, including unknown routes, like Shipshape. */
function shapeOf(request: FastifyRequest): ErrorShape {
  return request.routeOptions.config?.errorShape ?? (isMachineLabPath(request.url) ? 'detail' : 'error');
}

export function isMachineLabPath(url: string): boolean {
  return /^\/(auth|hosts|containers)(\/|\?|$)/.test(url) && !url.startsWith('/auth/users');
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
