import type { Service } from '../../../compose/index.js';
import type { RawFinding, RuleContext } from '../../types.js';
import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import { overlayPlace } from './overlay/locate.js';
import { capabilityName, parseGoBool, securityOptions, type SecurityOption } from './shared.js';

/** Capabilities whose addition by an overlay is a real loss of isolation (not NET_BIND_SERVICE and the like). */
const DANGEROUS_CAPS = new Set([
  'ALL', 'SYS_ADMIN', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_PTRACE', 'SYS_BOOT', 'SYS_TIME', 'NET_ADMIN', 'NET_RAW',
  'DAC_READ_SEARCH', 'DAC_OVERRIDE', 'MAC_ADMIN', 'MAC_OVERRIDE', 'BPF', 'PERFMON', 'SYSLOG',
]);

const NAMESPACES = ['network_mode', 'pid', 'ipc', 'uts', 'userns_mode'] as const;

export default createRule({
  id: 'dev-override-weakens-security',
  severity: 'high',
  category: 'security',
  docs: {
    summary: 'An overlay environment (e.g. `docker-compose.dev.yml`) removes hardening its base file has: user, read-only root, dropped capabilities, security options.',
    why:
      'Overlays are merged silently: one `user: root` or `read_only: false` in a dev file turns off ' +
      'protections the base was reviewed for, and such files tend to be used far beyond a laptop ' +
      '(shared dev hosts, CI, demo servers). The finding points at the overlay line and names what the base had.',
    fix:
      'Keep the base hardening in the overlay and grant only what development needs: a matching ' +
      '`user: "${UID}:${GID}"` instead of root, `tmpfs`/volumes for the paths a dev server writes ' +
      'instead of `read_only: false`, one `cap_add` entry instead of dropping `cap_drop: [ALL]`.',
    example:
      '# docker-compose.yml\nservices:\n  api:\n    image: api:1.4\n    user: "1001:1001"\n    read_only: true\n' +
      '# docker-compose.dev.yml\nservices:\n  api:\n    user: root\n    read_only: false\n',
  },
  check: (ctx) => {
    const base = ctx.base;
    if (!base) return [];
    const out: RawFinding[] = [];
    for (const [name, after] of services(ctx)) {
      const before = base.project.services[name];
      if (before) out.push(...weakenings(ctx, name, hardening(before), hardening(after)));
    }
    return out;
  },
});

function weakenings(ctx: RuleContext, name: string, before: Service, after: Service): RawFinding[] {
  const out: RawFinding[] = [];
  const at = (...path: (string | number)[]) => overlayPlace(ctx, ['services', name, ...path]);
  const report = (place: Pick<RawFinding, 'path' | 'at'>, message: string, fix: string) =>
    out.push({ ...place, service: name, message: `service "${name}": ${message}`, fix });

  if (!runsAsRoot(before.user) && runsAsRoot(after.user)) {
    report(
      at('user'),
      after.user === undefined
        ? `the overlay removes user "${before.user}" that the base sets, so it runs as the image's default user (root unless the image sets USER)`
        : `the overlay runs it as ${after.user}; the base runs it as "${before.user}"`,
      `keep user: "${before.user}" (or "\${UID}:\${GID}" to own files on the host) instead of root`,
    );
  }
  if (before.read_only === true && after.read_only !== true) {
    report(
      at('read_only'),
      'the overlay makes the root filesystem writable; the base sets read_only: true',
      'keep read_only: true and give the paths the service writes a tmpfs or a volume',
    );
  }
  if (before.privileged !== true && after.privileged === true) {
    report(at('privileged'), 'the overlay makes it privileged; the base does not', 'remove privileged: true; add only the capability or device that is needed');
  }
  const kept = new Set((after.cap_drop ?? []).map(capabilityName));
  const lost = (before.cap_drop ?? []).map(capabilityName).filter((c) => !kept.has(c) && !kept.has('ALL'));
  if (lost.length > 0) {
    report(
      at('cap_drop'),
      `the overlay no longer drops ${lost.join(', ')}, which the base drops`,
      `keep cap_drop: [${(before.cap_drop ?? []).join(', ')}] and add back a single capability with cap_add if one is needed`,
    );
  }
  const had = new Set((before.cap_add ?? []).map(capabilityName));
  const addedIndex = (after.cap_add ?? []).findIndex((c) => !had.has(capabilityName(c)) && DANGEROUS_CAPS.has(capabilityName(c)));
  if (addedIndex >= 0) {
    const added = (after.cap_add ?? []).map(capabilityName).filter((c) => !had.has(c) && DANGEROUS_CAPS.has(c));
    report(at('cap_add', addedIndex), `the overlay adds ${added.join(', ')}, which the base does not grant`, 'remove the added capabilities, or keep them in a separate opt-in debug profile');
  }
  out.push(...securityOptionWeakenings(ctx, name, before, after));
  for (const key of NAMESPACES) {
    if (after[key] === 'host' && before[key] !== 'host') {
      report(at(key), `the overlay sets ${key}: host, sharing the host's namespace; the base does not`, `remove ${key}: host from the overlay`);
    }
  }
  return out;
}

/** The fields compared, with values of the wrong type (a file the schema refused) left out. */
function hardening(service: Service): Service {
  const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
  return {
    ...service,
    user: typeof service.user === 'string' || typeof service.user === 'number' ? String(service.user) : undefined,
    cap_add: strings(service.cap_add),
    cap_drop: strings(service.cap_drop),
    security_opt: strings(service.security_opt),
  };
}

function runsAsRoot(user: string | undefined): boolean {
  return user === undefined || /^(root|0)(:|$)/.test(user.trim());
}

function securityOptionWeakenings(ctx: RuleContext, name: string, before: Service, after: Service): RawFinding[] {
  const out: RawFinding[] = [];
  const was = securityOptions(before);
  const now = securityOptions(after);
  const place = (opt: SecurityOption | undefined) => overlayPlace(ctx, ['services', name, 'security_opt', ...(opt ? [opt.index] : [])]);
  if (noNewPrivileges(was) && !noNewPrivileges(now)) {
    const last = now.filter((o) => o.key === 'no-new-privileges').at(-1);
    out.push({
      ...place(last),
      service: name,
      message: `service "${name}": the overlay turns no-new-privileges off; the base sets ${was.find((o) => o.key === 'no-new-privileges')?.raw}`,
      fix: 'keep no-new-privileges:true in security_opt (remove the overriding entry)',
    });
  }
  for (const opt of now) {
    const disables =
      (['seccomp', 'apparmor', 'systempaths'].includes(opt.key) && opt.value === 'unconfined') || (opt.key === 'label' && opt.value === 'disable');
    if (!disables || was.some((o) => o.key === opt.key && o.value === opt.value)) continue;
    out.push({
      ...place(opt),
      service: name,
      message: `service "${name}": the overlay adds ${opt.raw}, turning off a confinement the base keeps`,
      fix: `remove ${opt.raw}; if a debugger needs ptrace, grant SYS_PTRACE in a separate opt-in debug profile`,
    });
  }
  return out;
}

/** The engine applies the last `no-new-privileges` entry; a bare flag means true. */
function noNewPrivileges(options: SecurityOption[]): boolean {
  const last = options.filter((o) => o.key === 'no-new-privileges').at(-1);
  if (!last) return false;
  return last.value === '' || parseGoBool(last.value) === true;
}
