/**
 * The facts layer (docs/facts.md): what the analyzed environment is, computed once per
 * environment and read by the rules, the inventory and the scores. Facts Shipshape cannot see are
 * left unknown, never guessed.
 */
import type { LoadResult, Project } from '../../compose/index.js';
import { buildContext } from '../context.js';
import type { RuleContext } from '../types.js';
import { readDockerfiles, type DockerfileFacts } from './dockerfiles.js';
import { imageFacts, type ImageFacts } from './images.js';

export interface Facts {
  dockerfiles: DockerfileFacts;
  /** Per service; a service without an image fact (a build whose Dockerfile cannot be read) is absent. */
  images: Map<string, ImageFacts>;
}

const computed = new WeakMap<RuleContext, Facts>();

export function factsOf(ctx: RuleContext): Facts {
  let facts = computed.get(ctx);
  if (!facts) {
    const dockerfiles = readDockerfiles(ctx);
    const images = new Map<string, ImageFacts>();
    for (const [name, service] of Object.entries(ctx.project.services)) {
      const image = imageFacts(ctx, service, dockerfiles.built.get(name));
      if (image) images.set(name, image);
    }
    facts = { dockerfiles, images };
    computed.set(ctx, facts);
  }
  return facts;
}

/** The image facts of one service, or undefined when nothing about its image can be seen. */
export function imageOf(ctx: RuleContext, service: string): ImageFacts | undefined {
  return factsOf(ctx).images.get(service);
}

/**
 * The image facts of every service of a loaded environment, for a caller outside the rules
 * (`shipshape harden` decides the user and the healthcheck from them).
 */
export function serviceImageFacts(input: { dir: string; files: string[]; load: LoadResult & { project: Project } }): Map<string, ImageFacts> {
  return factsOf(buildContext({ dir: input.dir, environment: { name: 'facts', files: input.files }, load: input.load })).images;
}

export { builtImages, builtStages, shippedStages, type BuiltImage, type DockerfileUse, type StageImage } from './dockerfiles.js';
export type { ImageFacts } from './images.js';
export { knownImage, parseImage, repositoryOf, type ImageRef, type KnownImage, type Tool, type Tools } from './known-images.js';
export { bindsAllInterfaces, hostSide, isLoopback, lowestPublishedPort, publishedPorts, publishesPorts, type PublishedPort } from './ports.js';
export { hostBindings, isEngineSocket, isHomeRelative, isHostPath, isProjectPath, isWithin, normalizeHostPath, type HostBinding } from './mounts.js';
