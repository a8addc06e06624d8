import type { Service } from '../../../compose/index.js';
import type { RuleContext } from '../../types.js';
import { services } from '../util.js';

/**
 * A job that runs to completion rather than a long-running service: another service waits for
 * it with `service_completed_successfully`, or it says `restart: "no"` (or a `none` restart
 * condition) and gives its own command. Health checks, restart policies and log rotation are
 * about long-running services.
 */
export function isOneShot(ctx: RuleContext, name: string, service: Service): boolean {
  const awaited = services(ctx).some(([, s]) => s.depends_on?.[name]?.condition === 'service_completed_successfully');
  if (awaited) return true;
  const condition = (service.deploy?.['restart_policy'] as { condition?: string } | undefined)?.condition;
  const noRestart = service.restart === 'no' || condition === 'none';
  const ownCommand = (service.command?.length ?? 0) > 0 || (service.entrypoint?.length ?? 0) > 0;
  return noRestart && ownCommand;
}

/** The model path of a service, located at its name. */
export function servicePath(name: string): string[] {
  return ['services', name];
}
