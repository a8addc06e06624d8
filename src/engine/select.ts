import type { Project } from '../compose/index.js';
import type { CallOptions, DockerClient } from '../docker/index.js';
import { EngineError } from './errors.js';
import { projectContainers } from './observe.js';
import type { ObservedContainer } from './plan.js';

/** A service name the project does not have; the CLI makes this exit 2, as compose does. */
export class UnknownServiceError extends EngineError {
  constructor(
    readonly unknown: string[],
    readonly known: string[],
  ) {
    super(
      `no such service: ${unknown.map((s) => `"${s}"`).join(', ')} (the project has: ${known.join(', ') || 'no services'})`,
      unknown[0],
    );
  }
}

/** Every service of the project, those a profile leaves out included. */
export function allServiceNames(project: Project): string[] {
  return [...Object.keys(project.services), ...Object.keys(project.disabled_services)].sort();
}

/** Throws `UnknownServiceError` when a name is not a service of the project (active or not). */
export function checkServiceNames(project: Project, names: readonly string[]): void {
  const known = allServiceNames(project);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new UnknownServiceError(unknown, known);
}

/** The project's (not one-off) containers of the named services, or of every service; sorted by service and number. */
export async function selectContainers(
  docker: DockerClient,
  projectName: string,
  services: readonly string[],
  call?: CallOptions,
): Promise<ObservedContainer[]> {
  const containers = await projectContainers(docker, projectName, call);
  return containers
    .filter((c) => services.length === 0 || services.includes(c.service))
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.number - b.number));
}

/**
 * The container `exec`, `port`, `cp` act on: replica `index` (default 1) of the service. A
 * service without a running container is an error that says so, as compose's is.
 */
export async function serviceContainer(
  docker: DockerClient,
  projectName: string,
  service: string,
  options: { index?: number; running?: boolean } = {},
  call?: CallOptions,
): Promise<ObservedContainer> {
  const containers = await selectContainers(docker, projectName, [service], call);
  const index = options.index ?? 1;
  const candidates = options.running ? containers.filter((c) => c.state === 'running') : containers;
  if (candidates.length === 0) throw new EngineError(`service "${service}" is not running`, service);
  const found = candidates.find((c) => c.number === index) ?? (options.index === undefined ? candidates[0] : undefined);
  if (!found) throw new EngineError(`service "${service}" has no container with index ${index}`, service);
  return found;
}
