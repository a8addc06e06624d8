import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import type { RawFinding } from '../../types.js';
import { removedPlace } from './overlay/locate.js';
import { capabilityName, listOf } from './shared.js';

/** The capabilities Docker grants every container unless they are dropped. */
const DOCKER_DEFAULTS = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'NET_RAW',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];

const FIX = 'add `cap_drop: [ALL]` and give back with `cap_add` only what the service needs (often nothing, or NET_BIND_SERVICE, CHOWN, SETUID, SETGID)';

export default createRule({
  id: 'no-cap-drop',
  severity: 'medium',
  category: 'security',
  cis: ['5.4'],
  docs: {
    summary: 'A service keeps Docker\'s default capabilities: it has no `cap_drop: [ALL]`.',
    why:
      'Every container gets 14 capabilities by default (CHOWN, DAC_OVERRIDE, FOWNER, SETUID, SETGID, ' +
      'NET_RAW, MKNOD, …). Most services need none of them, yet each one is something an attacker can use ' +
      'after breaking in: NET_RAW spoofs traffic on the container network, DAC_OVERRIDE ignores file ' +
      'permissions, SETUID/SETGID change identity. Dropping them all costs nothing for a service that does not use them.',
    fix: 'Add `cap_drop: [ALL]`, then add back with `cap_add` only the capabilities the service shows it needs.',
    example: 'services:\n  api:\n    image: api:2.3\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const [name, service] of services(ctx)) {
      // A privileged container gets every capability whatever cap_drop says; `privileged` reports it.
      if (service.privileged === true) continue;
      const dropped = new Set(listOf(service.cap_drop).map((c) => capabilityName(String(c))));
      if (dropped.has('ALL')) continue;
      const kept = DOCKER_DEFAULTS.filter((c) => !dropped.has(c));
      if (kept.length === 0) continue;
      if (service.cap_drop === undefined || dropped.size === 0) {
        findings.push({
          ...removedPlace(ctx, name, 'cap_drop', service.cap_drop === undefined ? ['services', name] : ['services', name, 'cap_drop']),
          service: name,
          message: `service "${name}" keeps Docker's ${DOCKER_DEFAULTS.length} default capabilities: it has no cap_drop: [ALL]`,
          fix: FIX,
        });
      } else {
        findings.push({
          path: ['services', name, 'cap_drop'],
          message: `service "${name}" drops only ${[...dropped].join(', ')}; it still has ${kept.join(', ')}`,
          fix: FIX,
        });
      }
    }
    return findings;
  },
});
