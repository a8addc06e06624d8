import { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { installErrorHandlers, type ErrorHandlerOptions } from './errors.js';
import { RefusalGuard, REFUSALS, type RefusalLimits } from './refusals.js';
import { echoRequestId, requestId } from './request-id.js';
import { useValidationPolicy } from './validation.js';

/**
 * What the agent and the manager build their Fastify servers with: request ids, and their own
 * request log (Fastify's writes two lines per request, refused ones too).
 */
export function serverOptions() {
  return {
    genReqId: requestId,
    requestIdHeader: false,
    logController: new LogController({ disableRequestLogging: true }),
  } as const satisfies Partial<FastifyServerOptions>;
}

export interface PlumbingOptions extends ErrorHandlerOptions {
  refusals: RefusalLimits;
}

/**
 * Installs, in this order, what every request meets first on both apps: the refusal guard, the
 * request id echoed back, the validation policy, the error and not-found handlers, and one log
 * line per answered request; refused ones are summarized by the guard instead.
 */
export function installPlumbing(app: FastifyInstance, options: PlumbingOptions): RefusalGuard {
  const guard = new RefusalGuard(app.log, options.refusals);
  guard.install(app);
  echoRequestId(app);
  useValidationPolicy(app);
  installErrorHandlers(app, { ...options, beforeRefusal: (request, status) => REFUSALS.has(status) && guard.check(request.ip) });
  app.addHook('onResponse', async (request, reply) => {
    if (guard.note(request, reply.statusCode)) return;
    request.log.info({ method: request.method, url: request.url.split('?')[0], statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request completed');
  });
  return guard;
}
