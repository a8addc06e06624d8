import { Value } from 'typebox/value';
import { StackFiles, type StackDetail } from '../../contract/index.js';
import type { AgentTarget, HttpAgentClient } from '../agent-client.js';
import type { Deployer } from '../deployer.js';
import { HttpError } from '../http/index.js';
import { inspectZip, PackageError, writeZip, type InspectedPackage, type InspectOptions } from '../package/index.js';
import type { DeploymentRecord, HostRecord } from '../storage/index.js';
import type { FleetStore } from './store.js';

export interface MoveDependencies {
  agents: HttpAgentClient;
  deployer: Deployer;
  store: FleetStore;
  inspect: InspectOptions;
  agentTimeoutMs: number;
  healthTimeoutMs: number;
  now: () => number;
  /** Between two looks at the target's stack while waiting for it to be healthy. */
  pollMs?: number;
}

export interface MoveOutcome {
  sourceRemoved: boolean;
  warning: string | null;
  /** The package, as analyzed again on the way (the gate applies to moves too). */
  pkg: InspectedPackage;
}

/** Why a move failed, with the state it left: the source is untouched in every case. */
export class MoveFailed extends HttpError {}

/**
 * Moves a running deployment (docs/manager.md, "Moving a deployment"): its package is taken
 * from the source agent and analyzed again, deployed on the target, and waited for until every
 * container runs and none is unhealthy or starting; only then does the deployment point at the
 * target and the source copy come down. Any failure before that removes what was made on the
 * target and leaves the source as it was.
 */
export async function moveDeployment(deps: MoveDependencies, deployment: DeploymentRecord, source: HostRecord, target: HostRecord): Promise<MoveOutcome> {
  const { agents, deployer, store } = deps;
  const sourceAgent = await deployer.target(source);
  const targetAgent = await deployer.target(target);

  const files = await agents.call(sourceAgent, 'GET', `/stacks/${encodeURIComponent(deployment.name)}/files`, undefined, AbortSignal.timeout(60_000), [200]);
  if (!files.ok) throw new MoveFailed(502, 'agent_failed', `The source agent cannot hand over the stack's files: ${files.reason}; nothing was changed`);
  if (!Value.Check(StackFiles, files.body)) throw new MoveFailed(502, 'agent_failed', "The source agent's answer is not a stack's files; nothing was changed");
  let pkg: InspectedPackage;
  try {
    const zip = writeZip(files.body.files.map((f) => ({ path: f.path, data: Buffer.from(f.content, 'base64') })));
    pkg = await inspectZip(zip, deps.inspect);
  } catch (err) {
    if (err instanceof PackageError) throw new MoveFailed(422, 'analysis_gate', `The package is refused on its way to the target: ${err.message}; nothing was changed`, err.findings ? { findings: err.findings } : undefined);
    throw new MoveFailed(422, 'bad_package', `The stack's files do not make a package: ${(err as Error).message}; nothing was changed`);
  }

  if (!(await store.reserveSlot(target.id))) {
    throw new MoveFailed(409, 'no_capacity', 'The target host is offline, has no room, or its Docker engine is down; nothing was changed');
  }
  const undo = async (why: string): Promise<never> => {
    const cleanup = await agents.remove(targetAgent, deployment.name, AbortSignal.timeout(120_000));
    await store.releaseSlot(target.id);
    const cleaned = cleanup.ok ? 'what was made there is removed' : `and removing what was made there failed too (${cleanup.reason})`;
    throw new MoveFailed(502, 'move_failed', `${why}; ${cleaned}; the source is untouched`);
  };

  const launched = await agents.launch(targetAgent, deployment.name, pkg.zip, AbortSignal.timeout(deps.agentTimeoutMs));
  if (!launched.ok) return undo(`The deploy on the target failed: ${launched.reason}`);
  const health = await waitHealthy(agents, targetAgent, deployment.name, deps);
  if (health !== undefined) return undo(`The stack did not become healthy on the target: ${health}`);

  if (!(await store.rehome(deployment.id, source.id, target.id, deps.now()))) {
    return undo('The deployment changed while it was moving (removed, or no longer running)');
  }
  const removed = await agents.remove(sourceAgent, deployment.name, AbortSignal.timeout(120_000));
  return {
    sourceRemoved: removed.ok,
    warning: removed.ok ? null : `The stack runs on the target, but the source agent could not take the old copy down: ${removed.reason}. Remove it there by hand.`,
    pkg,
  };
}

/** Undefined once every container of the stack runs and is healthy (or has no health check); else why not, at the deadline or at the first unhealthy container. */
async function waitHealthy(agents: HttpAgentClient, target: AgentTarget, name: string, deps: MoveDependencies): Promise<string | undefined> {
  const deadline = deps.now() + deps.healthTimeoutMs;
  let last = 'no answer from the target agent';
  for (;;) {
    const answer = await agents.call(target, 'GET', `/stacks/${encodeURIComponent(name)}`, undefined, AbortSignal.timeout(15_000), [200]);
    if (answer.ok) {
      const stack = answer.body as StackDetail;
      const containers = (stack.services ?? []).flatMap((s) => s.containers);
      const unhealthy = containers.find((c) => c.health === 'unhealthy');
      if (unhealthy) return `${unhealthy.name} is unhealthy`;
      // A one-shot container that finished well (a migration) is done, not down.
      const finished = (c: (typeof containers)[number]) => c.state === 'exited' && /^Exited \(0\)/.test(c.status);
      const stopped = containers.find((c) => (c.state === 'exited' && !finished(c)) || c.state === 'dead');
      if (stopped) return `${stopped.name} is ${stopped.state} (${stopped.status})`;
      const waiting = containers.filter((c) => !finished(c) && (c.state !== 'running' || c.health === 'starting'));
      if (containers.length > 0 && waiting.length === 0) return undefined;
      last = containers.length === 0 ? 'no containers yet' : `${waiting.map((c) => `${c.name} is ${c.health === 'starting' ? 'starting' : c.state}`).join(', ')}`;
    } else {
      last = answer.reason;
    }
    if (deps.now() >= deadline) return `still waiting after ${Math.round(deps.healthTimeoutMs / 1000)} s: ${last}`;
    await new Promise((resolve) => setTimeout(resolve, deps.pollMs ?? 1_000));
  }
}
