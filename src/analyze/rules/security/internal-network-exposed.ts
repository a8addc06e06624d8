import type { PortConfig, Project, Service } from '../../../compose/index.js';
import type { RawFinding, RuleContext } from '../../types.js';
import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import { overlayPlace } from './overlay/locate.js';
import { bindsAllInterfaces, hostSide, isLoopback, publishedPorts } from '../../facts/index.js';

export default createRule({
  id: 'internal-network-exposed',
  severity: 'high',
  category: 'security',
  docs: {
    summary: 'An overlay turns a network that is `internal: true` in the base into a normal one, or publishes a port of a service on it.',
    why:
      'An internal network is the wall around databases and caches: no route out, nothing published. ' +
      'An overlay that sets `internal: false`, or that gives a member of the network a port on every ' +
      'host interface, opens that segment to the outside network without anybody reviewing the base again.',
    fix:
      'Keep the network internal in every environment. To reach a database during development bind the ' +
      'port to loopback (`127.0.0.1:5432:5432`) on a service that is also on a normal network, or use ' +
      '`docker compose exec` / a port-forward.',
    example:
      '# docker-compose.yml\nnetworks:\n  database:\n    internal: true\n' +
      '# docker-compose.dev.yml\nnetworks:\n  database:\n    internal: false\n',
  },
  check: (ctx) => {
    const base = ctx.base;
    if (!base) return [];
    const out: RawFinding[] = [];
    for (const [key, was] of Object.entries(base.project.networks)) {
      const now = ctx.project.networks[key];
      if (was.internal !== true || !now) continue;
      if (now.internal !== true) {
        const members = services(ctx).filter(([, s]) => isAttached(s, key)).map(([n]) => n);
        out.push({
          ...overlayPlace(ctx, ['networks', key, 'internal']),
          service: null,
          message:
            `network "${key}" is internal in the base, but this environment makes it a normal network` +
            (members.length ? `: its members (${members.join(', ')}) get a route to the outside` : ''),
          fix: `keep internal: true for "${key}"; publish a single port on 127.0.0.1 from a service on another network if the host needs access`,
        });
        continue;
      }
      out.push(...exposedMembers(ctx, base.project, key));
    }
    return out;
  },
});

/** Members of a still-internal network that the overlay attaches to it, or gives a public port. */
function exposedMembers(ctx: RuleContext, base: Project, key: string): RawFinding[] {
  const out: RawFinding[] = [];
  for (const [name, service] of services(ctx)) {
    if (!isAttached(service, key) || !reachesOutside(ctx.project, service)) continue;
    const exposed = publicPorts(service, ctx.project);
    const first = exposed[0];
    if (!first) continue;
    const before = base.services[name];
    const wasAttached = before !== undefined && isAttached(before, key);
    const wasExposed = new Set(before ? publicPorts(before, base).map((p) => portId(p.port)) : []);
    const added = exposed.find((p) => !wasExposed.has(portId(p.port)));
    if (wasAttached && !added) continue;
    const path = !wasAttached ? ['services', name, 'networks', key] : ['services', name, 'ports', added!.index];
    const port = (wasAttached ? added! : first).port;
    out.push({
      ...overlayPlace(ctx, path),
      service: name,
      message:
        `service "${name}" publishes ${hostSide(port)}→${port.target} and is on network "${key}", which is internal in the base: ` +
        `the network stays internal, but the overlay makes this member of it reachable from other machines, a way into "${key}" for whoever takes it over`,
      fix: `bind the port to loopback (127.0.0.1:${port.published ?? port.target}:${port.target}) or reach the service with docker compose exec`,
    });
  }
  return out;
}

function isAttached(service: Service, key: string): boolean {
  const networks = service.networks;
  return typeof networks === 'object' && networks !== null && !Array.isArray(networks) && Object.hasOwn(networks, key);
}

function publicPorts(service: Service, project: Project): { index: number; port: PortConfig }[] {
  if (!Array.isArray(service.ports)) return [];
  return publishedPorts(service, project).filter((p) => typeof p.port === 'object' && p.port !== null && !isLoopback(p.port.host_ip));
}

/** One binding however it is written: no host address and `0.0.0.0` both listen everywhere. */
function portId(port: PortConfig): string {
  const ip = bindsAllInterfaces(port) ? '0.0.0.0' : (port.host_ip ?? '');
  return `${ip}|${port.published ?? ''}|${port.target}|${port.protocol}`;
}

/** Ports are published only through a network that is not internal. */
function reachesOutside(project: Project, service: Service): boolean {
  const keys = Object.keys(typeof service.networks === 'object' && service.networks !== null ? service.networks : { default: null });
  return keys.some((k) => project.networks[k]?.internal !== true);
}
