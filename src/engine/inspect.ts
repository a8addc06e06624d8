import type { ContainerTop, DockerClient } from '../docker/index.js';
import { DockerNotFoundError } from '../docker/index.js';
import { EngineError } from './errors.js';
import { selectContainers, serviceContainer } from './select.js';

/** `docker compose top`: the processes of each running container of the services. */
export async function top(
  docker: DockerClient,
  projectName: string,
  services: string[],
  signal?: AbortSignal,
): Promise<{ container: string; service: string; top: ContainerTop }[]> {
  const running = (await selectContainers(docker, projectName, services, { signal })).filter((c) => c.state === 'running');
  return Promise.all(running.map(async (c) => ({ container: c.name, service: c.service, top: await docker.containers.top(c.id, {}, { signal }) })));
}

/**
 * `docker compose port SERVICE PRIVATE_PORT`: the host address a container port is published
 * on, `IP:PORT`. A port that is not published is an error naming it.
 */
export async function publishedPort(
  docker: DockerClient,
  projectName: string,
  service: string,
  privatePort: number,
  options: { protocol?: string; index?: number; signal?: AbortSignal } = {},
): Promise<string> {
  const container = await serviceContainer(docker, projectName, service, { index: options.index }, { signal: options.signal });
  const inspected = await docker.containers.inspect(container.id, { signal: options.signal });
  const key = `${privatePort}/${options.protocol ?? 'tcp'}`;
  const bindings = (inspected.NetworkSettings.Ports as Record<string, { HostIp: string; HostPort: string }[] | null> | undefined)?.[key];
  const first = bindings?.[0];
  if (!first) throw new EngineError(`no port ${key} is published for container ${container.name}`, service);
  return `${first.HostIp || '0.0.0.0'}:${first.HostPort}`;
}

/** One image used by a container of the project, as `docker compose images` lists it. */
export interface ContainerImage {
  container: string;
  service: string;
  id: string;
  repository: string;
  tag: string;
  size: number;
}

/** `docker compose images`: the image of each container of the services (stopped ones included). */
export async function containerImages(docker: DockerClient, projectName: string, services: string[], signal?: AbortSignal): Promise<ContainerImage[]> {
  const containers = await selectContainers(docker, projectName, services, { signal });
  return Promise.all(
    containers.map(async (c) => {
      const inspected = await docker.containers.inspect(c.id, { signal });
      const image = await docker.images.inspect(inspected.Image, { signal }).catch((err: unknown) => {
        if (err instanceof DockerNotFoundError) return undefined;
        throw err;
      });
      const ref = image?.RepoTags?.[0] ?? inspected.Config.Image;
      const colon = ref.lastIndexOf(':');
      const slash = ref.lastIndexOf('/');
      const [repository, tag] = colon > slash ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
      return { container: c.name, service: c.service, id: inspected.Image, repository, tag, size: image?.Size ?? 0 };
    }),
  );
}

/**
 * `docker compose wait SERVICE…`: blocks until every container of the services has stopped and
 * returns the exit code of the first one that did not exit with 0 (0 when all did).
 */
export async function waitServices(docker: DockerClient, projectName: string, services: string[], signal?: AbortSignal): Promise<number> {
  const containers = await selectContainers(docker, projectName, services, { signal });
  if (containers.length === 0) throw new EngineError(`no containers for ${services.map((s) => `"${s}"`).join(', ')}`);
  const codes = await Promise.all(containers.map(async (c) => (await docker.containers.wait(c.id, { condition: 'not-running' }, { signal })).exitCode));
  return codes.find((code) => code !== 0) ?? 0;
}
