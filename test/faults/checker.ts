import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DockerClient } from '../../src/docker/index.js';
import type { DeploymentView, Fleet } from './fleet.js';

/**
 * After a fault: does every record agree with the engine, and is anything orphaned? Compares the
 * manager's deployments, each agent's stacks (`GET /stacks`) and the engine's containers, networks
 * and volumes (by their compose project label) and the agents' stack folders, for the stacks of
 * this test (named with the fleet's prefix). Returns the problems, none when all is well.
 */
export interface CheckedAgent {
  hostId: string;
  apiHost: string;
  apiPort: number;
  serverKey: string;
  workDir: string;
  docker: DockerClient;
}

const LIVE = new Set(['pending', 'deploying', 'running', 'degraded', 'stopped']);

export async function checkFleet(fleet: Fleet, agents: readonly CheckedAgent[]): Promise<string[]> {
  const problems: string[] = [];
  const deployments = await fleet.deployments();
  const byHostAndName = new Map<string, DeploymentView>();
  for (const d of deployments) {
    if (!LIVE.has(d.state)) continue;
    const key = `${d.host_id}/${d.name}`;
    if (byHostAndName.has(key)) problems.push(`two live deployments named ${d.name} on host ${d.host_id}`);
    byHostAndName.set(key, d);
    if (d.state === 'pending' || d.state === 'deploying') problems.push(`deployment ${d.name} is still ${d.state} (${d.reason ?? ''})`);
  }
  const mine = (labels: Record<string, string> | null | undefined) => {
    const project = labels?.['com.docker.compose.project'] ?? '';
    return project.startsWith(fleet.prefix) ? project : undefined;
  };
  // Agents may share an engine: what it holds must belong to a live deployment of one of them.
  const engines = new Map<DockerClient, CheckedAgent[]>();
  for (const agent of agents) engines.set(agent.docker, [...(engines.get(agent.docker) ?? []), agent]);
  const containersOf = new Map<DockerClient, Awaited<ReturnType<DockerClient['containers']['list']>>>();
  for (const [docker, sharing] of engines) {
    const liveOnEngine = (name: string) => sharing.some((a) => byHostAndName.has(`${a.hostId}/${name}`));
    const containers = (await docker.containers.list({ all: true, filters: { label: ['com.docker.compose.project'] } })).filter((c) => mine(c.Labels));
    containersOf.set(docker, containers);
    for (const c of containers) {
      const project = mine(c.Labels)!;
      if (!liveOnEngine(project)) problems.push(`orphan container ${c.Names?.[0] ?? c.Id} (${c.State}) of ${project}: no live deployment`);
    }
    for (const n of await docker.networks.list({ filters: { label: ['com.docker.compose.project'] } })) {
      const project = mine(n.Labels);
      if (project && !liveOnEngine(project)) problems.push(`orphan network ${n.Name} of ${project}`);
    }
    for (const v of await docker.volumes.list({ filters: { label: ['com.docker.compose.project'] } })) {
      const project = mine(v.Labels);
      if (project && !liveOnEngine(project)) problems.push(`orphan volume ${v.Name} of ${project}`);
    }
  }
  for (const agent of agents) {
    const live = (name: string) => byHostAndName.get(`${agent.hostId}/${name}`);
    const containers = containersOf.get(agent.docker) ?? [];
    const stacksDir = join(agent.workDir, 'stacks');
    for (const folder of existsSync(stacksDir) ? readdirSync(stacksDir) : []) {
      if (folder.startsWith(fleet.prefix) && !live(folder)) problems.push(`orphan folder ${join(stacksDir, folder)}`);
    }
    const stacks = await agentStacks(agent);
    if (stacks === undefined) {
      problems.push(`agent of host ${agent.hostId} does not answer GET /stacks`);
      continue;
    }
    for (const d of deployments) {
      if (d.host_id !== agent.hostId || !LIVE.has(d.state)) continue;
      const running = containers.filter((c) => mine(c.Labels) === d.name && c.State === 'running').length;
      const total = containers.filter((c) => mine(c.Labels) === d.name).length;
      const stack = stacks.find((s) => s.name === d.name);
      if (!stack) problems.push(`deployment ${d.name} is ${d.state}, but its agent has no such stack`);
      else if (stack.status !== d.state && d.state !== 'pending' && d.state !== 'deploying') problems.push(`deployment ${d.name} is ${d.state}, its agent says ${stack.status}`);
      if (d.state === 'running' && (total === 0 || running < total)) problems.push(`deployment ${d.name} is running, the engine runs ${running} of ${total} containers`);
      if (d.state === 'stopped' && running > 0) problems.push(`deployment ${d.name} is stopped, the engine runs ${running} of its containers`);
    }
    for (const s of stacks) {
      if (s.name.startsWith(fleet.prefix) && s.status !== 'removed' && s.status !== 'failed' && !live(s.name)) problems.push(`agent stack ${s.name} (${s.status}) has no live deployment`);
    }
  }
  return problems;
}

async function agentStacks(agent: CheckedAgent): Promise<{ name: string; status: string }[] | undefined> {
  try {
    const response = await fetch(`http://${agent.apiHost}:${agent.apiPort}/stacks`, { headers: { 'x-server-key': agent.serverKey }, signal: AbortSignal.timeout(10_000) });
    if (response.status !== 200) return undefined;
    return (await response.json()) as { name: string; status: string }[];
  } catch {
    return undefined;
  }
}

/** Waits until the check finds nothing, and returns how long that took; fails with the last problems. */
export async function converged(fleet: Fleet, agents: readonly CheckedAgent[], timeoutMs: number): Promise<number> {
  const began = Date.now();
  let last: string[] = [];
  while (Date.now() - began < timeoutMs) {
    last = await checkFleet(fleet, agents).catch((err: unknown) => [`check failed: ${(err as Error).message}`]);
    if (last.length === 0) return Date.now() - began;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`records and engine still disagree after ${timeoutMs} ms:\n- ${last.join('\n- ')}\n${[...fleet.procs].map((p) => p.tail(15)).join('\n')}`);
}
