import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import { displayPath, isDirectory, localBuild } from './shared.js';

export default createRule({
  id: 'missing-build-context',
  severity: 'critical',
  category: 'validation',
  docs: {
    summary: 'A service builds from a local context directory that does not exist.',
    why:
      '`docker compose build` and `up` stop with "unable to prepare context: path … not found": the image is never ' +
      'built and the service never starts. Remote contexts (git URLs, tarball URLs) are not checked.',
    fix: 'Correct `build.context` (it is relative to the compose file\'s directory), or create the directory with its Dockerfile.',
    example: 'services:\n  api:\n    build:\n      context: ./services/api\n',
  },
  check: (ctx) =>
    services(ctx).flatMap(([name, service]) => {
      const context = localBuild(ctx, service)?.context;
      if (!context) return [];
      const shown = displayPath(ctx, context);
      if (!ctx.exists(context)) {
        return [
          {
            path: ['services', name, 'build', 'context'],
            message: `service "${name}" builds from ${shown}, which does not exist`,
            fix: `correct build.context (relative to the compose file), or create ${shown} with the service's Dockerfile`,
          },
        ];
      }
      if (!isDirectory(ctx, context)) {
        return [
          {
            path: ['services', name, 'build', 'context'],
            message: `service "${name}" builds from ${shown}, which is a file, not a directory`,
            fix: 'point build.context at the directory and name the file with build.dockerfile',
          },
        ];
      }
      return [];
    }),
});
