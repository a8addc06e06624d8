import type { Service } from '../../compose/index.js';
import { hasHealthcheck, installsPackage, isRootUser } from '../dockerfile/index.js';
import type { RuleContext } from '../types.js';
import { dropsPrivileges, type BuiltImage } from './dockerfiles.js';
import { knownImage, type Tools } from './known-images.js';

/**
 * What a service's image is known to be. A fact is `undefined` when Shipshape cannot see it: the
 * image is neither built from a Dockerfile it can read nor in the table of well-known images
 * (known-images.ts). Rules built on an unknown fact report at most `info` and say what they
 * could not see.
 */
export interface ImageFacts {
  /** How to name the image in a message: `postgres:16`, `the image built from app/Dockerfile (FROM alpine:3.20)`. */
  name: string;
  /** Built from a local Dockerfile that Shipshape read. */
  built?: BuiltImage;
  /** The user it runs as without `user:`; undefined when unknown. */
  user?: {
    name: string;
    root: boolean;
    /** Where it comes from: the Dockerfile's USER (with its line), the built image's base, or the registry image. */
    from: 'USER' | 'base' | 'image';
    line?: number;
  };
  /** Its entrypoint starts as root and switches to an unprivileged user for the server. */
  dropsPrivileges: boolean;
  /** Whether it declares a HEALTHCHECK; undefined when unknown. */
  healthcheck?: boolean;
  /** The health-check programs it is known to hold or lack (a tool left out is unknown). */
  tools: Tools;
}

export function imageFacts(ctx: RuleContext, service: Service, built: BuiltImage | undefined): ImageFacts | undefined {
  if (built) return builtFacts(ctx, service, built);
  if (service.build) return undefined;
  if (typeof service.image !== 'string' || service.image.trim() === '') return undefined;
  const image = service.image.trim();
  const known = knownImage(image);
  if (!known) return { name: image, dropsPrivileges: ownDrop(service), tools: {} };
  return {
    name: image,
    user: { name: known.user, root: isRootUser(known.user), from: 'image' },
    dropsPrivileges: known.dropsTo !== undefined || ownDrop(service),
    healthcheck: known.healthcheck,
    tools: known.tools ?? {},
  };
}

const ownDrop = (service: Service) =>
  /\b(gosu|su-exec|s6-setuidgid|setpriv|chpst|runuser)\b/.test(
    [service.entrypoint, service.command].flatMap((p) => (Array.isArray(p) ? p.map(String) : [])).join(' '),
  );

function builtFacts(ctx: RuleContext, service: Service, built: BuiltImage): ImageFacts {
  const base = built.base.resolved ? knownImage(built.base.image) : undefined;
  const userInstruction = built.chain.flatMap((s) => s.instructions).findLast((i) => i.keyword === 'USER');
  const written = userInstruction?.args.trim().split(/\s+/)[0];
  let user: ImageFacts['user'];
  if (written !== undefined && userInstruction) {
    // A USER built from variables is not provably root.
    user = { name: written, root: !written.includes('$') && isRootUser(written), from: 'USER', line: userInstruction.line };
  } else if (base) {
    user = { name: base.user, root: isRootUser(base.user), from: 'base' };
  }
  const stage = built.chain.at(-1) ?? built.stage;
  const ownCheck = built.chain.some((s) => s.instructions.some((i) => i.keyword === 'HEALTHCHECK'));
  const tools: Tools = { ...(base?.tools ?? {}) };
  for (const tool of ['bash', 'curl', 'wget'] as const) if (installsPackage(built.chain, tool)) tools[tool] = true;
  if (installsPackage(built.chain, 'busybox')) Object.assign(tools, { sh: true, wget: true });
  if (tools.bash) tools.sh = true;
  return {
    name: `the image built from ${built.label} (FROM ${built.base.image})`,
    built,
    user,
    dropsPrivileges: (base?.dropsTo !== undefined && userInstruction === undefined) || dropsPrivileges(ctx, built, service),
    healthcheck: ownCheck ? hasHealthcheck(stage) : base?.healthcheck,
    tools,
  };
}
