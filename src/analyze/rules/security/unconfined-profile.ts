import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import type { CisId } from '../../cis/index.js';
import type { RawFinding } from '../../types.js';
import { securityOptions, type SecurityOption } from './shared.js';

interface Unconfinement {
  what: string;
  fix: string;
  cis: readonly CisId[];
}

function unconfinement(o: SecurityOption): Unconfinement | undefined {
  const value = o.value.toLowerCase();
  if (o.key === 'seccomp' && value === 'unconfined') {
    return {
      what:
        'turns the seccomp filter off: every system call reaches the host kernel, including those Docker ' +
        'blocks by default (mount, keyctl, bpf, unshare, kexec_load…)',
      fix: 'remove `seccomp:unconfined`; if one system call is missing, use a custom profile: `seccomp=./seccomp.json` that adds only it',
      cis: ['5.22'],
    };
  }
  if (o.key === 'apparmor' && value === 'unconfined') {
    return {
      what: 'runs without an AppArmor profile: the docker-default profile that blocks writes to /proc and /sys and mounts no longer applies',
      fix: 'remove `apparmor:unconfined`, or load a profile made for this service and name it: `apparmor=<profile>`',
      cis: ['5.2'],
    };
  }
  if (o.key === 'label' && value === 'disable') {
    return {
      what: 'turns SELinux separation off: on an SELinux host the container is no longer kept out of host files and other containers',
      fix: 'remove `label:disable`; relabel the bind mounts the service needs with `:z` (shared) or `:Z` (private) instead',
      cis: ['5.3'],
    };
  }
  if (o.key === 'label' && /^type:(spc_t|unconfined_t)$/.test(value)) {
    return {
      what: `runs with SELinux type ${value.slice(5)}, which SELinux does not confine`,
      fix: `remove \`label:${o.value}\`; relabel the bind mounts the service needs with \`:z\` or \`:Z\` instead`,
      cis: ['5.3'],
    };
  }
  if (o.key === 'systempaths' && value === 'unconfined') {
    return {
      what: 'unmasks the /proc and /sys paths Docker hides (/proc/kcore, /proc/sysrq-trigger, /sys/firmware…) and makes them writable',
      fix: 'remove `systempaths=unconfined`',
      cis: [],
    };
  }
  return undefined;
}

export default createRule({
  id: 'unconfined-profile',
  severity: 'high',
  category: 'security',
  cis: ['5.2', '5.3', '5.22'],
  docs: {
    summary:
      'A service turns a kernel confinement off: `seccomp:unconfined`, `apparmor:unconfined`, `label:disable` ' +
      '(or an unconfined SELinux type) or `systempaths=unconfined`.',
    why:
      'Seccomp, AppArmor/SELinux and the masked /proc and /sys paths are what still protect the host kernel ' +
      'when a process in the container is root. Docker\'s default seccomp profile blocks the system calls ' +
      'behind most container escapes; AppArmor and SELinux keep the container away from host files; the ' +
      'masked paths hide kernel memory and controls. Turning one off removes a layer that costs nothing to keep.',
    fix:
      'Remove the option. If the service needs one system call or one path the default profile blocks, write ' +
      'a custom seccomp or AppArmor profile that allows just that, and reference it.',
    example: 'services:\n  scanner:\n    image: scanner:3.2\n    security_opt:\n      - seccomp:unconfined\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const [name, service] of services(ctx)) {
      for (const o of securityOptions(service)) {
        const found = unconfinement(o);
        if (!found) continue;
        findings.push({
          path: ['services', name, 'security_opt', o.index],
          message: `service "${name}" ${found.what} ("${o.raw}")`,
          fix: found.fix,
          cis: found.cis,
        });
      }
    }
    return findings;
  },
});
