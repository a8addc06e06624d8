import { findingsOf, type Hardening } from './shared.js';

const RULES = ['no-new-privileges-missing', 'dev-override-weakens-security'];

/** `security_opt: [no-new-privileges:true]`: appended, so it is the last entry and wins over a `false` in the base. */
export const noNewPrivileges: Hardening = (input, name, plan) => {
  const service = input.project.services[name]!;
  if (service.privileged === true) {
    plan.skipped.push({ kind: 'no-new-privileges', reason: 'the service is privileged; remove privileged: true first' });
    return;
  }
  const options = (Array.isArray(service.security_opt) ? service.security_opt : []).map((o) => String(o).replace('=', ':').trim());
  const last = options.filter((o) => o.startsWith('no-new-privileges')).at(-1);
  if (last === 'no-new-privileges' || last === 'no-new-privileges:true') return;
  const rules = findingsOf(input.findings, name, RULES, /no-new-privileges/);
  plan.noNewPrivileges = { rules: rules.length > 0 ? rules : ['no-new-privileges-missing'], note: 'no process can gain privileges through setuid binaries' };
};
