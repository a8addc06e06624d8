import { onInternalNetworksOnly } from '../../exposure.js';
import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import { listOf, placeOf, type RawFinding, type RuleContext, type Service } from './shared.js';

interface Binding {
  service: string;
  index: number;
  hostIp: string;
  protocol: string;
  start: number;
  end: number;
  target: number;
  /** `8000-8010:80`: the engine picks one free port of the range, so it only conflicts when every port is taken. */
  picksOne: boolean;
}

const ANY = new Set(['', '0.0.0.0', '::', '[::]']);

function overlappingIps(a: string, b: string): boolean {
  return ANY.has(a) || ANY.has(b) || a.replace(/^\[|\]$/g, '') === b.replace(/^\[|\]$/g, '');
}

function bindings(ctx: RuleContext): Binding[] {
  const out: Binding[] = [];
  for (const [name, service] of services(ctx)) {
    // With the host network the engine discards published ports (see ignored-ports); on internal
    // networks only, it publishes none.
    if (service.network_mode === 'host' || onInternalNetworksOnly(service, ctx.project)) continue;
    listOf(service.ports).forEach((port, index) => {
      const range = /^(\d+)(?:-(\d+))?$/.exec(String(port.published ?? '').trim());
      if (!range) return;
      const start = Number(range[1]);
      const end = range[2] === undefined ? start : Number(range[2]);
      if (start === 0) return;
      out.push({ service: name, index, hostIp: port.host_ip ?? '', protocol: typeof port.protocol === 'string' ? port.protocol : 'tcp', start, end, target: port.target, picksOne: end > start });
    });
  }
  return out;
}

function describePort(b: Binding, ports: string): string {
  return `${ANY.has(b.hostIp) ? '' : `${b.hostIp}:`}${ports}/${b.protocol}`;
}

/** Whether the fixed bindings take every port of a pick-one range. */
function exhausted(flexible: Binding, fixed: Binding[]): boolean {
  for (let p = flexible.start; p <= flexible.end; p++) {
    if (!fixed.some((f) => f.start <= p && p <= f.end)) return false;
  }
  return true;
}

/** The first port above a binding that no binding of the project publishes. */
function freePort(all: Binding[], b: Binding): number {
  let p = b.end + 1;
  while (p < 65535 && all.some((a) => a.protocol === b.protocol && a.start <= p && p <= a.end)) p++;
  return p;
}

function replicas(service: Service): number {
  const n = service.deploy?.replicas ?? (typeof service.scale === 'number' ? service.scale : 1);
  return typeof n === 'number' ? n : 1;
}

export default createRule({
  id: 'port-conflict',
  severity: 'high',
  category: 'validation',
  docs: {
    summary: 'Two services (or two ports of one service, or the replicas of one) publish the same host port and protocol on overlapping addresses.',
    why:
      'Only one container can bind a host port: the second fails with "port is already allocated" and the service ' +
      'does not start. `0.0.0.0` (the default) overlaps every address; ranges are compared port by port.',
    fix: 'Publish a different host port for one of them, bind them to different host addresses, or remove the mapping the service does not need.',
    example: 'services:\n  web:\n    image: nginx:1.27\n    ports: ["8080:80"]\n  admin:\n    image: admin:2.0\n    ports: ["8080:3000"]\n',
  },
  check: (ctx) => {
    const all = bindings(ctx);
    const out: RawFinding[] = [];
    const clash = (a: Binding, b: Binding) => a.protocol === b.protocol && overlappingIps(a.hostIp, b.hostIp) && a.start <= b.end && b.start <= a.end;
    all.forEach((b, i) => {
      const path = ['services', b.service, 'ports', b.index];
      const earlier = all.slice(0, i).filter((a) => clash(a, b) && !(a.picksOne || b.picksOne));
      const first = earlier.find((a) => !(a.service === b.service && a.target === b.target && a.start === b.start && a.hostIp === b.hostIp));
      if (b.picksOne) {
        const fixed = all.filter((a) => a !== b && !a.picksOne && clash(a, b));
        if (fixed.length > 0 && exhausted(b, fixed)) {
          out.push({
            path,
            message: `service "${b.service}" publishes one port of ${describePort(b, `${b.start}-${b.end}`)}, but every port of that range is already published by ${[...new Set(fixed.map((f) => `"${f.service}"`))].join(', ')}`,
            fix: 'publish a range with free ports, or remove the overlapping mappings',
          });
        }
        return;
      }
      if (first) {
        const lo = Math.max(first.start, b.start);
        const hi = Math.min(first.end, b.end);
        const ports = describePort(b, lo === hi ? String(lo) : `${lo}-${hi}`);
        const who = first.service === b.service ? `service "${b.service}" publishes host port ${ports} twice` : `service "${b.service}" publishes host port ${ports}, which service "${first.service}" already publishes`;
        out.push({
          path,
          message: `${who} (${placeOf(ctx, ['services', first.service, 'ports', first.index])}); the second container fails with "port is already allocated"`,
          fix: `publish another host port, e.g. "${freePort(all, b)}:${b.target}", or bind the two to different host addresses`,
        });
        return;
      }
      const service = ctx.project.services[b.service];
      const count = service ? replicas(service) : 1;
      if (count > 1 && !earlier.some((a) => a.service === b.service)) {
        out.push({
          path,
          message: `service "${b.service}" runs ${count} replicas that all publish host port ${describePort(b, b.start === b.end ? String(b.start) : `${b.start}-${b.end}`)}; only the first can bind it`,
          fix: `publish a range with one port per replica (e.g. "${b.start}-${b.start + count - 1}:${b.target}"), leave the host port out, or put a proxy in front`,
        });
      }
    });
    return out;
  },
});
