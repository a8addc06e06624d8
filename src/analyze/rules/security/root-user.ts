import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import type { Service } from '../../../compose/index.js';
import { isRootUser } from '../../dockerfile/index.js';
import { imageOf } from '../../facts/index.js';
import type { RawFinding, RuleContext } from '../../types.js';

const FIX = 'set `user:` to an unprivileged UID:GID (e.g. "1000:1000", or the image\'s own user) and give its volumes that owner';

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
  const image = imageOf(ctx, name);
  // A Dockerfile that cannot be read is another rule's finding; without it, nothing is seen.
  if (!image) return undefined;
  const path = image.built && ctx.project.services[name]?.build ? ['services', name, 'build'] : ['services', name, 'image'];
  const fix = image.built ? `add a non-root USER at the end of ${image.built.label}, or ${FIX}` : FIX;
  if (!image.user) {
    return {
      path,
      severity: 'info',
      message: image.built
        ? `service "${name}" may run as root: no user is set, ${image.built.label} has no USER, and Shipshape does not know the user of its base image ${image.built.base.image}`
        : `service "${name}" may run as root: no user is set, and Shipshape cannot see which user image "${image.name}" runs as (it is not built here and not one of the images it knows)`,
      fix,
    };
  }
  if (!image.user.root) return undefined;
  const stage = service.build?.target ? `stage "${service.build.target}"` : 'final stage';
  const why =
    image.user.from === 'image'
      ? `image "${image.name}" runs as root by default`
      : image.user.from === 'USER'
        ? `the ${stage} of ${image.built?.label} ends with USER ${image.user.name} (line ${image.user.line})`
        : `the ${stage} of ${image.built?.label} has no USER, so it keeps the root user of ${image.built?.base.image}`;
  if (image.dropsPrivileges) {
    return {
      path,
      severity: 'info',
      message: `service "${name}" starts as root (no user is set and ${why}), but its entrypoint switches to an unprivileged user for the server; \`docker exec\` still gets root`,
      fix,
    };
  }
  return { path, message: `service "${name}" runs as root: no user is set and ${why}`, fix };
}

export default createRule({
  id: 'root-user',
  severity: 'medium',
  category: 'security',
  cis: ['4.1'],
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
