export * from './errors.js';
export * from './guard.js';
export * from './openapi.js';
export * from './principal.js';
export type { Access } from './fastify-types.js';
export * from './event-stream.js';
