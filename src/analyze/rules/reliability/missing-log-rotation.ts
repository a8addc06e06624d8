import type { RawFinding } from '../../types.js';
import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import { isOneShot, servicePath } from './shared.js';

interface Logging {
  driver?: string;
  options?: Record<string, unknown>;
}

/** Drivers that keep logs on the host in files compose rotates only when told to. */
const FILE_DRIVERS = new Set(['json-file']);

export default createRule({
  id: 'missing-log-rotation',
  severity: 'low',
  category: 'reliability',
  docs: {
    summary: 'A service logs with the default `json-file` driver and no `max-size`, so its log file grows without bound.',
    why:
      'Docker\'s default `json-file` driver never rotates unless `max-size` is set: a chatty or ' +
      'crash-looping container fills the host disk, and then every service on it fails. Drivers that ' +
      'ship logs elsewhere (syslog, journald, fluentd, gelf, awslogs, loki…) and `local`, which ' +
      'rotates by default, are not reported. A rotation configured host-wide in the daemon\'s ' +
      '`daemon.json` is not visible to the analyzer.',
    fix: 'Add `logging: {driver: json-file, options: {max-size: "10m", max-file: "3"}}` (an `x-logging` anchor shares it), or use `driver: local`.',
    example: 'services:\n  api:\n    image: api:1.4\n',
  },
  check: (ctx) => {
    const out: RawFinding[] = [];
    for (const [name, service] of services(ctx)) {
      const logging = service['logging'] as Logging | undefined;
      const driver = logging?.driver ?? 'json-file';
      if (!FILE_DRIVERS.has(driver) || logging?.options?.['max-size'] !== undefined || isOneShot(ctx, name, service)) continue;
      out.push({
        path: logging ? ['services', name, 'logging'] : servicePath(name),
        message: `service "${name}" logs to ${driver} without max-size: its log file grows until the disk is full`,
        fix: 'add logging: {driver: json-file, options: {max-size: "10m", max-file: "3"}}, or driver: local',
      });
    }
    return out;
  },
});
