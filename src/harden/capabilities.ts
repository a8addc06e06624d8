import { containerPorts, findingsOf, type Hardening } from './shared.js';

const ROOT = /^(root|0)(:|$)/;
/** What an entrypoint that starts as root and switches users needs: chown its data, then setuid/setgid. */
export const PRIVILEGE_DROP = ['CHOWN', 'SETUID', 'SETGID'];

const capabilityName = (raw: string) => {
  const upper = raw.trim().toUpperCase();
  return upper.startsWith('CAP_') ? upper.slice(4) : upper;
};

/**
 * `cap_drop: [ALL]` and back only what the service shows it needs: NET_BIND_SERVICE to listen on
 * a port below 1024, and CHOWN/SETUID/SETGID for an entrypoint that drops privileges. Runs after
 * `user`, whose decision it reads.
 */
export const capabilities: Hardening = (input, name, plan) => {
  const service = input.project.services[name]!;
  if (service.privileged === true) {
    plan.skipped.push({ kind: 'capabilities', reason: 'the service is privileged and gets every capability whatever cap_drop says' });
    return;
  }
  const dropped = new Set((Array.isArray(service.cap_drop) ? service.cap_drop : []).map((c) => capabilityName(String(c))));
  if (dropped.has('ALL')) return;
  const kept = new Set((Array.isArray(service.cap_add) ? service.cap_add : []).map((c) => capabilityName(String(c))));
  const add: string[] = [];
  const image = input.images.get(name);
  const written = plan.user?.user ?? (service.user === undefined ? '' : String(service.user).trim());
  const startsAsRoot = written === '' ? image?.user?.root !== false : ROOT.test(written);
  if (containerPorts(service, image?.exposedPorts).some((p) => p < 1024)) add.push('NET_BIND_SERVICE');
  if (startsAsRoot && image?.dropsPrivileges) add.push(...PRIVILEGE_DROP);
  const needed = add.filter((c) => !kept.has(c));
  const why = [
    ...(needed.includes('NET_BIND_SERVICE') ? ['NET_BIND_SERVICE to listen below port 1024'] : []),
    ...(needed.includes('CHOWN') ? ['CHOWN, SETUID, SETGID for the entrypoint that switches users'] : []),
  ];
  plan.capabilities = {
    add: needed,
    rules: findingsOf(input.findings, name, ['no-cap-drop', 'dev-override-weakens-security'], /drops|cap_drop/).concat(),
    note: `drop every capability${why.length > 0 ? `; give back ${why.join(', ')}` : ''}`,
  };
  if (plan.capabilities.rules.length === 0) plan.capabilities.rules = ['no-cap-drop'];
};
