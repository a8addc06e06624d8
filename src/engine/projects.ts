import type { DockerClient } from '../docker/index.js';
import { LABEL } from './labels.js';

/** One compose project on the engine, as `docker compose ls` shows it. */
export interface ProjectSummary {
  name: string;
  /** Container states with their counts, sorted: `exited(1), running(2)`. */
  status: string;
  /** The compose files the project was last brought up with, comma-separated. */
  configFiles: string;
}

/**
 * `docker compose ls`: the projects that have containers on this engine, whoever created them
 * (Shipshape, compose v2, or v1 from 1.21 on, which all write `com.docker.compose.project`).
 * Only running containers count unless `all`, as in compose.
 */
export async function listProjects(docker: DockerClient, options: { all?: boolean; signal?: AbortSignal } = {}): Promise<ProjectSummary[]> {
  const containers = await docker.containers.list({ all: options.all ?? false, filters: { label: [LABEL.project] } }, { signal: options.signal });
  const byProject = new Map<string, { states: string[]; files: Set<string> }>();
  for (const c of containers) {
    const name = c.Labels[LABEL.project]!;
    const entry = byProject.get(name) ?? { states: [], files: new Set<string>() };
    entry.states.push(c.State);
    const files = c.Labels[LABEL.configFiles];
    if (files) entry.files.add(files);
    byProject.set(name, entry);
  }
  return [...byProject.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, { states, files }]) => ({ name, status: combinedStatus(states), configFiles: [...files].sort().join(',') }));
}

export function combinedStatus(states: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts.keys()]
    .sort()
    .map((s) => `${s}(${counts.get(s)})`)
    .join(', ');
}
