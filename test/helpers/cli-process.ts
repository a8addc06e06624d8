import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DockerClient } from '../../src/docker/index.js';
import { LABEL } from '../../src/engine/index.js';

/** The CLI as users start it (dist/test/helpers → the repository's bin/). */
export const SHIPSHAPE_BIN = fileURLToPath(new URL('../../../bin/shipshape.js', import.meta.url));

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
}

export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  /** What it printed so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves once `text` appeared on stdout or stderr, or rejects after `timeoutMs` or when the process exits first. */
  printed(text: string | RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<CliRun>;
}

/** Starts `node bin/shipshape.js ARGS` as its own process; `env` adds to PATH and DOCKER_HOST. */
export function spawnCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const started = Date.now();
  const base: Record<string, string> = { PATH: process.env.PATH ?? '' };
  if (process.env.DOCKER_HOST) base['DOCKER_HOST'] = process.env.DOCKER_HOST;
  const child = spawn(process.execPath, [SHIPSHAPE_BIN, ...args], { env: { ...base, ...env } });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    listeners.forEach((l) => l());
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    listeners.forEach((l) => l());
  });
  const exited = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => {
      listeners.forEach((l) => l());
      resolve({ status, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    output: () => ({ stdout, stderr }),
    printed: (text, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          const all = `${stdout}\n${stderr}`;
          if (typeof text === 'string' ? all.includes(text) : text.test(all)) finish(resolve);
          else if (done || child.exitCode !== null || child.signalCode !== null) finish(() => reject(new Error(`the CLI exited before printing ${String(text)}:\n${stdout}\n${stderr}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`the CLI did not print ${String(text)} in ${timeoutMs} ms:\n${stdout}\n${stderr}`))), timeoutMs);
        const finish = (then: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          then();
        };
        listeners.add(check);
        check();
      }),
    exited,
  };
}

/** Runs the CLI to its end. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return spawnCli(args, env).exited;
}

export interface ProjectContainer {
  id: string;
  name: string;
  service: string;
  number: number;
  state: string;
  configHash: string;
  /** Names of the anonymous volumes it mounts. */
  anonymousVolumes: string[];
}

/** The project's containers as the engine has them, found by label, sorted by name. */
export async function projectContainersOf(docker: DockerClient, project: string): Promise<ProjectContainer[]> {
  const listed = await docker.containers.list({ all: true, filters: { label: [`${LABEL.project}=${project}`] } });
  return listed
    .map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      service: c.Labels[LABEL.service] ?? '',
      number: Number(c.Labels[LABEL.containerNumber] ?? 0),
      state: c.State,
      configHash: c.Labels[LABEL.configHash] ?? '',
      anonymousVolumes: (c.Mounts ?? []).filter((m) => m.Type === 'volume' && m.Name && /^[0-9a-f]{64}$/.test(m.Name)).map((m) => m.Name!),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `<id prefix>_<name>`: a container `up` set aside while replacing it. */
export function isSetAside(c: { id: string; name: string }): boolean {
  const match = /^([0-9a-f]{12,64})_/.exec(c.name);
  return match !== null && c.id.startsWith(match[1]!);
}

/** What the engine still holds of a project: containers, networks and volumes labelled with it, and any of `names` that still exist. */
export async function leftovers(
  docker: DockerClient,
  project: string,
  names: { networks?: string[]; volumes?: string[] } = {},
): Promise<{ containers: string[]; networks: string[]; volumes: string[] }> {
  const filters = { label: [`${LABEL.project}=${project}`] };
  const [containers, networks, volumes, allNetworks, allVolumes] = await Promise.all([
    docker.containers.list({ all: true, filters }),
    docker.networks.list({ filters }),
    docker.volumes.list({ filters }),
    docker.networks.list(),
    docker.volumes.list(),
  ]);
  return {
    containers: containers.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, '')),
    networks: [...new Set([...networks.map((n) => n.Name), ...allNetworks.map((n) => n.Name).filter((n) => names.networks?.includes(n))])],
    volumes: [...new Set([...volumes.map((v) => v.Name), ...allVolumes.map((v) => v.Name).filter((v) => names.volumes?.includes(v))])],
  };
}

/** Removes whatever of a project a test left, for `after` hooks. */
export async function removeProject(docker: DockerClient, project: string): Promise<void> {
  const filters = { label: [`${LABEL.project}=${project}`] };
  for (const c of await docker.containers.list({ all: true, filters })) await docker.containers.remove(c.Id, { force: true, volumes: true }).catch(() => {});
  for (const n of await docker.networks.list({ filters })) await docker.networks.remove(n.Id).catch(() => {});
  for (const v of await docker.volumes.list({ filters })) await docker.volumes.remove(v.Name, { force: true }).catch(() => {});
}
