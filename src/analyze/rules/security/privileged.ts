import { createRule } from '../create-rule.js';
import { services } from '../util.js';

export default createRule({
  id: 'privileged',
  severity: 'critical',
  category: 'security',
  cis: ['5.5'],
  docs: {
    summary: 'A service runs with `privileged: true`.',
    why:
      'A privileged container gets every capability, every host device and no seccomp or AppArmor ' +
      'confinement: a process that escapes the application owns the host.',
    fix: 'Remove `privileged: true`; grant only the capabilities the service needs with `cap_add`, and the devices with `devices`.',
    example: 'services:\n  app:\n    image: app:1.0\n    privileged: true\n',
  },
  check: (ctx) =>
    services(ctx)
      .filter(([, s]) => s.privileged === true)
      .map(([name]) => ({
        path: ['services', name, 'privileged'],
        message: `service "${name}" runs privileged: it has full access to the host`,
        fix: 'remove `privileged: true` and add only the capabilities it needs with cap_add',
      })),
});
