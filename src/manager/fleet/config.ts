import { isIP } from 'node:net';

/** The fleet's settings (docs/manager.md, "Configuration"; docs/alerts.md). */
export interface FleetConfig {
  /** Seconds between two inventory reads of an online host's agent. */
  inventoryInterval: number;
  /**
   * Where webhooks may point (ALERT_WEBHOOK_ALLOW): undefined: public addresses only; else only
   * these networks and host names (docs/security.md, "Webhooks").
   */
  webhookAllow: WebhookAllowList | undefined;
  /** Seconds one delivery attempt may take. */
  webhookTimeout: number;
  /** Attempts per delivery before it is failed. */
  webhookMaxAttempts: number;
  /** Seconds a move waits for the stack to be healthy on its new host. */
  moveTimeout: number;
}

export interface WebhookAllowList {
  /** `[address, prefix length]` */
  networks: { address: string; prefix: number; family: 4 | 6 }[];
  /** Lower-case host names; `*.example.com` covers its subdomains. */
  names: string[];
}

type Problem = (variable: string, message: string) => undefined;
type NumberReader = (name: string, fallback: number, bounds: { min: number; max: number; integer?: boolean }) => number | undefined;

export function parseFleetConfig(get: (name: string) => string | undefined, num: NumberReader, problem: Problem): FleetConfig {
  return {
    inventoryInterval: num('INVENTORY_INTERVAL', 30, { min: 1, max: 86_400 }) ?? 30,
    webhookAllow: parseAllowList(get('ALERT_WEBHOOK_ALLOW'), problem),
    webhookTimeout: num('ALERT_WEBHOOK_TIMEOUT', 5, { min: 0.1, max: 60 }) ?? 5,
    webhookMaxAttempts: num('ALERT_WEBHOOK_ATTEMPTS', 6, { min: 1, max: 20, integer: true }) ?? 6,
    moveTimeout: num('MOVE_TIMEOUT', 300, { min: 1, max: 86_400 }) ?? 300,
  };
}

export function parseAllowList(raw: string | undefined, problem: Problem): WebhookAllowList | undefined {
  if (raw === undefined) return undefined;
  const list: WebhookAllowList = { networks: [], names: [] };
  for (const item of raw.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '')) {
    const [address = '', prefixText] = item.split('/');
    const family = isIP(address);
    if (family === 4 || family === 6) {
      const max = family === 4 ? 32 : 128;
      const prefix = prefixText === undefined ? max : Number(prefixText);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
        problem('ALERT_WEBHOOK_ALLOW', `holds "${item}": the prefix length must be 0 to ${max}`);
        continue;
      }
      list.networks.push({ address, prefix, family });
    } else if (/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(item)) {
      list.names.push(item);
    } else {
      problem('ALERT_WEBHOOK_ALLOW', `holds "${item}", which is no address, network (CIDR) or host name`);
    }
  }
  return list;
}
