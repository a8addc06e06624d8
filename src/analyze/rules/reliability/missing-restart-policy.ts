import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import { isOneShot, servicePath } from './shared.js';

export default createRule({
  id: 'missing-restart-policy',
  severity: 'low',
  category: 'reliability',
  docs: {
    summary: 'A long-running service has neither `restart` nor `deploy.restart_policy`.',
    why:
      'The default is not to restart: after a crash, an out-of-memory kill or a reboot of the host ' +
      'the service stays down until someone notices. One-shot jobs (awaited with ' +
      '`service_completed_successfully`) are not reported, and an explicit `restart: "no"` is taken as a decision.',
    fix: 'Set `restart: unless-stopped` (or `always`) for services, `restart: on-failure` for jobs that must finish.',
    example: 'services:\n  api:\n    image: api:1.4\n',
  },
  check: (ctx) =>
    services(ctx)
      .filter(([name, s]) => s.restart === undefined && s.deploy?.['restart_policy'] === undefined && !isOneShot(ctx, name, s))
      .map(([name]) => ({
        path: servicePath(name),
        message: `service "${name}" has no restart policy: it stays down after a crash or a reboot of the host`,
        fix: 'add restart: unless-stopped (or on-failure for a job that must finish)',
      })),
});
