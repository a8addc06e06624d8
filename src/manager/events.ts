import { randomUUID } from 'node:crypto';
import type { ManagerEvent } from '../contract/index.js';
import type { Notifications } from './storage/database.js';

const CHANNEL = 'shipshape_events';
/** NOTIFY payloads are limited to 8000 bytes; larger events stay on the replica that made them. */
const MAX_RELAYED_BYTES = 7_500;

type Listener = (event: ManagerEvent) => void;

/**
 * Host and deployment events for the dashboard (GET /events). With PostgreSQL, events are relayed
 * to the other managers by NOTIFY, except heartbeats, which would double the database's load and
 * which each replica sees for the agents that talk to it.
 */
export class EventBus {
  private readonly listeners = new Set<Listener>();
  private readonly localListeners = new Set<Listener>();
  private readonly origin = randomUUID();

  constructor(
    private readonly relay?: Notifications,
    private readonly onRelayError?: (err: unknown) => void,
  ) {}

  async start(): Promise<void> {
    await this.relay?.listen(CHANNEL, (payload) => {
      let message: { origin?: unknown; event?: ManagerEvent };
      try {
        message = JSON.parse(payload) as { origin?: unknown; event?: ManagerEvent };
      } catch {
        return;
      }
      if (message.origin !== this.origin && message.event) this.deliver(message.event);
    });
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Events this manager made, not those relayed from other replicas: what must happen once per
   * event in the fleet (alert deliveries) listens here.
   */
  subscribeLocal(listener: Listener): () => void {
    this.localListeners.add(listener);
    return () => this.localListeners.delete(listener);
  }

  publish(event: ManagerEvent): void {
    this.deliver(event);
    for (const listener of this.localListeners) {
      try {
        listener(event);
      } catch {
        // As in deliver(): one listener's failure is its own.
      }
    }
    if (!this.relay || event.type === 'host.heartbeat') return;
    const payload = JSON.stringify({ origin: this.origin, event });
    if (Buffer.byteLength(payload) > MAX_RELAYED_BYTES) return;
    this.relay.notify(CHANNEL, payload).catch((err: unknown) => this.onRelayError?.(err));
  }

  private deliver(event: ManagerEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One broken subscriber (a closed connection) must not keep the others from the event.
      }
    }
  }
}
