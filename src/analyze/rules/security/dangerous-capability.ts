import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import type { RawFinding } from '../../types.js';
import { capabilityName, listOf } from './shared.js';

/**
 * Capabilities that open a way out of the container or onto the host's kernel, network or clock,
 * with what each one allows. NET_RAW is in Docker's default set: it is reported when a service
 * adds it back (usually after `cap_drop: [ALL]`), since that is a deliberate choice worth a look.
 */
const DANGEROUS: Record<string, string> = {
  ALL: 'every capability: the container is nearly as powerful as a privileged one',
  SYS_ADMIN: 'mounts, namespaces and dozens of admin operations; the classic way out of a container',
  SYS_MODULE: 'loads kernel modules, that is, runs any code in the host kernel',
  SYS_RAWIO: 'raw I/O ports and memory access (/dev/mem), beneath every kernel protection',
  SYS_PTRACE: 'traces and reads the memory of other processes (all host processes with pid: host)',
  NET_ADMIN: 'reconfigures interfaces, routes and firewall rules, and can sniff or redirect traffic',
  NET_RAW: 'raw sockets: ARP and DNS spoofing against the other containers on its networks',
  DAC_READ_SEARCH: 'bypasses file read permissions and opens files by handle, a known container escape',
  SYS_BOOT: 'reboots the host and loads a new kernel with kexec',
  SYS_TIME: 'sets the host clock, which is not namespaced: breaks TLS validity, logs and one-time codes',
  MAC_ADMIN: 'changes the AppArmor/SELinux policy that confines containers',
  MAC_OVERRIDE: 'overrides the AppArmor/SELinux policy that confines containers',
  BPF: 'loads BPF programs into the host kernel, which can read kernel memory',
  PERFMON: 'kernel performance monitoring, which leaks kernel addresses and data of other processes',
  SYSLOG: 'reads the kernel log, which leaks kernel addresses (defeats KASLR)',
  AUDIT_CONTROL: 'turns kernel auditing off and changes its rules',
};

export default createRule({
  id: 'dangerous-capability',
  severity: 'high',
  category: 'security',
  cis: ['5.4'],
  docs: {
    summary: 'A service adds a Linux capability that leads out of the container (`ALL`, `SYS_ADMIN`, `SYS_MODULE`, `NET_ADMIN`, …).',
    why:
      'Capabilities split root\'s power into pieces; Docker grants a small safe set. Capabilities such as ' +
      'SYS_ADMIN, SYS_MODULE, SYS_RAWIO, SYS_PTRACE or DAC_READ_SEARCH each have known container escapes, ' +
      'NET_ADMIN and NET_RAW let a compromised service tamper with the network, and SYS_TIME changes the ' +
      'host clock. `cap_add: [ALL]` is nearly `privileged: true`.',
    fix:
      'Remove the capability, or when the workload truly needs it (a VPN needs NET_ADMIN), isolate that ' +
      'service: its own network, no secrets it does not need, `cap_drop: [ALL]` and only that capability added back.',
    example: 'services:\n  app:\n    image: app:1.0\n    cap_add:\n      - SYS_ADMIN\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const [name, service] of services(ctx)) {
      listOf(service.cap_add).forEach((raw, index) => {
        const cap = capabilityName(String(raw));
        const risk = DANGEROUS[cap];
        if (!risk) return;
        findings.push({
          path: ['services', name, 'cap_add', index],
          message: `service "${name}" adds capability ${cap}: ${risk}`,
          fix:
            cap === 'ALL'
              ? 'replace `cap_add: [ALL]` with the few capabilities the service needs, after `cap_drop: [ALL]`'
              : `remove ${cap} from cap_add unless the service cannot work without it; if it cannot, keep it isolated on its own network`,
        });
      });
    }
    return findings;
  },
});
