import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { WebhookAllowList } from '../fleet/index.js';

/**
 * Where a webhook may point (docs/security.md, "Webhooks"). Webhook URLs are typed by operators,
 * so the manager must not become a way to reach what only it can reach: without
 * ALERT_WEBHOOK_ALLOW only public addresses are allowed (no loopback, private, link-local,
 * shared, documentation, multicast or reserved range, and so no cloud metadata service); with
 * it, only the networks and host names it lists. The check is made on the addresses the name
 * resolves to, and the connection goes to the address that was checked (no second lookup that
 * DNS rebinding could answer differently).
 */

const NOT_PUBLIC = new BlockList();
for (const [address, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_PUBLIC.addSubnet(address, prefix, 'ipv4');
}
for (const [address, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NOT_PUBLIC.addSubnet(address, prefix, 'ipv6');
}

export interface Destination {
  url: URL;
  /** The checked address the connection must go to. */
  address: string;
  family: 4 | 6;
}

export class DestinationRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DestinationRefused';
  }
}

/** The URL's shape: http(s), a host, no credentials. Throws DestinationRefused with a reason fit for the caller. */
export function parseWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DestinationRefused('url is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DestinationRefused('url must be http:// or https://');
  if (url.username !== '' || url.password !== '') throw new DestinationRefused('url must not carry a user name or password; sign with the secret instead');
  if (url.hostname === '') throw new DestinationRefused('url has no host');
  return url;
}

/** An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) is judged as the IPv4 address it is. */
function unmapped(address: string): { address: string; family: 4 | 6 } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 4 };
  return { address, family: isIP(address) === 6 ? 6 : 4 };
}

function allowedByNetworks(address: string, family: 4 | 6, allow: WebhookAllowList): boolean {
  const list = new BlockList();
  for (const n of allow.networks) list.addSubnet(n.address, n.prefix, n.family === 4 ? 'ipv4' : 'ipv6');
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function allowedByName(hostname: string, allow: WebhookAllowList): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return allow.names.some((name) => (name.startsWith('*.') ? host.endsWith(name.slice(1)) : host === name));
}

export function isPublicAddress(address: string): boolean {
  const plain = unmapped(address);
  return !NOT_PUBLIC.check(plain.address, plain.family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Resolves the URL's host and picks the address to connect to, or refuses. Every address the
 * name resolves to must be allowed: a name that resolves to one public and one private address
 * is refused.
 */
export async function resolveDestination(url: URL, allow: WebhookAllowList | undefined, timeoutMs = 3_000): Promise<Destination> {
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: 4 | 6 }[];
  if (isIP(hostname)) {
    addresses = [unmapped(hostname)];
  } else {
    try {
      const found = await Promise.race([
        lookup(hostname, { all: true, verbatim: true }),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), timeoutMs).unref()),
      ]);
      addresses = found.map((a) => unmapped(a.address));
    } catch (err) {
      throw new DestinationRefused(`${hostname} does not resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    if (addresses.length === 0) throw new DestinationRefused(`${hostname} does not resolve`);
  }
  const byName = allow !== undefined && !isIP(hostname) && allowedByName(hostname, allow);
  for (const a of addresses) {
    if (byName) continue;
    const ok = allow === undefined ? isPublicAddress(a.address) : allowedByNetworks(a.address, a.family, allow);
    if (!ok) {
      throw new DestinationRefused(
        allow === undefined
          ? `${hostname} is ${a.address}, which is not a public address; list it in ALERT_WEBHOOK_ALLOW to send alerts there`
          : `${hostname} is ${a.address}, which ALERT_WEBHOOK_ALLOW does not list`,
      );
    }
  }
  return { url, ...addresses[0]! };
}
