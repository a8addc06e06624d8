import type { FastifyRequest } from 'fastify';
import {
  DockerAbortError,
  DockerApiError,
  DockerConflictError,
  DockerError,
  DockerNotFoundError,
  DockerTimeoutError,
  DockerUnavailableError,
} from '../docker/index.js';
import { asHttpError, HttpError, type ErrorShape } from '../http/index.js';

export { badRequest, conflict, HttpError, notFound, unprocessable } from '../http/index.js';

export const limitReached = (message: string, details?: unknown) => new HttpError(409, 'limit_reached', message, details);

/** The engine's typed errors, as answers: what was missing, what conflicted, whether it is up. */
export function fromDockerError(err: DockerError): HttpError {
  if (err instanceof DockerNotFoundError) return new HttpError(404, 'not_found', err.reason || err.message);
  if (err instanceof DockerConflictError) return new HttpError(409, 'conflict', err.reason || err.message);
  if (err instanceof DockerUnavailableError) return new HttpError(503, 'docker_unavailable', `Docker engine unavailable: ${err.message}`);
  if (err instanceof DockerTimeoutError) return new HttpError(504, 'docker_timeout', err.message);
  if (err instanceof DockerAbortError) return new HttpError(499, 'aborted', err.message);
  if (err instanceof DockerApiError && err.status === 400) return new HttpError(400, 'invalid_request', err.reason || err.message);
  if (err instanceof DockerApiError) return new HttpError(502, 'docker_error', `the Docker engine refused: ${err.reason || err.message}`);
  return new HttpError(502, 'docker_error', err.message);
}

export function translateDockerError(err: unknown): HttpError | undefined {
  return err instanceof DockerError ? fromDockerError(err) : undefined;
}

/** Turns whatever was thrown into an HttpError, or undefined for a bug (an unexpected error). */
export function asAgentError(err: unknown): HttpError | undefined {
  return asHttpError(err, translateDockerError);
}

/** machine-lab's routes (`/agent/…`) answer `{"detail": …}`. */
export function shapeOf(request: FastifyRequest): ErrorShape {
  return request.routeOptions.config?.compat === true || request.url.startsWith('/agent/') ? 'detail' : 'error';
}
