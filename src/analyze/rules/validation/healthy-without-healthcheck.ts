import { createRule } from '../create-rule.js';
import { imageName, services } from '../util.js';
import { imageOf } from '../../facts/index.js';
import { isRecord, type RuleContext, type Service } from './shared.js';

/**
 * Why a service will never report healthy, or undefined when it will (it has a check, or its
 * image does). `unknown` when Shipshape cannot see whether its image declares a HEALTHCHECK.
 */
function missingHealthcheck(ctx: RuleContext, name: string, service: Service): { why: string; unknown: boolean } | undefined {
  const hc: unknown = service.healthcheck;
  if (isRecord(hc)) {
    const test = Array.isArray(hc.test) ? hc.test[0] : undefined;
    if (hc.disable === true || (typeof test === 'string' && test.toUpperCase() === 'NONE')) return { why: 'its healthcheck is disabled', unknown: false };
    // A healthcheck that only tunes timings keeps the image's own test: assume the author knows it has one.
    return undefined;
  }
  const image = imageOf(ctx, name);
  if (image?.healthcheck === true) return undefined;
  const stage = service.build?.target ? ` in stage "${service.build.target}"` : '';
  if (image?.built) {
    if (image.healthcheck === false) return { why: `it has no healthcheck, and ${image.built.label} has no HEALTHCHECK${stage}`, unknown: false };
    return { why: `it has no healthcheck, ${image.built.label} has no HEALTHCHECK${stage}, and Shipshape cannot see whether its base image ${image.built.base.image} has one`, unknown: true };
  }
  if (image?.healthcheck === false) return { why: `it has no healthcheck, and image "${image.name}" declares none`, unknown: false };
  if (image) return { why: `it has no healthcheck, and Shipshape cannot see whether image "${image.name}" declares one`, unknown: true };
  return { why: 'it has no healthcheck', unknown: false };
}

/** Tests the usual images answer to, so the fix can be copied as it is. */
const KNOWN_TESTS: Record<string, string> = {
  postgres: '["CMD", "pg_isready"]',
  postgresql: '["CMD", "pg_isready"]',
  postgis: '["CMD", "pg_isready"]',
  redis: '["CMD", "redis-cli", "ping"]',
  valkey: '["CMD", "valkey-cli", "ping"]',
  mysql: '["CMD", "mysqladmin", "ping", "-h", "localhost"]',
  mariadb: '["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"]',
  mongo: '["CMD", "mongosh", "--quiet", "--eval", "db.adminCommand(\'ping\')"]',
  rabbitmq: '["CMD", "rabbitmq-diagnostics", "-q", "ping"]',
};

function healthcheckFix(service: Service, disabled: boolean): string {
  if (disabled) return `enable the healthcheck of "${service.name}" (remove \`disable: true\` / \`test: ["NONE"]\`), or use \`condition: service_started\``;
  const test = service.image ? KNOWN_TESTS[imageName(service.image)] : undefined;
  return `add a healthcheck to "${service.name}" (e.g. \`healthcheck: {test: ${test ?? '["CMD", "…"]'}, interval: 10s}\`), or use \`condition: service_started\``;
}

export default createRule({
  id: 'healthy-without-healthcheck',
  severity: 'high',
  category: 'validation',
  docs: {
    summary: 'A service waits for `condition: service_healthy` on a service that has no health check (or has it disabled).',
    why:
      'A container without a health check never becomes healthy, so `docker compose up` fails with "container … has ' +
      'no healthcheck configured" and the dependent service never starts. Images rarely bring their own HEALTHCHECK; ' +
      'a local Dockerfile with one is recognized.',
    fix:
      'Give the dependency a `healthcheck:` that tests what the dependent needs (e.g. `pg_isready` for PostgreSQL), ' +
      'or wait with `condition: service_started` instead.',
    example:
      'services:\n  api:\n    image: api:1.0\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: postgres:16\n',
  },
  check: (ctx) =>
    services(ctx).flatMap(([name, service]) =>
      Object.entries(isRecord(service.depends_on) ? service.depends_on : {}).flatMap(([depName, dep]) => {
        const target = ctx.project.services[depName];
        if (!isRecord(dep) || dep.condition !== 'service_healthy' || !target) return [];
        const missing = missingHealthcheck(ctx, depName, target);
        if (!missing) return [];
        const { why, unknown } = missing;
        return [
          {
            path: ['services', name, 'depends_on', depName, 'condition'],
            ...(unknown ? { severity: 'info' as const } : {}),
            message: unknown
              ? `service "${name}" waits for "${depName}" to be healthy, but ${why}: if it has none, "${name}" never starts`
              : `service "${name}" waits for "${depName}" to be healthy, but ${why}: "${depName}" never becomes healthy and "${name}" never starts`,
            fix: healthcheckFix(target, why.includes('disabled')),
          },
        ];
      }),
    ),
});
