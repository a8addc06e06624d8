import { DockerUnavailableError, type DockerClient } from '../docker/index.js';
import { builtImageName } from '../engine/index.js';
import { inspectLocalImage } from './engine-image.js';
import { imageInfoFromFacts, mergeImageInfo } from './image-info.js';
import { factsOfTarget, loadTarget, readText, type HardenTarget, type LoadedTarget } from './target.js';
import type { HardenInput, ImageInfo } from './types.js';

export interface PrepareOptions {
  target: HardenTarget;
  /** Variables for interpolation (the CLI passes its process environment). */
  env: Readonly<Record<string, string | undefined>>;
  /** An engine to inspect local images with; without one the analyzer's facts alone decide. */
  docker?: DockerClient;
  signal?: AbortSignal;
}

/** The service's image reference on the engine: its `image`, or the name `up` gives a built one. */
export function imageRef(loaded: LoadedTarget, service: string): string {
  const s = loaded.project.services[service]!;
  return s.build ? builtImageName(loaded.project, s) : String(s.image ?? '');
}

/** Loads and analyzes the environment and learns what each image is: the planner's input. */
export async function prepareHardening(options: PrepareOptions): Promise<{ input: HardenInput; loaded: LoadedTarget; local: Set<string> }> {
  const loaded = loadTarget(options.target, options.env);
  const facts = factsOfTarget(options.target, loaded);
  const images = new Map<string, ImageInfo>();
  const local = new Set<string>();
  let docker = options.docker;
  for (const [name, service] of Object.entries(loaded.project.services)) {
    const info = imageInfoFromFacts(service, facts.get(name));
    let seen: Partial<ImageInfo> | undefined;
    if (docker) {
      try {
        seen = await inspectLocalImage(docker, imageRef(loaded, name), options.signal);
      } catch (err) {
        // No engine: the files alone decide, as without one.
        if (!(err instanceof DockerUnavailableError)) throw err;
        docker = undefined;
      }
    }
    if (seen) local.add(name);
    images.set(name, seen ? mergeImageInfo(info, seen) : info);
  }
  const input: HardenInput = {
    dir: options.target.dir,
    project: loaded.project,
    ...(loaded.base ? { base: loaded.base } : {}),
    findings: loaded.report.findings,
    images,
    positionOf: loaded.load.positionOf,
    readText,
  };
  return { input, loaded, local };
}
