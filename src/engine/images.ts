import type { Project, Service } from '../compose/index.js';
import { DockerError, DockerNotFoundError, type DockerClient } from '../docker/index.js';
import { buildContext } from './build-context.js';
import { EngineError } from './errors.js';
import { builtImageName } from './labels.js';
import type { ProgressListener } from './progress.js';

export interface ServiceImage {
  /** Reference containers are created from. */
  ref: string;
  id: string;
}

export interface ImageOptions {
  docker: DockerClient;
  /** Build every service that has a build section (`up --build`). */
  build?: boolean;
  /** Build without the engine's layer cache (`build --no-cache`). */
  noCache?: boolean;
  /** Pull newer versions of the base images (`build --pull`). */
  pull?: boolean;
  onProgress: ProgressListener;
  signal: AbortSignal;
}

/**
 * Makes sure every service's image exists: builds `build:` services whose image is missing (or
 * all of them with `build`), pulls missing images, as `pull_policy` says. Services sharing an
 * image share the work.
 */
export async function ensureImages(project: Project, options: ImageOptions): Promise<Record<string, ServiceImage>> {
  const inFlight = new Map<string, Promise<string>>();
  const entries = await Promise.all(
    Object.values(project.services).map(async (service): Promise<[string, ServiceImage]> => {
      const ref = service.build ? builtImageName(project, service) : service.image!;
      let pending = inFlight.get(ref);
      if (!pending) {
        pending = imageFor(service, ref, options);
        inFlight.set(ref, pending);
      }
      return [service.name, { ref, id: await pending }];
    }),
  );
  return Object.fromEntries(entries);
}

async function imageFor(service: Service, ref: string, options: ImageOptions): Promise<string> {
  const { docker, signal } = options;
  const policy = String(service['pull_policy'] ?? 'missing');
  const existing = await docker.images.inspect(ref, { signal }).catch((err: unknown) => {
    if (err instanceof DockerNotFoundError) return undefined;
    throw err;
  });
  if (service.build) {
    if (existing && !options.build && policy !== 'build' && policy !== 'always') return existing.Id;
    return build(service, ref, options);
  }
  if (existing && policy !== 'always') return existing.Id;
  if (policy === 'never') {
    throw new EngineError(`image ${ref} of service "${service.name}" is not on this engine and pull_policy is never`, service.name);
  }
  const event = { kind: 'image', name: ref, service: service.name, action: 'pull' } as const;
  options.onProgress({ ...event, status: 'working' });
  try {
    await docker.images.pull(
      ref,
      { onProgress: (m) => m.status && options.onProgress({ ...event, status: 'working', detail: [m.id, m.status, m.progress].filter(Boolean).join(' ') }) },
      { signal },
    );
  } catch (err) {
    options.onProgress({ ...event, status: 'error', detail: message(err) });
    throw new EngineError(`could not pull image ${ref} for service "${service.name}": ${message(err)}`, service.name);
  }
  options.onProgress({ ...event, status: 'done' });
  return (await docker.images.inspect(ref, { signal })).Id;
}

/** Builds the service's image as `ref` through the Engine build API; returns the image ID. */
export async function build(service: Service, ref: string, options: ImageOptions): Promise<string> {
  const spec = service.build!;
  const event = { kind: 'image', name: ref, service: service.name, action: 'build' } as const;
  options.onProgress({ ...event, status: 'working' });
  try {
    const context = buildContext(spec.context, spec.dockerfile, spec.dockerfile_inline);
    const args: Record<string, string> = {};
    for (const [k, v] of Object.entries(spec.args ?? {})) if (v !== null) args[k] = v;
    const built = await options.docker.images.build(
      context.stream,
      {
        tag: ref,
        dockerfile: context.dockerfile,
        buildArgs: args,
        ...(spec.target ? { target: spec.target } : {}),
        ...(spec.labels ? { labels: spec.labels } : {}),
        ...(options.noCache ? { noCache: true } : {}),
        ...(options.pull ? { pull: true } : {}),
        onProgress: (m) => {
          const line = m.stream?.trim();
          if (line) options.onProgress({ ...event, status: 'working', detail: line });
        },
      },
      { signal: options.signal },
    );
    options.onProgress({ ...event, status: 'done' });
    return built.id;
  } catch (err) {
    options.onProgress({ ...event, status: 'error', detail: message(err) });
    throw new EngineError(`could not build the image of service "${service.name}": ${message(err)}`, service.name);
  }
}

function message(err: unknown): string {
  return err instanceof DockerError || err instanceof Error ? err.message : String(err);
}
