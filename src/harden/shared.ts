import type { Project, Service } from '../compose/index.js';
import type { Finding } from '../analyze/index.js';
import type { HardenInput, ServicePlan } from './types.js';

/**
 * The ids among `rules` of the findings that concern `service`. A `dev-override-weakens-security`
 * finding names one weakening; `about` picks those whose message mentions it.
 */
export function findingsOf(findings: readonly Finding[], service: string, rules: readonly string[], about?: RegExp): string[] {
  const found = findings
    .filter((f) => rules.includes(f.rule) && (f.services.includes(service) || f.service === service))
    .filter((f) => f.rule !== 'dev-override-weakens-security' || about === undefined || about.test(f.message))
    .map((f) => f.rule);
  return [...new Set(found)];
}

/**
 * A job that runs to completion: another service waits for it with
 * `service_completed_successfully`, or it says `restart: "no"` and gives its own command (the
 * analyzer's reliability rules read one-shots the same way, docs/rules/missing-restart-policy.md).
 */
export function isOneShot(project: Project, name: string): boolean {
  const service = project.services[name];
  if (!service) return false;
  const awaited = Object.values(project.services).some((s) => s.depends_on?.[name]?.condition === 'service_completed_successfully');
  if (awaited) return true;
  const ownCommand = (service.command?.length ?? 0) > 0 || (service.entrypoint?.length ?? 0) > 0;
  return service.restart === 'no' && ownCommand;
}

/** Container ports the service listens on, as far as the files and the image tell, lowest first. */
export function containerPorts(service: Service, exposed: readonly number[] = []): number[] {
  const ports = new Set<number>();
  for (const p of Array.isArray(service.ports) ? service.ports : []) if (typeof p?.target === 'number') ports.add(p.target);
  for (const e of Array.isArray(service.expose) ? service.expose : []) {
    const n = Number.parseInt(String(e), 10);
    if (Number.isInteger(n) && n > 0) ports.add(n);
  }
  for (const e of exposed) ports.add(e);
  return [...ports].sort((a, b) => a - b);
}

/** Shares the network namespace of something else: no ports, networks or hostname of its own. */
export function sharesNetworkStack(service: Service): boolean {
  const mode = typeof service.network_mode === 'string' ? service.network_mode : '';
  return mode !== '' && mode !== 'bridge' && mode !== 'default';
}

export function planFor(plans: Record<string, ServicePlan>, name: string): ServicePlan {
  plans[name] ??= { name, skipped: [] };
  return plans[name];
}

export type Hardening = (input: HardenInput, name: string, plan: ServicePlan) => void;
