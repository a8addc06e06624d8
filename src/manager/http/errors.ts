import type { FastifyRequest } from 'fastify';
import type { ErrorShape } from '../../http/index.js';

export { badRequest, conflict, errorBody, forbidden, HttpError, notFound, tooManyRequests, unauthorized, unprocessable, type ErrorShape } from '../../http/index.js';

/** machine-lab's routes answer like FastAPI; everything else, including unknown routes, like Shipshape. */
export function shapeOf(request: FastifyRequest): ErrorShape {
  return request.routeOptions.config?.errorShape ?? (isMachineLabPath(request.url) ? 'detail' : 'error');
}

export function isMachineLabPath(url: string): boolean {
  return /^\/(auth|hosts|containers)(\/|\?|$)/.test(url) && !url.startsWith('/auth/users');
}
