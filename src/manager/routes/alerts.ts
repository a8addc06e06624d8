import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DeliveriesQuery, Webhook, WebhookCreateRequest, WebhookDelivery } from '../../contract/index.js';
import { DestinationRefused, parseWebhookUrl, resolveDestination, sealSecret } from '../alerts/index.js';
import type { ManagerContext } from '../context.js';
import type { DeliveryRecord, WebhookRecord } from '../fleet/index.js';
import { badRequest, conflict, notFound, USER_SECURITY as SECURED } from '../http/index.js';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
/** Webhooks a manager keeps: each event is one delivery per webhook that wants it. */
const MAX_WEBHOOKS = 100;

/** Webhook alerts (docs/alerts.md): admins only, since a webhook makes the manager send requests. */
export const alertRoutes: FastifyPluginAsyncTypebox<{ ctx: ManagerContext }> = async (app, { ctx }) => {
  const { fleet, audit, now, config } = ctx;
  const tags = ['alerts'];
  const admin = { access: 'admin' as const };

  app.post(
    '/alerts/webhooks',
    {
      schema: {
        tags,
        summary: 'Add a webhook: these events are POSTed to its URL as JSON, signed with its secret',
        description:
          'X-Shipshape-Signature: sha256=<hex HMAC-SHA256 of the body with the secret>. The URL must point where ALERT_WEBHOOK_ALLOW allows ' +
          '(without it: public addresses only). The secret is never shown again.',
        security: SECURED,
        body: WebhookCreateRequest,
        response: { 201: Webhook },
      },
      config: admin,
      bodyLimit: 16 * 1024,
    },
    async (request, reply) => {
      const body = request.body;
      let url: URL;
      try {
        url = parseWebhookUrl(body.url);
        await resolveDestination(url, config.fleet.webhookAllow);
      } catch (err) {
        if (!(err instanceof DestinationRefused)) throw err;
        await audit.record(request, { action: 'alert.webhook.create', outcome: 'denied', details: { origin: originOf(body.url), reason: err.message } });
        throw badRequest(err.message);
      }
      if ((await fleet.store.listWebhooks()).length >= MAX_WEBHOOKS) throw conflict(`At most ${MAX_WEBHOOKS} webhooks; delete one first`);
      const hook: WebhookRecord = {
        id: randomUUID(),
        url: url.toString(),
        events: [...new Set(body.events)],
        secretSealed: sealSecret(body.secret, ctx.secret),
        description: body.description ?? null,
        createdBy: request.principal!.email,
        createdAt: now(),
      };
      await fleet.store.insertWebhook(hook);
      // The URL's path and query may be a credential themselves (chat webhooks are): only its origin is audited.
      await audit.record(request, { action: 'alert.webhook.create', target: hook.id, details: { origin: url.origin, events: hook.events } });
      reply.code(201);
      return webhookView(hook);
    },
  );

  app.get(
    '/alerts/webhooks',
    { schema: { tags, summary: 'The webhooks (their secrets are never shown)', security: SECURED, response: { 200: Type.Array(Webhook) } }, config: admin },
    async () => (await fleet.store.listWebhooks()).map(webhookView),
  );

  app.delete(
    '/alerts/webhooks/:id',
    { schema: { tags, summary: 'Delete a webhook and its delivery log', security: SECURED, params: Params, response: { 204: Type.Null() } }, config: admin },
    async (request, reply) => {
      if (!(await fleet.store.deleteWebhook(request.params.id))) throw notFound('Webhook not found');
      await audit.record(request, { action: 'alert.webhook.delete', target: request.params.id });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/alerts/deliveries',
    {
      schema: { tags, summary: 'The delivery log, newest first: every alert sent or being retried, with the last outcome', security: SECURED, querystring: DeliveriesQuery, response: { 200: Type.Array(WebhookDelivery) } },
      config: admin,
    },
    async (request) => {
      const { webhook_id, status, limit } = request.query;
      return (await fleet.store.listDeliveries({ webhookId: webhook_id, status, limit: limit ?? 100 })).map(deliveryView);
    },
  );
};

function originOf(text: string): string | null {
  try {
    return new URL(text).origin;
  } catch {
    return null;
  }
}

function webhookView(hook: WebhookRecord): Webhook {
  return {
    id: hook.id,
    url: hook.url,
    events: hook.events,
    description: hook.description,
    created_by: hook.createdBy,
    created_at: new Date(hook.createdAt).toISOString(),
  };
}

function deliveryView(d: DeliveryRecord): WebhookDelivery {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: d.id,
    webhook_id: d.webhookId,
    event: d.event,
    event_id: d.eventId,
    status: d.status,
    attempts: d.attempts,
    last_status: d.lastStatus,
    last_error: d.lastError,
    created_at: new Date(d.createdAt).toISOString(),
    next_attempt_at: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
    delivered_at: iso(d.deliveredAt),
  };
}
