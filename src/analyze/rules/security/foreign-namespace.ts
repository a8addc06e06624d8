import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import type { RawFinding } from '../../types.js';

const KEYS = [
  ['network_mode', 'network stack: it can reach, and listen on behalf of, that workload'],
  ['pid', 'process namespace: it sees that workload\'s processes and their environment, and can signal or trace them'],
  ['ipc', 'IPC namespace: it shares that workload\'s shared memory'],
] as const;

export default createRule({
  id: 'foreign-namespace',
  severity: 'critical',
  category: 'security',
  docs: {
    summary:
      'A service joins the network, PID or IPC namespace of a container outside its stack (`network_mode`, `pid` ' +
      'or `ipc` set to `container:<name>`, or `service:<name>` naming no service of the stack).',
    why:
      'Joining another container\'s namespace puts this service inside that workload: with its network it ' +
      'reaches everything the other container reaches and listens on its addresses, with its PID namespace it ' +
      'sees (and can trace) its processes and their secrets. On a shared host that workload belongs to ' +
      'someone else; a stack must only share namespaces between its own services.',
    fix: 'Share namespaces only between services of the same stack with `service:<name>`, or talk to the other workload over a network.',
    example: 'services:\n  sidecar:\n    image: tool:1.0\n    network_mode: "container:billing-db-1"\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    const own = new Set([...Object.keys(ctx.project.services), ...Object.keys(ctx.project.disabled_services)]);
    const ownContainers = new Set(
      Object.values(ctx.project.services).flatMap((s) => (typeof s['container_name'] === 'string' ? [s['container_name']] : [])),
    );
    for (const [name, service] of services(ctx)) {
      for (const [key, what] of KEYS) {
        const value = service[key];
        if (typeof value !== 'string') continue;
        const m = /^(container|service):(.*)$/.exec(value.trim());
        if (!m) continue;
        const [, kind, target = ''] = m;
        // On a host, another workload may already hold the container_name this stack gives itself,
        // and the engine creates services in no fixed order: only `service:` names its own.
        if (kind === 'service' ? own.has(target) : !ctx.untrusted && ownContainers.has(target)) continue;
        findings.push({
          path: ['services', name, key],
          message:
            `service "${name}" joins the ${kind === 'container' ? 'container' : 'service'} "${target}", which is not part of this stack (${key}: ${value.trim()}), ` +
            `and with it that workload's ${what}`,
          fix: 'share namespaces only with services of this stack (`service:<name>`), or reach the other workload over a network',
        });
      }
    }
    return findings;
  },
});
