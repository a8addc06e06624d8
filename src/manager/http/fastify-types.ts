import type { ErrorShape } from './errors.js';
import type { Principal } from './principal.js';

/** Who may call a route: anyone, an agent with its server key, or a user with at least a role. */
export type Access = 'public' | 'host' | 'viewer' | 'operator' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    errorShape?: ErrorShape;
  }
  interface FastifyRequest {
    /** Set by the authentication hook on routes that need a user. */
    principal?: Principal;
  }
}
