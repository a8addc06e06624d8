import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  DockerAbortError,
  DockerApiError,
  DockerConflictError,
  DockerError,
  DockerNotFoundError,
  DockerTimeoutError,
  DockerUnavailableError,
} from '../docker/index.js';

/**
 * An error meant for the caller: its status, a stable machine-readable code, a message written
 * for people, and optional details (the findings that refused a deploy, the limit that was hit).
 * Anything else that reaches the error handler is a bug and is answered with a bare 500.
 */
export class AgentError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AgentError';
  }
}

export const badRequest = (message: string, details?: unknown) => new AgentError(400, 'bad_request', message, details);
export const notFound = (message: string) => new AgentError(404, 'not_found', message);
export const conflict = (message: string, details?: unknown) => new AgentError(409, 'conflict', message, details);
export const limitReached = (message: string, details?: unknown) => new AgentError(409, 'limit_reached', message, details);
export const unprocessable = (code: string, message: string, details?: unknown) => new AgentError(422, code, message, details);

/** The engine's typed errors, as answers: what was missing, what conflicted, whether it is up. */
export function fromDockerError(err: DockerError): AgentError {
  if (err instanceof DockerNotFoundError) return new AgentError(404, 'not_found', err.reason || err.message);
  if (err instanceof DockerConflictError) return new AgentError(409, 'conflict', err.reason || err.message);
  if (err instanceof DockerUnavailableError) return new AgentError(503, 'docker_unavailable', `Docker engine unavailable: ${err.message}`);
  if (err instanceof DockerTimeoutError) return new AgentError(504, 'docker_timeout', err.message);
  if (err instanceof DockerAbortError) return new AgentError(499, 'aborted', err.message);
  if (err instanceof DockerApiError && err.status === 400) return new AgentError(400, 'bad_request', err.reason || err.message);
  if (err instanceof DockerApiError) return new AgentError(502, 'docker_error', `the Docker engine refused: ${err.reason || err.message}`);
  return new AgentError(502, 'docker_error', err.message);
}

/** Turns whatever was thrown into an AgentError, or undefined for a bug (an unexpected error). */
export function asAgentError(err: unknown): AgentError | undefined {
  if (err instanceof AgentError) return err;
  if (err instanceof DockerError) return fromDockerError(err);
  const fastifyError = err as Partial<FastifyError> | undefined;
  if (fastifyError?.validation) return new AgentError(400, 'validation', fastifyError.message ?? 'invalid request', fastifyError.validation);
  const status = fastifyError?.statusCode;
  // Fastify's own 4xx (bad JSON, body too large, wrong content type) carry messages meant for callers.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AgentError(status, codeOfFastifyError(fastifyError?.code), fastifyError?.message ?? 'bad request');
  }
  return undefined;
}

function codeOfFastifyError(code: string | undefined): string {
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return 'too_large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported_media_type';
    default:
      return 'bad_request';
  }
}

/** `{error: {code, message, details?}}`, ARCHITECTURE §7. */
export function errorBody(err: AgentError): { error: { code: string; message: string; details?: unknown } } {
  return { error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } };
}

/**
 * machine-lab's shape, `{"detail": …}`, for its routes. Its validation errors were FastAPI's: 422
 * with a list of `{loc, msg, type}`; the machine-lab manager shows whatever text comes back.
 */
export function compatBody(err: AgentError): { status: number; body: Record<string, unknown> } {
  if (err.code === 'validation' && Array.isArray(err.details)) {
    const detail = (err.details as { instancePath?: string; message?: string; params?: { missingProperty?: string } }[]).map((v) => ({
      loc: ['body', ...pathOf(v.instancePath, v.params?.missingProperty)],
      msg: v.message ?? 'invalid',
      type: 'value_error',
    }));
    return { status: 422, body: { detail } };
  }
  const body: Record<string, unknown> = { detail: err.message };
  const findings = (err.details as { findings?: unknown } | undefined)?.findings;
  if (findings !== undefined) body.findings = findings;
  return { status: err.statusCode, body };
}

function pathOf(instancePath: string | undefined, missing: string | undefined): string[] {
  const parts = (instancePath ?? '').split('/').filter(Boolean);
  return missing ? [...parts, missing] : parts;
}

/** Route config flag: the route answers errors in machine-lab's shape. */
export interface RouteFlags {
  public?: boolean;
  compat?: boolean;
}

export function isCompatRequest(request: FastifyRequest): boolean {
  return (request.routeOptions.config as RouteFlags | undefined)?.compat === true || request.url.startsWith('/agent/');
}

/** The app's error handler: known errors as JSON, bugs as a 500 that names only the request id. */
export function handleError(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const known = asAgentError(err);
  if (!known) {
    request.log.error({ err }, 'unexpected error');
  } else if (known.statusCode >= 500) {
    request.log.warn({ code: known.code, message: known.message }, 'request failed');
  }
  const error = known ?? new AgentError(500, 'internal', `internal error; the agent's log has the details (request id ${request.id})`);
  if (isCompatRequest(request)) {
    const { status, body } = compatBody(error);
    void reply.code(status).send(body);
    return;
  }
  void reply.code(error.statusCode).send(errorBody(error));
}
