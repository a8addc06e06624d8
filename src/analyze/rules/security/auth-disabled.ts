import { basename, relative } from 'node:path';
import type { Service } from '../../../compose/index.js';
import { createRule } from '../create-rule.js';
import { imageName, services } from '../util.js';
import type { RawFinding, RuleContext } from '../../types.js';
import { mountedConfigFiles } from './secrets/candidates.js';
import { isLoopback, publishedPorts } from '../../facts/index.js';

const TRUE = /^(1|true|yes|on|y)$/i;
const FALSE = /^(0|false|no|off|n)$/i;

/** Environment switches that turn authentication off: name, whether the value turns it off, what it does. */
const ENV_SWITCHES: readonly [RegExp, (value: string) => boolean, string][] = [
  [/^POSTGRES_HOST_AUTH_METHOD$/, (v) => /^trust$/i.test(v), 'lets every client connect to PostgreSQL as any user without a password'],
  [/^(MYSQL|MARIADB)_ALLOW_EMPTY(_ROOT)?_PASSWORD$/, (v) => v !== '' && !FALSE.test(v), 'creates the database root user without a password'],
  [/^ALLOW_EMPTY_PASSWORD$/, (v) => TRUE.test(v), 'starts the data store without a password'],
  [/^xpack\.security\.enabled$/, (v) => FALSE.test(v), 'turns off Elasticsearch authentication'],
  [/^(DISABLE_SECURITY_PLUGIN|plugins\.security\.disabled)$/, (v) => TRUE.test(v), 'turns off OpenSearch authentication'],
  [/^GF_AUTH_ANONYMOUS_ORG_ROLE$/, (v) => /^admin$/i.test(v), 'makes every anonymous Grafana visitor an administrator'],
  [/^(DISABLE_AUTH|AUTH_DISABLED|NO_AUTH)$/, (v) => TRUE.test(v), 'turns authentication off'],
];

/** Command-line switches that turn authentication off. */
const COMMAND_SWITCHES: readonly [RegExp, string][] = [
  [/^--api\.insecure(=true)?$/i, "serves Traefik's dashboard and API without authentication"],
  [/^--noauth$/, 'starts MongoDB without access control'],
  [/^--skip-grant-tables$/, 'starts MySQL without checking any password'],
  [/^--(NotebookApp|ServerApp)\.(token|password)=(''|"")?$/, 'starts Jupyter without a token or password'],
  [/^--auth[= ]none$/, 'serves the editor without authentication'],
  [/^--protected-mode[= ]no$/, 'turns off Redis protected mode'],
];

/** Keys of configuration files whose empty value means "no password". */
const EMPTY_PASSWORD_LINE = /^\s*["']?(requirepass|password|passwd|admin_password|root_password|auth_pass)["']?\s*[:=]?\s*(""|'')?\s*$/i;

/** The same in XML configuration (ClickHouse `users.xml`): `<password></password>` or `<password/>`. */
const EMPTY_PASSWORD_ELEMENT = /^\s*<(password|passwd)\s*(\/>|>\s*<\/\1\s*>)\s*$/i;

function envSwitches(name: string, service: Service): RawFinding[] {
  const out: RawFinding[] = [];
  for (const [key, raw] of Object.entries(service.environment ?? {})) {
    if (raw === null || raw === undefined) continue;
    const value = String(raw).trim();
    for (const [pattern, disables, what] of ENV_SWITCHES) {
      if (!pattern.test(key) || !disables(value)) continue;
      out.push({
        path: ['services', name, 'environment', key],
        message: `service "${name}" sets ${key}=${value}, which ${what}`,
        fix: `remove ${key} and give the service a password from a compose secret or an unversioned .env file`,
      });
    }
  }
  return out;
}

function commandSwitches(name: string, service: Service): RawFinding[] {
  const out: RawFinding[] = [];
  for (const field of ['command', 'entrypoint'] as const) {
    const words = Array.isArray(service[field]) ? service[field].map(String) : [];
    words.forEach((word, index) => {
      const joined = words[index + 1] !== undefined && !words[index + 1]!.startsWith('-') ? `${word} ${words[index + 1]}` : word;
      for (const [pattern, what] of COMMAND_SWITCHES) {
        if (!pattern.test(word) && !pattern.test(joined)) continue;
        out.push({
          path: ['services', name, field, index],
          message: `service "${name}" runs with ${pattern.test(word) ? word : joined}, which ${what}`,
          fix: 'remove the switch and configure authentication; keep such a switch in a local development overlay at most',
        });
      }
    });
  }
  return out;
}

const isRedis = (image: string | undefined) => image !== undefined && /^(redis|valkey|keydb|redis-stack-server|redis-stack)$/.test(imageName(image));

/** Redis (or Valkey) with a port other machines reach and nothing in its command, environment or config that sets a password. */
function openRedis(ctx: RuleContext, name: string, service: Service): RawFinding[] {
  const image = typeof service.image === 'string' ? service.image : undefined;
  if (!isRedis(image)) return [];
  const open = publishedPorts(service, ctx.project).find(({ port }) => !isLoopback(port.host_ip));
  if (!open) return [];
  const command = [...(Array.isArray(service.command) ? service.command : []), ...(Array.isArray(service.entrypoint) ? service.entrypoint : [])].map(String).join(' ');
  if (/requirepass|--aclfile|\.conf\b/.test(command)) return [];
  const env = Object.keys(service.environment ?? {});
  if (env.some((k) => /PASSWORD|REQUIREPASS|ARGS/i.test(k))) return [];
  const mountsConfig = (Array.isArray(service.volumes) ? service.volumes : []).some((v) => typeof v?.target === 'string' && /\.conf$|\/usr\/local\/etc\/redis/.test(v.target));
  if (mountsConfig) return [];
  return [{
    path: ['services', name, 'ports', open.index],
    message: `service "${name}" publishes ${image} on a non-loopback interface without a password: whoever reaches the port reads and writes every key, and can make the server write files`,
    fix: 'set a password (`command: ["redis-server", "--requirepass", "${REDIS_PASSWORD}"]` with the value in an unversioned .env file) and drop the port mapping unless the host needs it',
  }];
}

function emptyConfigPasswords(ctx: RuleContext): RawFinding[] {
  const out: RawFinding[] = [];
  for (const { service, file } of mountedConfigFiles(ctx)) {
    const text = ctx.readText(file);
    if (text === undefined || text.length > 512 * 1024) continue;
    text.split(/\r?\n/).forEach((line, index) => {
      const element = EMPTY_PASSWORD_ELEMENT.exec(line);
      const m = element ?? EMPTY_PASSWORD_LINE.exec(line);
      // A bare `password` line with neither separator nor quotes is a word, not a setting.
      if (!m || (!element && !/[:=]/.test(line) && m[2] === undefined)) return;
      const shown = relative(ctx.dir, file) || basename(file);
      out.push({
        at: { file, line: index + 1, column: line.search(/\S/) + 1 },
        service,
        message: `${shown} (mounted into service "${service}") sets an empty ${m[1]}: the service accepts connections without a password`,
        fix: `set ${m[1]} from a secret (a compose secret, or a value the entrypoint reads from the environment)`,
      });
    });
  }
  return out;
}

export default createRule({
  id: 'auth-disabled',
  severity: 'high',
  category: 'security',
  docs: {
    summary: 'Authentication is switched off: trust auth, empty-password switches, insecure admin APIs, Redis without a password on a reachable port, empty passwords in mounted configs.',
    why:
      'A data store or admin API that accepts anyone needs no stolen password: whoever reaches it owns the ' +
      'data, and often the container (Redis can be made to write files, Traefik\'s API reveals every route, ' +
      'Jupyter runs code). These switches are meant for a laptop and end up in shared files, where every ' +
      'service on the network, and every machine when the port is published, gets in.',
    fix:
      'Remove the switch and give the service a password from a compose secret or an unversioned `.env` ' +
      'file: `POSTGRES_PASSWORD_FILE`, `MYSQL_ROOT_PASSWORD`, `--requirepass`, a `users` entry for ' +
      'Traefik\'s dashboard behind an authenticated router.',
    example: 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_HOST_AUTH_METHOD: trust\n',
  },
  check: (ctx) => [
    ...services(ctx).flatMap(([name, service]) => [...envSwitches(name, service), ...commandSwitches(name, service), ...openRedis(ctx, name, service)]),
    ...emptyConfigPasswords(ctx),
  ],
});
