import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import type { RawFinding } from '../../types.js';
import { removedPlace } from './overlay/locate.js';
import { parseGoBool, securityOptions } from './shared.js';

const FIX = 'add `security_opt: ["no-new-privileges:true"]`';

export default createRule({
  id: 'no-new-privileges-missing',
  severity: 'medium',
  category: 'security',
  cis: ['5.26'],
  docs: {
    summary: 'A service does not set `no-new-privileges:true` in `security_opt`.',
    why:
      'Without it, a process in the container can gain privileges through setuid/setgid binaries or file ' +
      'capabilities (`sudo`, `su`, `ping` in many images): an attacker who gets a shell as an unprivileged ' +
      'user can become root inside the container, one step closer to the host. With the flag set, the ' +
      'kernel refuses every such gain of privilege.',
    fix:
      'Add `security_opt: ["no-new-privileges:true"]` (the daemon can also enforce it for every container ' +
      'with `"no-new-privileges": true` in daemon.json, which this rule cannot see).',
    example: 'services:\n  api:\n    image: api:2.3\n    user: "1000"\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const [name, service] of services(ctx)) {
      const options = securityOptions(service).filter((o) => o.key === 'no-new-privileges');
      // The engine applies the entries in order, so the last one decides.
      const last = options.at(-1);
      if (last && (last.value === '' || parseGoBool(last.value) === true)) continue;
      if (last) {
        findings.push({
          path: ['services', name, 'security_opt', last.index],
          message:
            parseGoBool(last.value) === false
              ? `service "${name}" turns no-new-privileges off ("${last.raw}"): setuid binaries can make a process root`
              : `service "${name}" sets no-new-privileges to "${last.value}", which is not a boolean; the engine rejects it`,
          fix: 'write `no-new-privileges:true`',
        });
        continue;
      }
      findings.push({
        ...removedPlace(ctx, name, 'security_opt', service.security_opt === undefined ? ['services', name] : ['services', name, 'security_opt']),
        service: name,
        message: `service "${name}" does not set no-new-privileges: a process can gain privileges through setuid binaries`,
        fix: service.security_opt === undefined ? FIX : 'add `no-new-privileges:true` to its security_opt',
      });
    }
    return findings;
  },
});
