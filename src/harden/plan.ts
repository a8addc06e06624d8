import { capabilities } from './capabilities.js';
import { healthcheck } from './healthcheck.js';
import { limits, logRotation, restart } from './limits.js';
import { networks } from './networks.js';
import { noNewPrivileges } from './no-new-privileges.js';
import { ports } from './ports.js';
import { readOnly } from './read-only.js';
import { secrets } from './secrets.js';
import { planFor, type Hardening } from './shared.js';
import { user } from './user.js';
import type { HardenInput, HardenPlan } from './types.js';

/** In order: `capabilities` reads the user `user` chose, `networks` the ports `ports` left. */
const PER_SERVICE: readonly Hardening[] = [user, capabilities, noNewPrivileges, readOnly, limits, logRotation, restart, healthcheck, ports];

/** Everything harden would change in this environment, before anything is written (docs/harden.md). */
export function planHardening(input: HardenInput): HardenPlan {
  const plan: HardenPlan = { services: {}, networks: {}, secrets: {}, requiredVariables: [] };
  for (const name of Object.keys(input.project.services)) {
    const service = planFor(plan.services, name);
    for (const harden of PER_SERVICE) harden(input, name, service);
  }
  secrets(input, plan);
  networks(input, plan);
  return plan;
}
