import type { Service } from '../../../compose/index.js';
import { imageOf } from '../../facts/index.js';
import { createRule } from '../create-rule.js';
import { imageName, services } from '../util.js';
import { imageTools, type ImageTools } from './image/tools.js';
import { isOneShot, servicePath } from './shared.js';

export default createRule({
  id: 'missing-healthcheck',
  severity: 'medium',
  category: 'reliability',
  cis: ['5.27'],
  docs: {
    summary: 'A long-running service has no health check, neither in the compose file nor in the Dockerfile it builds.',
    why:
      'Without a health check a container counts as up as soon as its process starts: a hung or ' +
      'half-started service keeps receiving traffic, `depends_on: condition: service_healthy` cannot ' +
      'wait for it, and orchestrators and monitoring never learn that it is broken. One-shot jobs ' +
      '(awaited with `service_completed_successfully`, or `restart: "no"` with their own command) are not reported.',
    fix: 'Add a `healthcheck` whose test probes what the service does (an HTTP endpoint, `pg_isready`, `redis-cli ping`), or a `HEALTHCHECK` in its Dockerfile.',
    example: 'services:\n  api:\n    image: registry.example.com/api:1.4\n',
  },
  check: (ctx) =>
    services(ctx)
      .filter(([name, s]) => !s.healthcheck && !isOneShot(ctx, name, s) && imageOf(ctx, name)?.healthcheck !== true)
      .map(([name, s]) => {
        const image = imageOf(ctx, name);
        const unknown = image !== undefined && image.healthcheck === undefined;
        return {
          path: servicePath(name),
          ...(unknown ? { severity: 'info' as const } : {}),
          message: unknown
            ? `service "${name}" has no healthcheck in the compose file, and Shipshape cannot see whether ${image.built ? image.name : `image "${image.name}"`} declares a HEALTHCHECK`
            : `service "${name}" has no healthcheck: compose cannot tell when it is ready or stuck, and service_healthy dependencies cannot wait for it`,
          fix: `add a healthcheck, e.g. healthcheck: {test: ${suggestedTest(s, imageTools(ctx, name))}, interval: 30s, timeout: 5s, retries: 3}`,
        };
      }),
});

/** A test that suits the image, so that the fix can be pasted. */
function suggestedTest(service: Service, tools: ImageTools | undefined): string {
  const name = typeof service.image === 'string' ? imageName(service.image) : '';
  if (/postgres|postgis|timescale/.test(name)) return '["CMD", "pg_isready", "-U", "postgres"]';
  if (/redis|valkey|keydb/.test(name)) return '["CMD", "redis-cli", "ping"]';
  if (/mariadb/.test(name)) return '["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"]';
  if (/mysql/.test(name)) return '["CMD", "mysqladmin", "ping", "-h", "localhost"]';
  if (/mongo/.test(name)) return '["CMD", "mongosh", "--quiet", "--eval", "db.adminCommand(\'ping\')"]';
  const port = service.ports?.[0]?.target ?? Number.parseInt(service.expose?.[0] ?? '', 10);
  const url = `http://localhost${Number.isFinite(port) && port !== 80 ? `:${port}` : ''}/health`;
  if (tools?.has.curl === false && tools.has.wget === true) return `["CMD", "wget", "-q", "--spider", "${url}"]`;
  if (tools?.has.curl === false) return '["CMD", "<a probe program the image contains>"]';
  return `["CMD", "curl", "-fsS", "${url}"]`;
}
