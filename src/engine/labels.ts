import { createHash } from 'node:crypto';
import type { Project, Service } from '../compose/index.js';

/** The labels docker compose v2 puts on what it creates; `docker compose ps` finds stacks by them. */
export const LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  containerNumber: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  /** The random ID of a one-off (`run`) container; its name ends with the first 12 hex digits. */
  slug: 'com.docker.compose.slug',
  configHash: 'com.docker.compose.config-hash',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  version: 'com.docker.compose.version',
  dependsOn: 'com.docker.compose.depends_on',
  image: 'com.docker.compose.image',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
} as const;

/**
 * The compose version written into `com.docker.compose.version`. Tools read it as a compose
 * version (docker-compose v1 treats anything below 1.21 as the old naming scheme), so it names
 * the compose release whose behaviour the engine follows rather than Shipshape's own version.
 */
export const COMPOSE_VERSION = '2.24.0';

export function containerName(project: Project, service: Service, number: number): string {
  const custom = typeof service['container_name'] === 'string' ? service['container_name'] : undefined;
  return custom ?? `${project.name}-${service.name}-${number}`;
}

/** Name of the image a `build:` service gets when it names none (compose v2: `<project>-<service>`). */
export function builtImageName(project: Project, service: Service): string {
  return service.image ?? `${project.name}-${service.name}`;
}

/** Keys that change how many containers run or how the image is made, not what a container is. */
const HASH_IGNORED: readonly string[] = ['build', 'pull_policy', 'scale', 'depends_on', 'profiles'];

/**
 * `com.docker.compose.config-hash`: SHA-256 of the service's canonical JSON (keys sorted), without
 * the keys compose leaves out (build, pull_policy, scale, deploy.replicas, depends_on, profiles),
 * so scaling or reordering the file never recreates a container.
 */
export function serviceHash(service: Service): string {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(service)) {
    if (!HASH_IGNORED.includes(key) && value !== undefined) copy[key] = value;
  }
  if (service.deploy) {
    const { replicas: _replicas, ...deploy } = service.deploy;
    // `deploy: {replicas: 3}` alone must hash as no deploy section at all.
    if (Object.keys(deploy).length > 0) copy['deploy'] = deploy;
    else delete copy['deploy'];
  }
  return createHash('sha256').update(canonicalJson(copy)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** `db:service_healthy:false,…` as compose v2 writes `com.docker.compose.depends_on`. */
export function dependsOnLabel(service: Service): string {
  return Object.entries(service.depends_on ?? {})
    .map(([name, d]) => `${name}:${d.condition}:${d.restart === true}`)
    .join(',');
}

/** Replicas wanted: `deploy.replicas`, else `scale`, else 1. */
export function replicaCount(service: Service): number {
  const fromDeploy = service.deploy?.replicas;
  if (typeof fromDeploy === 'number') return fromDeploy;
  const scale = service['scale'];
  return typeof scale === 'number' ? scale : 1;
}
