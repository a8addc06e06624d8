import { createRule } from '../create-rule.js';
import { services } from '../util.js';

export default createRule({
  id: 'writable-rootfs',
  severity: 'low',
  category: 'security',
  cis: ['5.13'],
  docs: {
    summary: 'A service\'s root filesystem is writable: it has no `read_only: true`.',
    why:
      'With a writable root filesystem, an attacker who gets code execution can replace the application\'s ' +
      'binaries and configuration, drop tools and keep a foothold across restarts of the process. A read-only ' +
      'root filesystem also makes the places where the service really writes explicit (volumes, tmpfs), which ' +
      'helps backups and reviews.',
    fix:
      'Add `read_only: true` and give the paths the service writes a `tmpfs` (e.g. `/tmp`, `/run`) or a ' +
      'volume (its data directory).',
    example: 'services:\n  api:\n    image: api:2.3\n',
  },
  check: (ctx) =>
    services(ctx)
      .filter(([, s]) => s.read_only !== true)
      .map(([name, s]) => ({
        path: s.read_only === undefined ? ['services', name] : ['services', name, 'read_only'],
        message:
          s.read_only === undefined
            ? `service "${name}" has a writable root filesystem: it has no read_only: true`
            : `service "${name}" sets read_only: ${String(s.read_only)}: its root filesystem is writable`,
        fix: 'set `read_only: true` and mount a tmpfs (`tmpfs: [/tmp]`) or a volume where the service writes',
      })),
});
