import type { PortConfig, Project, Service } from '../compose/index.js';
import type { Exposure } from './report-types.js';
import type { Finding, Severity } from './types.js';

export type SecurityLevel = Exclude<Severity, 'info'>;

/** Docker publishes on every interface when a port names no host IP. */
export const DEFAULT_HOST_IP = '0.0.0.0';

/** 127.0.0.0/8, ::1 (also written in full or IPv4-mapped) and `localhost` only reach the host itself. */
export function isLoopback(hostIp: string): boolean {
  const ip = hostIp.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (ip === 'localhost' || ip === '::1') return true;
  if (/^(0{1,4}:){7}0{0,3}1$/.test(ip)) return true;
  const v4 = ip.replace(/^::ffff:/, '');
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** A port reachable from other machines: published on a non-loopback interface. */
export function isExternalPort(port: PortConfig): boolean {
  return !isLoopback(port.host_ip ?? DEFAULT_HOST_IP);
}

/**
 * How far a service can be reached: `external` from other machines (a port on a non-loopback
 * interface, or the host's network stack), `isolated` when only on internal networks (or on no
 * network), `internal` otherwise. A service that shares another's network stack
 * (`network_mode: service:x` / `container:x`) is as exposed as that one.
 */
export function exposureOf(service: Service, project: Project): Exposure {
  return exposureWithin(service, project, new Set());
}

function exposureWithin(service: Service, project: Project, seen: Set<string>): Exposure {
  seen.add(service.name);
  const mode = service.network_mode;
  if (mode === 'host') return 'external';
  if (mode === 'none') return 'isolated';
  if (mode?.startsWith('service:') || mode?.startsWith('container:')) {
    const shared = sharedNamespaceOwner(mode, project);
    if (shared && !seen.has(shared.name)) return exposureWithin(shared, project, seen);
    return 'internal';
  }
  if (onInternalNetworksOnly(service, project)) return 'isolated';
  if ((service.ports ?? []).some(isExternalPort)) return 'external';
  return 'internal';
}

/**
 * Whether every network of the service is `internal: true`. Docker publishes no port of such a
 * container (an internal network has no gateway to the host, moby#36174), so its `ports:` open
 * nothing, on loopback neither. A service without `networks:` is on the project's `default`.
 */
export function onInternalNetworksOnly(service: Service, project: Project): boolean {
  if (typeof service.network_mode === 'string' && service.network_mode !== '') return false;
  const attached: unknown = service.networks;
  const networks = attached !== null && typeof attached === 'object' && !Array.isArray(attached) ? Object.keys(attached) : ['default'];
  return networks.length > 0 && networks.every((n) => project.networks[n]?.internal === true);
}

/** The service behind `service:x`, or behind `container:x` when x is one of the project's container names. */
export function sharedNamespaceOwner(mode: string, project: Project): Service | undefined {
  if (mode.startsWith('service:')) return project.services[mode.slice('service:'.length)];
  if (mode.startsWith('container:')) {
    const container = mode.slice('container:'.length);
    return Object.values(project.services).find((s) => s.container_name === container || s.name === container);
  }
  return undefined;
}

const RANK: Record<SecurityLevel, number> = { low: 0, medium: 1, high: 2, critical: 3 };
const BY_RANK: readonly SecurityLevel[] = ['low', 'medium', 'high', 'critical'];

/**
 * A service's security level: the worst severity among its security findings, one step worse when
 * the service is external (an attacker can reach the weakness from outside). `low` without
 * security findings; `info` findings do not count.
 */
export function securityLevel(
  serviceName: string,
  findings: readonly Finding[],
  exposure: Exposure,
  isSecurityRule: (ruleId: string) => boolean,
): SecurityLevel {
  let worst = -1;
  for (const f of findings) {
    if (f.service !== serviceName || !isSecurityRule(f.rule) || f.severity === 'info') continue;
    worst = Math.max(worst, RANK[f.severity]);
  }
  if (worst < 0) return 'low';
  const raised = exposure === 'external' ? Math.min(worst + 1, RANK.critical) : worst;
  return BY_RANK[raised] ?? 'critical';
}
