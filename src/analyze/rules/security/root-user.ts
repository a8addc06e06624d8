import { isAbsolute, relative, resolve } from 'node:path';
import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import type { Service } from '../../../compose/index.js';
import type { RawFinding, RuleContext } from '../../types.js';
import { dockerfileUser, isRootUser, repositoryOf, runsAsNonRootByDefault, type DockerfileUser } from './shared.js';

/** Official images whose entrypoint starts as root and then switches to its own user for the server. */
const DROPS_PRIVILEGES = new Set(['postgres', 'mysql', 'mariadb', 'redis', 'mongo', 'rabbitmq', 'cassandra', 'couchdb', 'neo4j', 'influxdb', 'zookeeper']);

const FIX = 'set `user:` to an unprivileged UID:GID (e.g. "1000:1000", or the image\'s own user) and give its volumes that owner';

interface BuiltImage {
  dockerfile: string;
  user: DockerfileUser;
}

/** The user the locally built image runs as, when its Dockerfile can be read. */
function builtImageUser(ctx: RuleContext, build: NonNullable<Service['build']>): BuiltImage | undefined {
  if (typeof build.dockerfile_inline === 'string') {
    const user = dockerfileUser(build.dockerfile_inline, build.target, build.args ?? {});
    return user && { dockerfile: 'dockerfile_inline', user };
  }
  const context = build.context;
  if (typeof context !== 'string' || !isAbsolute(context)) return undefined;
  const path = resolve(context, typeof build.dockerfile === 'string' ? build.dockerfile : 'Dockerfile');
  const text = ctx.readText(path);
  if (text === undefined) return undefined;
  const user = dockerfileUser(text, build.target, build.args ?? {});
  return user && { dockerfile: relative(ctx.dir, path) || path, user };
}

function check(ctx: RuleContext, name: string, service: Service): RawFinding | undefined {
  // `user: 0` is a YAML number when the file skips the quotes.
  const written: unknown = service.user;
  const user = typeof written === 'string' || typeof written === 'number' ? String(written).trim() : '';
  if (user !== '') {
    if (!isRootUser(user)) return undefined;
    return {
      path: ['services', name, 'user'],
      message: `service "${name}" runs as root (user: "${user}"): a process that breaks out of the application is root in the container and close to root on the host`,
      fix: FIX,
    };
  }
  if (service.build) {
    const built = builtImageUser(ctx, service.build);
    // A Dockerfile that cannot be read is another rule's finding; without it, root is not shown.
    if (!built) return undefined;
    const stage = service.build.target ? `stage "${service.build.target}"` : 'final stage';
    if ('user' in built.user) {
      if (!isRootUser(built.user.user)) return undefined;
      return {
        path: ['services', name, 'build'],
        message: `service "${name}" runs as root: no user is set and the ${stage} of ${built.dockerfile} ends with USER ${built.user.user} (line ${built.user.line})`,
        fix: `add a non-root USER at the end of the ${stage} of ${built.dockerfile}, or ${FIX}`,
      };
    }
    if (runsAsNonRootByDefault(built.user.base)) return undefined;
    return {
      path: ['services', name, 'build'],
      message: `service "${name}" runs as root: no user is set and the ${stage} of ${built.dockerfile} has no USER, so it keeps the root user of ${built.user.base}`,
      fix: `add a non-root USER to the ${stage} of ${built.dockerfile}, or ${FIX}`,
    };
  }
  if (typeof service.image !== 'string' || service.image.trim() === '') return undefined;
  if (runsAsNonRootByDefault(service.image)) return undefined;
  const drops = DROPS_PRIVILEGES.has(repositoryOf(service.image))
    ? ' (its entrypoint switches to an unprivileged user for the server, but starts as root and `docker exec` is root)'
    : '';
  return {
    path: ['services', name],
    message: `service "${name}" runs as root: no user is set and image "${service.image}" runs as root by default${drops}`,
    fix: FIX,
  };
}

export default createRule({
  id: 'root-user',
  severity: 'medium',
  category: 'security',
  docs: {
    summary: 'A service runs as root: `user` is root, or unset while its image runs as root.',
    why:
      'Most images run as root unless told otherwise. Root in a container is the same user as root on the ' +
      'host, held back only by capabilities, seccomp and namespaces: any kernel or runtime escape, writable ' +
      'host mount or mounted socket becomes root on the host. It also lets an attacker install tools and ' +
      'rewrite the application\'s files. A service without `user` is fine when its image is known to run as ' +
      'a non-root user, or when it is built from a local Dockerfile whose final stage sets a non-root `USER`.',
    fix:
      'Set `user: "UID:GID"` to an unprivileged user (the image\'s own user when it has one), or add a ' +
      'non-root `USER` to the end of the Dockerfile; make the volumes it writes owned by that user.',
    example: 'services:\n  api:\n    image: node:22-alpine\n    command: [node, server.js]\n',
  },
  check: (ctx) =>
    services(ctx).flatMap(([name, service]) => {
      const finding = check(ctx, name, service);
      return finding ? [finding] : [];
    }),
});
