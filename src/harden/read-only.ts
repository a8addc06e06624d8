import { findingsOf, type Hardening } from './shared.js';

/**
 * `read_only: true` with a tmpfs for `/tmp`; `--verify` adds one for every other path the service
 * writes. A base that says `read_only: false` made a decision, which stays (and is reported).
 */
export const readOnly: Hardening = (input, name, plan) => {
  const service = input.project.services[name]!;
  if (service.read_only === true) return;
  const rules = findingsOf(input.findings, name, ['writable-rootfs', 'dev-override-weakens-security'], /root filesystem/);
  const baseSaysTrue = input.base?.services[name]?.read_only === true;
  if (service.read_only === false && !baseSaysTrue) {
    plan.skipped.push({ kind: 'read-only', reason: 'the compose file sets read_only: false on purpose; review it by hand' });
    return;
  }
  const mounted = new Set([
    ...(Array.isArray(service.volumes) ? service.volumes.map((v) => v.target) : []),
    ...(Array.isArray(service['tmpfs']) ? (service['tmpfs'] as unknown[]).map((t) => String(t).split(':')[0]) : []),
  ]);
  plan.readOnly = {
    tmpfs: mounted.has('/tmp') ? [] : ['/tmp'],
    rules: rules.length > 0 ? rules : ['writable-rootfs'],
    note: baseSaysTrue ? 'the base sets read_only: true' : 'nothing can change the image\'s files; /tmp is a tmpfs',
  };
};
