import { createRule } from '../create-rule.js';
import { diagnosticFindings } from './shared.js';

export default createRule({
  id: 'undefined-volume',
  severity: 'high',
  category: 'validation',
  docs: {
    summary: 'A service mounts a named volume that the top-level `volumes:` section does not declare.',
    why:
      'Compose refuses to start the project ("service refers to undefined volume"). It often happens in an ' +
      'environment file that adds mounts but not the declarations, or when a bind mount lost its `./` and became a volume name.',
    fix: 'Declare the volume under the top-level `volumes:` (`data: {}`), or write the source as a path (`./data`) if a bind mount was meant.',
    example: 'services:\n  api:\n    image: api:1.0\n    volumes:\n      - backend_logs:/var/log/app\n',
  },
  check: (ctx) =>
    diagnosticFindings(ctx, ['undefined-volume'], (d) => {
      const volume = /mounts volume "([^"]+)"/.exec(d.message)?.[1] ?? 'NAME';
      return {
        fix: `declare it at the top level: \`volumes: {${volume}: {}}\`, or write "./${volume}" if a bind mount of a directory was meant`,
      };
    }),
});
