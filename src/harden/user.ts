import { findingsOf, type Hardening } from './shared.js';

const ROOT = /^(root|0)(:|$)/;

/**
 * A non-root `user` where the image allows it: the image runs as root, its entrypoint does not
 * switch users itself, and the compose file does not ask for root on purpose. An overlay that
 * took a base's user away gets it back.
 */
export const user: Hardening = (input, name, plan) => {
  const service = input.project.services[name]!;
  const written = service.user === undefined ? '' : String(service.user).trim();
  const before = input.base?.services[name]?.user;
  const baseUser = before === undefined ? '' : String(before).trim();
  if (baseUser !== '' && !ROOT.test(baseUser) && (written === '' || ROOT.test(written))) {
    plan.user = { user: baseUser, rules: findingsOf(input.findings, name, ['dev-override-weakens-security', 'root-user'], /runs it as|user/), note: `the base runs it as "${baseUser}"` };
    return;
  }
  if (written !== '' && !ROOT.test(written)) return;
  if (written !== '') {
    plan.skipped.push({ kind: 'user', reason: `the compose file asks for user "${written}" on purpose; review it by hand` });
    return;
  }
  const image = input.images.get(name);
  if (!image?.user) {
    plan.skipped.push({ kind: 'user', reason: 'which user the image runs as is unknown (not a known image and no engine to inspect it)' });
    return;
  }
  if (!image.user.root) return;
  if (image.dropsPrivileges) {
    plan.skipped.push({ kind: 'user', reason: 'its entrypoint starts as root and switches to an unprivileged user itself; it keeps CHOWN, SETUID and SETGID for that' });
    return;
  }
  const uid = image.unprivilegedUser ?? '65534:65534';
  plan.user = { user: uid, rules: findingsOf(input.findings, name, ['root-user']), note: `the image runs as root; ${uid} is an unprivileged user` };
};
