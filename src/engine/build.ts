import type { Project } from '../compose/index.js';
import type { DockerClient } from '../docker/index.js';
import { build } from './images.js';
import { builtImageName } from './labels.js';
import { ignoreProgress, type ProgressListener } from './progress.js';
import { checkServiceNames } from './select.js';

export interface BuildServicesOptions {
  docker: DockerClient;
  /** Only these services (default every service with a `build` section). */
  services?: string[];
  noCache?: boolean;
  pull?: boolean;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

/**
 * `docker compose build`: builds the image of every selected service that has a `build` section,
 * through the Engine build API (services sharing an image name build once, in parallel with the
 * others). Returns the built images by service; services without `build` are skipped.
 */
export async function buildServices(project: Project, options: BuildServicesOptions): Promise<{ service: string; image: string; id: string }[]> {
  checkServiceNames(project, options.services ?? []);
  const selected = (options.services?.length ? options.services : Object.keys(project.services))
    .map((s) => project.services[s] ?? project.disabled_services[s]!)
    .filter((s) => s.build !== undefined);
  const inFlight = new Map<string, Promise<string>>();
  const signal = options.signal ?? new AbortController().signal;
  const imageOptions = {
    docker: options.docker,
    build: true,
    noCache: options.noCache ?? false,
    pull: options.pull ?? false,
    onProgress: options.onProgress ?? ignoreProgress,
    signal,
  };
  return Promise.all(
    selected.map(async (service) => {
      const image = builtImageName(project, service);
      let pending = inFlight.get(image);
      if (!pending) {
        pending = build(service, image, imageOptions);
        inFlight.set(image, pending);
      }
      return { service: service.name, image, id: await pending };
    }),
  );
}
