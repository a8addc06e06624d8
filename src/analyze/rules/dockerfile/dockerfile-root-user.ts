import { baseImage, effectiveUser, isRootUser, type Instruction } from '../../dockerfile/index.js';
import { createRule } from '../create-rule.js';
import type { RawFinding } from '../../types.js';
import { at, builtImages, displayPath, dockerfilesOf } from './shared.js';

/** Images known to run as a non-root user unless told otherwise. */
const NON_ROOT_IMAGES = [
  /[:/._-]nonroot\b/i,
  /unprivileged|rootless/i,
  /^(docker\.io\/)?bitnami\/(?!minideb\b)/i,
  /^cgr\.dev\/chainguard\//i,
];

export default createRule({
  id: 'dockerfile-root-user',
  severity: 'medium',
  category: 'dockerfile',
  cis: ['4.1'],
  docs: {
    summary: "A Dockerfile's final stage never sets a non-root USER, so the container runs as root.",
    why:
      'Without a USER instruction the process runs as root (uid 0) inside the container. A bug in the ' +
      'application then gives an attacker root over the container filesystem and every mounted volume, ' +
      'and one kernel or runtime flaw away from root on the host.',
    fix:
      'Create an unprivileged user in the final stage and switch to it with `USER`, after the steps that ' +
      'need root (`RUN useradd -r -u 10001 app` … `USER app`), or set `user:` on the compose service.',
    example: 'FROM node:20-alpine\nCOPY . /app\nCMD ["node", "/app/server.js"]\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    const reported = new Set<Instruction>();
    for (const use of dockerfilesOf(ctx)) {
      for (const image of builtImages(ctx, use)) {
        // A compose `user:` decides what actually runs; only services without a non-root one are affected.
        const affected = image.services.filter((name) => {
          const user = ctx.project.services[name]?.user;
          return user === undefined || user === '' || isRootUser(user);
        });
        const service = affected[0];
        if (service === undefined) continue;
        const found = effectiveUser(image.stage);
        if (found && !isRootUser(found.user)) continue;
        if (!found && NON_ROOT_IMAGES.some((re) => re.test(baseImage(image.stage).image))) continue;
        const instruction = found?.instruction ?? image.stage.from;
        if (reported.has(instruction)) continue;
        reported.add(instruction);
        const file = displayPath(ctx, use);
        const message = found
          ? `${file}: the image of service "${service}" ends with USER ${found.user}: the container runs as root`
          : `${file}: the final stage never sets USER, so service "${service}" runs as root`;
        findings.push(
          at(use, instruction, service, message, 'create an unprivileged user and end the final stage with `USER <name or uid>` (or set a non-root `user:` on the service)'),
        );
      }
    }
    return findings;
  },
});
