import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { AlertEventType, AlertPayload, ManagerEvent } from '../../contract/index.js';
import type { EventBus } from '../events.js';
import type { DeliveryRecord, FleetConfig, FleetStore } from '../fleet/index.js';
import { DestinationRefused, parseWebhookUrl, resolveDestination } from './destination.js';
import { openSecret, signatureOf } from './secrets.js';
import { postJson } from './send.js';

export interface AlertsOptions {
  store: FleetStore;
  config: FleetConfig;
  events: EventBus;
  /** The manager's signing secret: webhook secrets are sealed with a key derived from it. */
  secret: string;
  now: () => number;
  log: FastifyBaseLogger;
  instanceId: string;
  /** Milliseconds before the second attempt; doubled for each further one (default 2 s). */
  retryBaseMs?: number;
}

const WORK_EVERY_MS = 500;
const CLAIM_BATCH = 20;
const MAX_RETRY_DELAY_MS = 10 * 60_000;
/** Delivery log entries kept, besides those still pending. */
const KEEP_DELIVERIES = 10_000;

/**
 * Webhook alerts (docs/alerts.md): an event becomes one delivery per webhook that wants it,
 * stored first, then sent with its signature by whichever manager claims it, retried with
 * doubling waits up to ALERT_WEBHOOK_ATTEMPTS attempts. Every attempt's outcome is in the
 * delivery log (GET /alerts/deliveries).
 */
export class Alerts {
  private timer: NodeJS.Timeout | undefined;
  private working: Promise<void> | undefined;
  private stopped = true;
  private unsubscribe: (() => void) | undefined;
  private settledSincePrune = 0;

  constructor(private readonly options: AlertsOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.options.events.subscribeLocal((event) => this.fromManagerEvent(event));
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    await this.working;
  }

  /** Records one delivery per webhook that wants `type`; they are sent within a moment. */
  async fire(type: AlertEventType, data: Record<string, unknown>): Promise<void> {
    const { store, now } = this.options;
    const hooks = (await store.listWebhooks()).filter((h) => h.events.includes(type));
    if (hooks.length === 0) return;
    const at = now();
    const payload: AlertPayload = { id: randomUUID(), type, at: new Date(at).toISOString(), data };
    const body = JSON.stringify(payload);
    await store.insertDeliveries(
      hooks.map((hook) => ({
        id: randomUUID(),
        webhookId: hook.id,
        event: type,
        eventId: payload.id,
        payload: body,
        status: 'pending' as const,
        attempts: 0,
        lastStatus: null,
        lastError: null,
        nextAttemptAt: at,
        createdAt: at,
        deliveredAt: null,
      })),
    );
    this.schedule(0);
  }

  /** Fire and forget, for callers that must not wait on the database: failures are logged. */
  notify(type: AlertEventType, data: Record<string, unknown>): void {
    this.fire(type, data).catch((err: unknown) => this.options.log.warn({ err, alert: type }, 'could not record an alert'));
  }

  private fromManagerEvent(event: ManagerEvent): void {
    if (event.type === 'host.offline' || event.type === 'host.online') {
      this.notify(event.type, { host_id: event.host_id, hostname: event.hostname, at: event.at });
    } else if (event.type === 'deployment.state') {
      const state: string = event.state;
      // The deployment's state follows what its agent reports (docs/manager.md, "Deployment status"):
      // a stack with some services down is `degraded`, one with all of them down `stopped`; both
      // are a deployment that no longer serves as deployed.
      const type = state === 'failed' ? 'deployment.failed' : state === 'degraded' || state === 'stopped' ? 'deployment.degraded' : undefined;
      if (type) this.notify(type, { deployment_id: event.deployment_id, host_id: event.host_id, reason: event.reason, at: event.at });
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.working) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.working = this.work()
        .catch((err: unknown) => this.options.log.warn({ err }, 'alert delivery round failed'))
        .finally(() => {
          this.working = undefined;
          this.schedule(WORK_EVERY_MS);
        });
    }, delayMs);
    this.timer.unref();
  }

  private async work(): Promise<void> {
    const { store, now, instanceId, config } = this.options;
    const leaseMs = config.webhookTimeout * 1000 * 2 + 5_000;
    for (;;) {
      if (this.stopped) return;
      const claimed = await store.claimDue(instanceId, now(), now() + leaseMs, CLAIM_BATCH);
      if (claimed.length === 0) return;
      await Promise.all(claimed.map((d) => this.attempt(d)));
    }
  }

  private async attempt(delivery: DeliveryRecord): Promise<void> {
    const { store, now, config, secret, log } = this.options;
    const attempts = delivery.attempts + 1;
    const hook = await store.getWebhook(delivery.webhookId);
    if (!hook) return;
    let outcome: { status: number | null; error: string | null; final?: boolean };
    try {
      const destination = await resolveDestination(parseWebhookUrl(hook.url), config.webhookAllow);
      outcome = await postJson(
        destination,
        delivery.payload,
        {
          'x-shipshape-event': delivery.event,
          'x-shipshape-delivery': delivery.eventId,
          'x-shipshape-signature': signatureOf(delivery.payload, openSecret(hook.secretSealed, secret)),
        },
        config.webhookTimeout * 1000,
      );
    } catch (err) {
      // A destination the policy refuses stays refused: no retry. A name that does not resolve may later.
      const refused = err instanceof DestinationRefused;
      outcome = { status: null, error: refused ? err.message : 'the manager could not send it', final: refused && !/does not resolve/.test(err.message) };
      if (!refused) log.warn({ err, webhook: hook.id }, 'alert delivery failed inside the manager');
    }
    const at = now();
    if (outcome.error === null) {
      await store.settleDelivery(delivery.id, { status: 'delivered', attempts, lastStatus: outcome.status, lastError: null, nextAttemptAt: null, deliveredAt: at });
    } else if (outcome.final || attempts >= config.webhookMaxAttempts) {
      await store.settleDelivery(delivery.id, { status: 'failed', attempts, lastStatus: outcome.status, lastError: outcome.error, nextAttemptAt: null, deliveredAt: null });
      log.warn({ webhook: hook.id, alert: delivery.event, attempts, reason: outcome.error }, 'alert delivery failed for good');
    } else {
      const wait = Math.min(MAX_RETRY_DELAY_MS, (this.options.retryBaseMs ?? 2_000) * 2 ** (attempts - 1));
      await store.settleDelivery(delivery.id, { status: 'pending', attempts, lastStatus: outcome.status, lastError: outcome.error, nextAttemptAt: at + wait, deliveredAt: null });
    }
    if (++this.settledSincePrune >= 100) {
      this.settledSincePrune = 0;
      await store.pruneDeliveries(KEEP_DELIVERIES);
    }
  }
}
