import type { PortConfig, Project, Service } from '../../compose/index.js';
import { isLoopback as isLoopbackAddress, onInternalNetworksOnly } from '../exposure.js';

/** The published ports of a service as the engine will open them (docs/facts.md). */

const isObject = <T>(value: T): value is T & object => typeof value === 'object' && value !== null;

/**
 * Whether `ports:` takes effect: with the host's network stack the ports are ignored (the
 * validation rule `ignored-ports` says so), `none`, `service:` and `container:` modes refuse them,
 * and a container only on internal networks has no way out to publish them through.
 */
export function publishesPorts(service: Service, project: Project): boolean {
  if (onInternalNetworksOnly(service, project)) return false;
  const mode: unknown = service.network_mode;
  if (typeof mode !== 'string') return true;
  return !(mode === 'host' || mode === 'none' || mode.startsWith('service:') || mode.startsWith('container:'));
}

export interface PublishedPort {
  index: number;
  port: PortConfig;
}

/** The service's `ports:` entries that really publish something on the host. */
export function publishedPorts(service: Service, project: Project): PublishedPort[] {
  if (!publishesPorts(service, project)) return [];
  return (Array.isArray(service.ports) ? service.ports : []).flatMap((port, index) =>
    isObject(port) && typeof port.target === 'number' ? [{ index, port }] : [],
  );
}

/** No host IP, `0.0.0.0` or `::`: the engine listens on every interface of the host. */
export function bindsAllInterfaces(port: PortConfig): boolean {
  const ip = port.host_ip?.trim() ?? '';
  return ip === '' || ip === '0.0.0.0' || /^\[?::\]?$/.test(ip) || ip === '::0';
}

export function isLoopback(ip: string | undefined): boolean {
  return ip !== undefined && isLoopbackAddress(ip);
}

/** The host side of a mapping as a user would write it: `0.0.0.0:8080`, `[::1]:80`, `0.0.0.0:<random>`. */
export function hostSide(port: PortConfig): string {
  const ip = port.host_ip?.trim() || '0.0.0.0';
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return `${host}:${port.published ?? '<random port>'}`;
}

/** The lowest host port of a `published` value (`"8080"`, `"8000-8010"`); undefined when the engine picks. */
export function lowestPublishedPort(port: PortConfig): number | undefined {
  if (port.published === undefined) return undefined;
  const first = /^\+?(\d+)/.exec(port.published.trim());
  return first?.[1] === undefined ? undefined : Number(first[1]);
}
