import type { Project } from '../compose/index.js';
import type { CallOptions, ContainerSummary, DockerClient } from '../docker/index.js';
import { LABEL } from './labels.js';
import type { ObservedContainer, ObservedState } from './plan.js';
import { networkName, volumeName } from './translate.js';

/** The project's containers (one-off `run` containers excluded), from their labels. */
export async function projectContainers(docker: DockerClient, projectName: string, call?: CallOptions): Promise<ObservedContainer[]> {
  const listed = await docker.containers.list({ all: true, filters: { label: [`${LABEL.project}=${projectName}`] } }, call);
  return listed.filter((c) => c.Labels[LABEL.oneoff] !== 'True').map(observedContainer);
}

export function observedContainer(c: ContainerSummary): ObservedContainer {
  const imageId = c.Labels[LABEL.image];
  return {
    id: c.Id,
    name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
    service: c.Labels[LABEL.service] ?? '',
    number: Number(c.Labels[LABEL.containerNumber] ?? 0),
    configHash: c.Labels[LABEL.configHash] ?? '',
    state: c.State,
    ...(imageId ? { imageId } : {}),
    ...(typeof c.Created === 'number' ? { created: c.Created } : {}),
  };
}

/**
 * What exists for the project: its containers, and which of its networks and volumes exist. A
 * network or volume under one of the project's names that another compose project created is
 * listed in `foreign`: `up` refuses to adopt it (docs/engine.md, "Resources of another project").
 */
export async function observe(docker: DockerClient, project: Project, call?: CallOptions): Promise<ObservedState> {
  const networkNames = Object.keys(project.networks).map((k) => networkName(project, k));
  const volumeNames = Object.keys(project.volumes).map((k) => volumeName(project, k));
  const [containers, networks, volumes] = await Promise.all([
    projectContainers(docker, project.name, call),
    networkNames.length === 0 ? [] : docker.networks.list({ filters: { name: networkNames } }, call),
    volumeNames.length === 0 ? [] : docker.volumes.list({ filters: { name: volumeNames } }, call),
  ]);
  // The engine's name filters match substrings; only exact names count.
  const mine = (labels: Record<string, string> | undefined) => {
    const owner = labels?.[LABEL.project];
    return owner === undefined || owner === project.name ? undefined : owner;
  };
  const foreign: ObservedState['foreign'] = [
    ...networks.filter((n) => networkNames.includes(n.Name) && mine(n.Labels)).map((n) => ({ kind: 'network' as const, name: n.Name, project: mine(n.Labels)! })),
    ...volumes.filter((v) => volumeNames.includes(v.Name) && mine(v.Labels)).map((v) => ({ kind: 'volume' as const, name: v.Name, project: mine(v.Labels)! })),
  ];
  return {
    containers,
    networks: networks.map((n) => n.Name).filter((n) => networkNames.includes(n)),
    volumes: volumes.map((v) => v.Name).filter((v) => volumeNames.includes(v)),
    foreign,
  };
}
