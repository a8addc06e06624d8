import type { Service } from '../compose/index.js';
import { findingsOf, planFor, sharesNetworkStack } from './shared.js';
import type { HardenInput, HardenPlan } from './types.js';

/** The network harden adds for services that publish nothing. */
export const INTERNAL_NETWORK = 'internal';

function networkKeys(service: Service): string[] {
  const networks = service.networks;
  return typeof networks === 'object' && networks !== null ? Object.keys(networks) : ['default'];
}

/** Aliases, fixed addresses or priorities that moving the service to another network would lose. */
function hasNetworkSettings(service: Service): boolean {
  return Object.values(service.networks ?? {}).some((n) => n !== null && Object.keys(n).length > 0);
}

/**
 * Networks the base keeps internal become internal again; services that publish nothing move to
 * an internal network (no route out), and the services that publish join it to reach them. Runs
 * after `ports`, on the ports it leaves.
 */
export function networks(input: HardenInput, plan: HardenPlan): void {
  const { project } = input;
  for (const [key, was] of Object.entries(input.base?.networks ?? {})) {
    if (was.internal === true && project.networks[key] && project.networks[key].internal !== true) {
      plan.networks[key] = { internal: true, rules: ['internal-network-exposed'], note: 'the base keeps this network internal' };
    }
  }
  const internal = (key: string) => project.networks[key]?.internal === true || plan.networks[key] !== undefined;
  const name = project.networks[INTERNAL_NETWORK] ? `hardened-${INTERNAL_NETWORK}` : INTERNAL_NETWORK;
  const quiet: string[] = [];
  const publishers: string[] = [];
  for (const [service, s] of Object.entries(project.services)) {
    if (sharesNetworkStack(s)) continue;
    const keys = networkKeys(s);
    if (keys.some((k) => project.networks[k]?.external === true)) continue;
    const publishes = (plan.services[service]?.ports?.ports ?? s.ports ?? []).length > 0;
    if (publishes) publishers.push(service);
    else if (!keys.every(internal)) {
      if (hasNetworkSettings(s)) planFor(plan.services, service).skipped.push({ kind: 'networks', reason: 'its network aliases or addresses would be lost on another network' });
      else quiet.push(service);
    }
  }
  if (quiet.length === 0) return;
  plan.networks[name] = { internal: true, rules: [], note: 'for the services that publish nothing: no route out of the host' };
  for (const service of quiet) {
    planFor(plan.services, service).networks = {
      networks: [name],
      replace: true,
      rules: findingsOf(input.findings, service, ['internal-network-exposed']),
      note: 'it publishes nothing, so it needs no route out: only the internal network',
    };
  }
  for (const service of publishers) {
    const s = project.services[service]!;
    planFor(plan.services, service).networks = {
      networks: [...networkKeys(s), name],
      replace: false,
      rules: [],
      note: `it publishes ports and reaches the services on "${name}"`,
    };
  }
}
