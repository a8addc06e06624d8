import type { FastifyBaseLogger } from 'fastify';
import type { DeploymentState, StackSummary } from '../contract/index.js';
import type { AgentClient, AgentContainer, AgentTarget } from './agent-client.js';
import type { DeploymentRecord, DeploymentTransition, HostRecord, Repository } from './storage/repository.js';

/**
 * What the manager does for deployments nobody is waiting on: those in flight whose manager
 * stopped (it died, restarted, or lost the agent's answer), and removals the agent could not
 * carry out yet. It never guesses: a deployment in flight stays `deploying` until its agent gives
 * a final answer, and a removal stays pending until the agent confirms (docs/manager.md,
 * "Deployments").
 */
export interface ReconcilerOptions {
  repo: Repository;
  agents: AgentClient;
  log: FastifyBaseLogger;
  now: () => number;
  agentTimeoutMs: number;
  target(host: HostRecord): Promise<AgentTarget>;
  transition(id: string, from: readonly DeploymentState[], to: DeploymentState, change: DeploymentTransition): Promise<DeploymentRecord | undefined>;
  /** Deletes the record and announces it. */
  forget(deployment: DeploymentRecord): Promise<void>;
  /** Whether this manager is still waiting on the agent's answer itself. */
  inFlight(id: string): boolean;
}

const ASK_TIMEOUT_MS = 10_000;
const IN_FLIGHT: readonly DeploymentState[] = ['pending', 'deploying'];

/** What to do with a deployment in flight, from what its agent says now. */
export type Verdict = { settle: DeploymentState; reason: string | null } | { wait: string };

/** Listed as `failed` or `removed`: the agent reports what became of a stack it no longer has. */
function gone(stack: Pick<StackSummary, 'status'>): boolean {
  return stack.status === 'failed' || stack.status === 'removed';
}

/**
 * A Shipshape agent lists the stacks it has, those it is deploying among them (written to its
 * journal before the first engine call). Absent means its deploy failed and was rolled back, or
 * never reached it; either way nothing of it runs.
 */
export function judgeFromStacks(name: string, stacks: readonly Pick<StackSummary, 'name' | 'status' | 'reason'>[] | undefined): Verdict {
  if (stacks === undefined) return { wait: 'its agent cannot be asked' };
  const stack = stacks.find((s) => s.name === name);
  if (!stack) return { settle: 'failed', reason: 'the agent has no such stack: its deploy failed and was rolled back, or never reached it' };
  switch (stack.status) {
    case 'deploying':
      return { wait: 'its agent is still deploying it' };
    case 'failed':
      return { settle: 'failed', reason: stack.reason ?? 'its agent reports the deploy failed' };
    case 'removed':
      return { settle: 'removed', reason: 'removed on its host' };
    case 'running':
      return { settle: 'running', reason: null };
    default:
      return { settle: stack.status, reason: stack.reason ? `down: ${stack.reason}` : null };
  }
}

/**
 * A machine-lab agent says only which containers run, also halfway through a deploy it may still
 * roll back; it is judged once the manager would have stopped waiting for it anyway.
 */
export function judgeFromContainers(name: string, containers: readonly AgentContainer[] | undefined, sinceMs: number, agentTimeoutMs: number): Verdict {
  if (sinceMs < agentTimeoutMs) return { wait: 'its agent may still be deploying it' };
  if (containers === undefined) return { wait: 'its agent cannot be asked' };
  const mine = containers.filter((c) => belongsTo(c.name, name));
  if (mine.some((c) => /^(running|up)\b/i.test(c.status))) return { settle: 'running', reason: null };
  return { settle: 'failed', reason: 'its agent runs none of its containers' };
}

export class Reconciler {
  constructor(private readonly options: ReconcilerOptions) {}

  /** One round: pending removals, then deployments in flight nobody waits on. */
  async round(): Promise<void> {
    const { repo, now } = this.options;
    const askers = new HostAskers(this.options);
    for (const deployment of await repo.pendingRemovals()) {
      await this.removeOne(deployment, askers).catch((err: unknown) => this.options.log.warn({ err, deployment: deployment.id }, 'could not carry out a removal'));
    }
    for (const deployment of await repo.orphanedDeployments(now())) {
      if (this.options.inFlight(deployment.id) || deployment.removeRequestedAt !== null) continue;
      await this.settleOne(deployment, askers).catch((err: unknown) => this.options.log.warn({ err, deployment: deployment.id }, 'could not reconcile a deployment'));
    }
  }

  /** Tries a requested removal once; the record goes only when the agent confirms the stack is gone. */
  async removeOne(deployment: DeploymentRecord, askers = new HostAskers(this.options)): Promise<boolean> {
    const { repo, agents, log } = this.options;
    if (this.options.inFlight(deployment.id)) return false;
    const host = deployment.hostId ? await repo.getHost(deployment.hostId) : undefined;
    if (!host) {
      await this.options.forget(deployment);
      return true;
    }
    const shipshape = host.agentVersion !== null;
    if (!shipshape && IN_FLIGHT.includes(deployment.state) && this.options.now() - deployment.createdAt < this.options.agentTimeoutMs) return false;
    const result = await agents.remove(await this.options.target(host), deployment.name, AbortSignal.timeout(ASK_TIMEOUT_MS * 6));
    if (!result.ok) {
      await this.note(deployment, `removal requested; the agent could not take it down yet (${result.reason}), retried every round`);
      return false;
    }
    if (shipshape) {
      // An agent busy deploying it may answer "not found" or "busy": only its listing confirms.
      const stacks = await askers.stacks(host, true);
      if (stacks === undefined || stacks.some((s) => s.name === deployment.name && !gone(s))) {
        await this.note(deployment, 'removal requested; its agent is still deploying it, and takes it down as soon as it can');
        return false;
      }
    }
    log.info({ deployment: deployment.id, name: deployment.name, host: host.id }, 'requested removal carried out');
    await this.options.forget(deployment);
    return true;
  }

  private async settleOne(deployment: DeploymentRecord, askers: HostAskers): Promise<void> {
    const { repo, now } = this.options;
    const host = deployment.hostId ? await repo.getHost(deployment.hostId) : undefined;
    if (!host) {
      await this.options.transition(deployment.id, IN_FLIGHT, 'failed', { reason: 'its host was deleted while it was deploying' });
      return;
    }
    const verdict =
      host.agentVersion !== null
        ? judgeFromStacks(deployment.name, await askers.stacks(host))
        : judgeFromContainers(deployment.name, await askers.containers(host), now() - deployment.createdAt, this.options.agentTimeoutMs);
    if ('wait' in verdict) {
      await this.note(deployment, `no final answer from its agent yet: ${verdict.wait}; checked again every round`);
      return;
    }
    await this.options.transition(deployment.id, IN_FLIGHT, verdict.settle, {
      reason: verdict.reason,
      leaseOwner: null,
      leaseUntil: null,
      ...(verdict.settle !== 'failed' ? { agentResponse: JSON.stringify({ reconciled: true }) } : {}),
    });
  }

  /** Says why a deployment waits, without an event when nothing changed. */
  private async note(deployment: DeploymentRecord, reason: string): Promise<void> {
    if (deployment.reason === reason) return;
    await this.options.transition(deployment.id, [deployment.state], deployment.state, { reason });
  }
}

/** One question per host and round, whatever the number of its deployments. */
class HostAskers {
  private readonly stackAnswers = new Map<string, Promise<StackSummary[] | undefined>>();
  private readonly containerAnswers = new Map<string, Promise<AgentContainer[] | undefined>>();

  constructor(private readonly options: ReconcilerOptions) {}

  stacks(host: HostRecord, fresh = false): Promise<StackSummary[] | undefined> {
    let answer = fresh ? undefined : this.stackAnswers.get(host.id);
    if (!answer) {
      answer = this.options.target(host).then((target) => this.options.agents.stacks(target, AbortSignal.timeout(ASK_TIMEOUT_MS)));
      this.stackAnswers.set(host.id, answer);
    }
    return answer;
  }

  containers(host: HostRecord): Promise<AgentContainer[] | undefined> {
    let answer = this.containerAnswers.get(host.id);
    if (!answer) {
      answer = this.options.target(host).then((target) => this.options.agents.containers(target, AbortSignal.timeout(ASK_TIMEOUT_MS)));
      this.containerAnswers.set(host.id, answer);
    }
    return answer;
  }
}

/** Compose names containers `<project>-<service>-<n>` (v2) or `<project>_<service>_<n>` (v1). */
export function belongsTo(containerName: string, project: string): boolean {
  const name = containerName.replace(/^\//, '');
  return name === project || name.startsWith(`${project}-`) || name.startsWith(`${project}_`);
}
