import type { AlertEventType, DeliveryStatus, HostInventory } from '../../contract/index.js';
import type { Database, Row, SqlValue } from '../storage/index.js';

export interface InventoryRow {
  hostId: string;
  hostname: string;
  collectedAt: number;
  updatedAt: number;
  inventory: HostInventory;
}

export interface WebhookRecord {
  id: string;
  url: string;
  events: AlertEventType[];
  /** The secret, sealed (docs/alerts.md). */
  secretSealed: string;
  description: string | null;
  createdBy: string | null;
  createdAt: number;
}

export interface DeliveryRecord {
  id: string;
  webhookId: string;
  event: AlertEventType;
  eventId: string;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: number | null;
  createdAt: number;
  deliveredAt: number | null;
}

const DELIVERY_COLUMNS = 'id, webhook_id, event, event_id, payload, status, attempts, last_status, last_error, next_attempt_at, created_at, delivered_at';

/**
 * The fleet's tables (inventories, webhooks, deliveries), with the same SQL on SQLite and
 * PostgreSQL as the repository; and the two host-slot updates a move needs.
 */
export class FleetStore {
  constructor(private readonly db: Database) {}

  async putInventory(hostId: string, inventory: HostInventory, now: number): Promise<void> {
    const collectedAt = Date.parse(inventory.collected_at);
    await this.db.run(
      `INSERT INTO host_inventory (host_id, collected_at, updated_at, inventory) VALUES (?, ?, ?, ?)
       ON CONFLICT (host_id) DO UPDATE SET collected_at = excluded.collected_at, updated_at = excluded.updated_at, inventory = excluded.inventory`,
      [hostId, Number.isFinite(collectedAt) ? collectedAt : now, now, JSON.stringify(inventory)],
    );
  }

  /** Inventories written after `since` (ms), with their host's name; all of them from 0. */
  async inventoriesSince(since: number): Promise<InventoryRow[]> {
    const rows = await this.db.all(
      `SELECT i.host_id, h.hostname, i.collected_at, i.updated_at, i.inventory FROM host_inventory i JOIN hosts h ON h.id = i.host_id
       WHERE i.updated_at > ? ORDER BY i.updated_at`,
      [since],
    );
    return rows.map(toInventory);
  }

  async inventoryOf(hostId: string): Promise<InventoryRow | undefined> {
    const row = await this.db.get(
      'SELECT i.host_id, h.hostname, i.collected_at, i.updated_at, i.inventory FROM host_inventory i JOIN hosts h ON h.id = i.host_id WHERE i.host_id = ?',
      [hostId],
    );
    return row ? toInventory(row) : undefined;
  }

  /** Host ids that have an inventory, for noticing deleted hosts. */
  async inventoryHostIds(): Promise<string[]> {
    return (await this.db.all('SELECT i.host_id FROM host_inventory i JOIN hosts h ON h.id = i.host_id')).map((r) => String(r.host_id));
  }

  // --- webhooks ---------------------------------------------------------------------------------

  async insertWebhook(hook: WebhookRecord): Promise<void> {
    await this.db.run('INSERT INTO alert_webhooks (id, url, events, secret_sealed, description, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      hook.id,
      hook.url,
      JSON.stringify(hook.events),
      hook.secretSealed,
      hook.description,
      hook.createdBy,
      hook.createdAt,
    ]);
  }

  async listWebhooks(): Promise<WebhookRecord[]> {
    return (await this.db.all('SELECT id, url, events, secret_sealed, description, created_by, created_at FROM alert_webhooks ORDER BY created_at, id')).map(toWebhook);
  }

  async getWebhook(id: string): Promise<WebhookRecord | undefined> {
    const row = await this.db.get('SELECT id, url, events, secret_sealed, description, created_by, created_at FROM alert_webhooks WHERE id = ?', [id]);
    return row ? toWebhook(row) : undefined;
  }

  async deleteWebhook(id: string): Promise<boolean> {
    // Its deliveries go with it (ON DELETE CASCADE; SQLite enforces foreign keys here too).
    await this.db.run('DELETE FROM alert_deliveries WHERE webhook_id = ?', [id]);
    return (await this.db.run('DELETE FROM alert_webhooks WHERE id = ?', [id])).changes === 1;
  }

  // --- deliveries -------------------------------------------------------------------------------

  async insertDeliveries(deliveries: readonly DeliveryRecord[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.db.transaction(async (tx) => {
      for (const d of deliveries) {
        await tx.run(
          `INSERT INTO alert_deliveries (${DELIVERY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [d.id, d.webhookId, d.event, d.eventId, d.payload, d.status, d.attempts, d.lastStatus, d.lastError, d.nextAttemptAt, d.createdAt, d.deliveredAt],
        );
      }
    });
  }

  /**
   * Claims up to `limit` due deliveries for `owner` until `leaseUntil`: a conditional UPDATE per
   * row, so two managers never send the same attempt.
   */
  async claimDue(owner: string, now: number, leaseUntil: number, limit: number): Promise<DeliveryRecord[]> {
    const due = await this.db.all(
      `SELECT id FROM alert_deliveries WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
       ORDER BY next_attempt_at LIMIT ?`,
      [now, now, limit],
    );
    const claimed: DeliveryRecord[] = [];
    for (const { id } of due) {
      const row = await this.db.get(
        `UPDATE alert_deliveries SET lease_owner = ?, lease_until = ?
         WHERE id = ? AND status = 'pending' AND (lease_until IS NULL OR lease_until < ?) RETURNING ${DELIVERY_COLUMNS}`,
        [owner, leaseUntil, String(id), now],
      );
      if (row) claimed.push(toDelivery(row));
    }
    return claimed;
  }

  async settleDelivery(
    id: string,
    change: { status: DeliveryStatus; attempts: number; lastStatus: number | null; lastError: string | null; nextAttemptAt: number | null; deliveredAt: number | null },
  ): Promise<void> {
    await this.db.run(
      `UPDATE alert_deliveries SET status = ?, attempts = ?, last_status = ?, last_error = ?, next_attempt_at = ?, delivered_at = ?, lease_owner = NULL, lease_until = NULL
       WHERE id = ?`,
      [change.status, change.attempts, change.lastStatus, change.lastError, change.nextAttemptAt, change.deliveredAt, id],
    );
  }

  async listDeliveries(query: { webhookId?: string; status?: DeliveryStatus; limit: number }): Promise<DeliveryRecord[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (query.webhookId !== undefined) {
      where.push('webhook_id = ?');
      params.push(query.webhookId);
    }
    if (query.status !== undefined) {
      where.push('status = ?');
      params.push(query.status);
    }
    params.push(query.limit);
    const rows = await this.db.all(
      `SELECT ${DELIVERY_COLUMNS} FROM alert_deliveries ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`,
      params,
    );
    return rows.map(toDelivery);
  }

  /** Keeps the newest `keep` deliveries; the log stays bounded however many alerts fire. */
  async pruneDeliveries(keep: number): Promise<void> {
    const cutoff = await this.db.get(`SELECT created_at FROM alert_deliveries WHERE status <> 'pending' ORDER BY created_at DESC LIMIT 1 OFFSET ?`, [keep]);
    if (cutoff) await this.db.run(`DELETE FROM alert_deliveries WHERE status <> 'pending' AND created_at <= ?`, [Number(cutoff.created_at)]);
  }

  // --- moves ------------------------------------------------------------------------------------

  /** Takes a slot on this very host if it is online, has room and a working engine. */
  async reserveSlot(hostId: string): Promise<boolean> {
    const { changes } = await this.db.run(
      `UPDATE hosts SET active_deployments = active_deployments + 1
       WHERE id = ? AND status = 'online' AND active_deployments < max_containers AND (docker_ok IS NULL OR docker_ok = 1)`,
      [hostId],
    );
    return changes === 1;
  }

  async releaseSlot(hostId: string): Promise<void> {
    await this.db.run('UPDATE hosts SET active_deployments = active_deployments - 1 WHERE id = ? AND active_deployments > 0', [hostId]);
  }

  /** The deployment now lives on `to`: its slot on `from` is given back, in one transaction. */
  async rehome(deploymentId: string, from: string, to: string, now: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { changes } = await tx.run(`UPDATE deployments SET host_id = ?, updated_at = ? WHERE id = ? AND host_id = ? AND state = 'running'`, [to, now, deploymentId, from]);
      if (changes !== 1) return false;
      await tx.run('UPDATE hosts SET active_deployments = active_deployments - 1 WHERE id = ? AND active_deployments > 0', [from]);
      return true;
    });
  }
}

function toInventory(row: Row): InventoryRow {
  return {
    hostId: String(row.host_id),
    hostname: String(row.hostname),
    collectedAt: Number(row.collected_at),
    updatedAt: Number(row.updated_at),
    inventory: JSON.parse(String(row.inventory)) as HostInventory,
  };
}

function toWebhook(row: Row): WebhookRecord {
  return {
    id: String(row.id),
    url: String(row.url),
    events: JSON.parse(String(row.events)) as AlertEventType[],
    secretSealed: String(row.secret_sealed),
    description: row.description === null || row.description === undefined ? null : String(row.description),
    createdBy: row.created_by === null || row.created_by === undefined ? null : String(row.created_by),
    createdAt: Number(row.created_at),
  };
}

function toDelivery(row: Row): DeliveryRecord {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: String(row.id),
    webhookId: String(row.webhook_id),
    event: String(row.event) as AlertEventType,
    eventId: String(row.event_id),
    payload: String(row.payload),
    status: String(row.status) as DeliveryStatus,
    attempts: Number(row.attempts),
    lastStatus: num(row.last_status),
    lastError: row.last_error === null || row.last_error === undefined ? null : String(row.last_error),
    nextAttemptAt: num(row.next_attempt_at),
    createdAt: Number(row.created_at),
    deliveredAt: num(row.delivered_at),
  };
}
