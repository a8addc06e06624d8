import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import type { CisId } from '../../cis/index.js';
import type { RawFinding } from '../../types.js';

/** The service keys that can put a container into one of the host's namespaces, and what that gives it. */
const NAMESPACES: readonly { key: string; what: string; risk: string; fix: string; cis: readonly CisId[] }[] = [
  {
    key: 'network_mode',
    cis: ['5.10'],
    what: 'network stack',
    risk:
      'every port it listens on is open on all host interfaces without being published, and it can reach ' +
      'services the host binds to localhost only',
    fix: 'remove `network_mode: host`; attach the service to a compose network and publish only the ports it serves',
  },
  {
    key: 'pid',
    cis: ['5.16'],
    what: 'process namespace',
    risk: 'it sees every process on the host, their command lines and environment, and can signal them',
    fix: 'remove `pid: host`; to debug one container, share its namespace with `pid: "service:<name>"` instead',
  },
  {
    key: 'ipc',
    cis: ['5.17'],
    what: 'IPC namespace',
    risk: 'it can read and write the shared memory and semaphores of host processes',
    fix: 'remove `ipc: host`; share IPC between two services with `ipc: "service:<name>"` or `ipc: shareable`',
  },
  {
    key: 'uts',
    cis: ['5.21'],
    what: 'UTS namespace',
    risk: 'it shares the host\'s hostname and domain name, and with CAP_SYS_ADMIN can change them for the whole host',
    fix: 'remove `uts: host`; set the name the container needs with `hostname:`',
  },
  {
    key: 'userns_mode',
    cis: ['5.31'],
    what: 'user namespace',
    risk: 'it opts out of the daemon\'s user-namespace remapping, so root in the container is root on the host',
    fix: 'remove `userns_mode: host` so the daemon\'s user-namespace remapping applies',
  },
  {
    key: 'cgroup',
    // Sharing the host's cgroup namespace is not what 5.25 (cgroup_parent) checks.
    cis: [],
    what: 'cgroup namespace',
    risk: 'it sees the host\'s whole cgroup tree and the limits of every other container',
    fix: 'remove `cgroup: host` (the default `private` namespace is enough for nearly every workload)',
  },
];

export default createRule({
  id: 'host-namespace',
  severity: 'high',
  category: 'security',
  cis: ['5.10', '5.16', '5.17', '5.21', '5.25', '5.31'],
  docs: {
    summary: 'A service joins one of the host\'s namespaces (`network_mode`, `pid`, `ipc`, `uts`, `userns_mode` or `cgroup: host`), or places itself in a host cgroup (`cgroup_parent`).',
    why:
      'Namespaces are what separate a container from the host. With the host\'s network the container ' +
      'listens on every host interface and reaches services bound to localhost; with its PID namespace it ' +
      'sees and signals every host process; with its IPC namespace it shares host shared memory; ' +
      '`userns_mode: host` makes container root host root again. Each one removes a wall an attacker would ' +
      'otherwise have to climb.',
    fix:
      'Remove the `host` setting. Publish ports instead of using the host network, and share namespaces ' +
      'between two services with `service:<name>` when they really must share one.',
    example: 'services:\n  agent:\n    image: agent:1.4\n    network_mode: host\n    pid: host\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const [name, service] of services(ctx)) {
      const parent = service['cgroup_parent'];
      if (typeof parent === 'string' && parent.trim() !== '') {
        findings.push({
          path: ['services', name, 'cgroup_parent'],
          message: `service "${name}" places its container under the host's cgroup "${parent.trim()}" (cgroup_parent): it leaves the engine's cgroup and shares the limits of whatever the host runs there`,
          fix: 'remove cgroup_parent; set the limits the service needs with deploy.resources',
          cis: ['5.25'],
        });
      }
      for (const ns of NAMESPACES) {
        const value = service[ns.key];
        if (typeof value !== 'string' || value.trim() !== 'host') continue;
        findings.push({
          path: ['services', name, ns.key],
          message: `service "${name}" uses the host's ${ns.what} (${ns.key}: host): ${ns.risk}`,
          fix: ns.fix,
          cis: ns.cis,
        });
      }
    }
    return findings;
  },
});
