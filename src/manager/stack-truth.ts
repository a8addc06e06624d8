import type { FastifyBaseLogger } from 'fastify';
import type { DeploymentState, HeartbeatStack } from '../contract/index.js';
import type { EventBus } from './events.js';
import { isLiveState, UniqueViolation, type DeploymentRecord, type Repository } from './storage/index.js';

/**
 * Deployment states from what agents report (docs/manager.md, "Deployment status"): every
 * heartbeat carries each stack's status as the agent last saw it in its engine, and the records
 * follow it. Nothing here guesses: a stack the heartbeat does not mention changes a deployment
 * only when the agent is known to have had it (a deployment that was running).
 */

/**
 * The oldest a heartbeat can be when it arrives: collected, then sent with a 5 s deadline. A
 * deployment that changed more recently than this may have changed after the heartbeat was
 * collected, so that heartbeat cannot end it (`removed` is final).
 */
export const STALE_HEARTBEAT_MS = 10_000;

export interface DerivedState {
  state: DeploymentState;
  reason: string | null;
}

/**
 * What a deployment becomes, given its stack in its host's heartbeat (undefined: the heartbeat
 * does not mention it); undefined for no change. `inFlight`: the manager is still waiting for the
 * agent's answer to the deploy, which settles it. `changedMsAgo`: since the deployment's last
 * change; a heartbeat may be older than that, and then it does not remove the deployment.
 */
export function deriveDeploymentState(
  deployment: Pick<DeploymentRecord, 'state' | 'reason'>,
  stack: HeartbeatStack | undefined,
  context: { inFlight: boolean; changedMsAgo: number },
): DerivedState | undefined {
  const next = derive(deployment, stack, context.inFlight);
  if (next?.state === 'removed' && context.changedMsAgo < STALE_HEARTBEAT_MS) return undefined;
  return next;
}

function derive(deployment: Pick<DeploymentRecord, 'state' | 'reason'>, stack: HeartbeatStack | undefined, inFlight: boolean): DerivedState | undefined {
  const current = deployment.state;
  let next: DerivedState | undefined;
  if (current === 'removed') return undefined;
  if (current === 'pending' || current === 'deploying') {
    if (inFlight || !stack) return undefined;
    next = stack.status === 'deploying' ? { state: 'deploying', reason: null } : fromStack(stack);
  } else if (current === 'failed') {
    // Found running after all (an answer lost to a restart or a timeout): reality wins.
    if (!stack || !['running', 'degraded', 'stopped'].includes(stack.status)) return undefined;
    next = fromStack(stack);
  } else if (!stack) {
    next = { state: 'removed', reason: 'its host no longer has this stack' };
  } else if (stack.status === 'deploying') {
    return undefined;
  } else {
    next = fromStack(stack);
  }
  return next.state === current && next.reason === deployment.reason ? undefined : next;
}

function fromStack(stack: HeartbeatStack): DerivedState {
  switch (stack.status) {
    case 'running':
      return { state: 'running', reason: null };
    case 'degraded':
      return { state: 'degraded', reason: stack.reason ?? 'some services are down' };
    case 'stopped':
      return { state: 'stopped', reason: stack.reason ?? 'no service runs' };
    case 'failed':
      return { state: 'failed', reason: stack.reason ?? 'the deploy failed on the host' };
    case 'removed':
      return { state: 'removed', reason: 'removed on its host' };
    case 'deploying':
      return { state: 'deploying', reason: null };
  }
}

export interface StackTruthOptions {
  repo: Repository;
  events: EventBus;
  log: FastifyBaseLogger;
  /** How often a host's deployments are checked against its stacks even when they did not change (default 10 s). */
  recheckMs?: number;
}

/**
 * Applies heartbeats' stacks to their hosts' deployments. A heartbeat whose stacks are the same
 * as the last one's is not looked at again for `recheckMs`, so a quiet fleet costs one UPDATE
 * per heartbeat, as before; any change is applied at once.
 */
export class StackTruth {
  private readonly lastApplied = new Map<string, { digest: string; at: number }>();

  constructor(private readonly options: StackTruthOptions) {}

  /** Returns how many deployments changed. */
  async ingest(hostId: string, stacks: readonly HeartbeatStack[], now: number): Promise<number> {
    const digest = JSON.stringify(stacks.map((s) => [s.name, s.status, s.reason]));
    const last = this.lastApplied.get(hostId);
    if (last && last.digest === digest && now - last.at < (this.options.recheckMs ?? 10_000)) return 0;
    const { repo, events, log } = this.options;
    const byName = new Map(stacks.map((s) => [s.name, s]));
    const deployments = await repo.listDeployments({ hostId, limit: 100_000 });
    // A name held by a live deployment is not given to an older, failed one of the same name.
    const liveNames = new Set(deployments.filter((d) => isLiveState(d.state)).map((d) => d.name));
    let changed = 0;
    for (const deployment of deployments) {
      if (deployment.state === 'failed' && liveNames.has(deployment.name)) continue;
      const inFlight = deployment.leaseOwner !== null && deployment.leaseUntil !== null && deployment.leaseUntil >= now;
      const next = deriveDeploymentState(deployment, byName.get(deployment.name), { inFlight, changedMsAgo: now - deployment.updatedAt });
      if (!next) continue;
      const settled = !isLiveState(next.state) || next.state === 'running' || next.state === 'degraded' || next.state === 'stopped';
      let updated: DeploymentRecord | undefined;
      try {
        updated = await repo.transitionDeployment(
          deployment.id,
          [deployment.state],
          next.state,
          { reason: next.reason, ...(settled ? { leaseOwner: null, leaseUntil: null } : {}) },
          now,
        );
      } catch (err) {
        // Another live deployment holds the name (on another host): this one stays as it was.
        if (err instanceof UniqueViolation) continue;
        throw err;
      }
      if (!updated) continue;
      changed++;
      if (isLiveState(updated.state) !== isLiveState(deployment.state) || updated.state !== 'running') {
        log.info({ deployment: updated.id, host: hostId, from: deployment.state, to: updated.state, reason: updated.reason }, 'deployment state from its host');
      }
      events.publish({ type: 'deployment.state', deployment_id: updated.id, host_id: updated.hostId, state: updated.state, reason: updated.reason, at: new Date(now).toISOString() });
    }
    this.lastApplied.set(hostId, { digest, at: now });
    return changed;
  }

  /** A host that was deleted (or went away) is looked at afresh when it is back. */
  forget(hostId: string): void {
    this.lastApplied.delete(hostId);
  }
}
