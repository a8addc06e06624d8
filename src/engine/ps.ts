import type { CallOptions, ContainerSummary, DockerClient } from '../docker/index.js';
import { LABEL } from './labels.js';

export interface PublishedPort {
  /** Host address, `0.0.0.0` when published on every interface. */
  url: string;
  targetPort: number;
  publishedPort: number;
  protocol: string;
}

/** One container of a project, as `docker compose ps` shows it. */
export interface ContainerStatus {
  id: string;
  name: string;
  project: string;
  service: string;
  number: number;
  image: string;
  command: string;
  /** Unix seconds. */
  created: number;
  /** created, running, exited, paused, restarting, dead. */
  state: string;
  /** The engine's words: `Up 3 seconds (healthy)`, `Exited (0) 2 minutes ago`. */
  status: string;
  health: 'healthy' | 'unhealthy' | 'starting' | '';
  exitCode: number | undefined;
  publishers: PublishedPort[];
}

export interface PsOptions extends CallOptions {
  /** Include stopped containers (`ps -a`); default only running ones, as compose does. */
  all?: boolean;
  services?: string[];
}

/** The project's containers, found by their `com.docker.compose.project` label, sorted by service and number. */
export async function ps(docker: DockerClient, projectName: string, options: PsOptions = {}): Promise<ContainerStatus[]> {
  const listed = await docker.containers.list(
    { all: options.all ?? false, filters: { label: [`${LABEL.project}=${projectName}`, `${LABEL.oneoff}=False`] } },
    options,
  );
  return listed
    .map(toStatus)
    .filter((c) => !options.services?.length || options.services.includes(c.service))
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.number - b.number));
}

function toStatus(c: ContainerSummary): ContainerStatus {
  const health = /\((healthy|unhealthy|health: starting)\)/.exec(c.Status)?.[1];
  const exited = /^Exited \((-?\d+)\)/.exec(c.Status);
  const publishers = (c.Ports ?? [])
    .filter((p) => p.PublicPort !== undefined && p.PublicPort !== 0)
    .map((p) => ({ url: p.IP ?? '', targetPort: p.PrivatePort, publishedPort: p.PublicPort, protocol: p.Type }))
    .sort((a, b) => a.targetPort - b.targetPort || a.url.localeCompare(b.url));
  return {
    id: c.Id,
    name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
    project: c.Labels[LABEL.project] ?? '',
    service: c.Labels[LABEL.service] ?? '',
    number: Number(c.Labels[LABEL.containerNumber] ?? 0),
    image: c.Image,
    command: c.Command,
    created: c.Created,
    state: c.State,
    status: c.Status,
    health: health === 'health: starting' ? 'starting' : ((health ?? '') as ContainerStatus['health']),
    exitCode: exited ? Number(exited[1]) : undefined,
    publishers,
  };
}
