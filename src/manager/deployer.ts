import type { FastifyBaseLogger } from 'fastify';
import type { DeploymentState } from '../contract/index.js';
import type { AgentClient, AgentResult, AgentTarget } from './agent-client.js';
import type { AuditLog } from './audit.js';
import type { EventBus } from './events.js';
import { Reconciler } from './reconciler.js';
import { mintServerKey } from './security/keys.js';
import type { DeploymentRecord, DeploymentTransition, HostRecord, NewDeployment, Placement, Repository } from './storage/repository.js';

type AgentFailure = Extract<AgentResult, { ok: false }>;

/** `removed`: gone and forgotten; `pending`: recorded, carried out on the agent as soon as it can be. */
export type RemoveOutcome = { outcome: 'removed' } | { outcome: 'pending'; deployment: DeploymentRecord } | { outcome: 'failed'; failure: AgentFailure };

export interface DeployerOptions {
  repo: Repository;
  agents: AgentClient;
  events: EventBus;
  /** Each state change is written to it, so a deployment's timeline outlives the event stream. */
  audit?: AuditLog;
  log: FastifyBaseLogger;
  now: () => number;
  secret: string;
  /** This manager process; it holds the leases of the deployments it is working on. */
  instanceId: string;
  agentTimeoutMs: number;
  /** How long a deployment in flight stays claimed without a renewal. */
  leaseMs?: number;
}

const DEFAULT_LEASE_MS = 30_000;
const ACTION_TIMEOUT_MS = 120_000;

/**
 * Takes deployments from placement to `running` or `failed`: reserves the slot, hands the package
 * to the agent in the background, and records the agent's answer. A deployment in flight carries
 * a lease its manager renews; when a manager dies or restarts, or the agent's answer is lost, the
 * lease lapses and the monitor's reconciler asks the agent until it gives a final answer.
 */
export class Deployer {
  private readonly inFlight = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly leaseMs: number;
  private readonly reconciler: Reconciler;
  private closed = false;

  constructor(private readonly options: DeployerOptions) {
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.reconciler = new Reconciler({
      repo: options.repo,
      agents: options.agents,
      log: options.log,
      now: options.now,
      agentTimeoutMs: options.agentTimeoutMs,
      target: (host) => this.target(host),
      transition: (id, from, to, change) => this.transition(id, from, to, change),
      forget: (deployment) => this.forget(deployment),
      inFlight: (id) => this.inFlight.has(id),
    });
  }

  /** Places the deployment (on `onHost` only, when given) and, when a host had room, starts deploying it there. */
  async place(deployment: Omit<NewDeployment, 'leaseOwner' | 'leaseUntil'>, zip: Buffer, onHost?: string): Promise<Placement> {
    const { repo, now, instanceId } = this.options;
    const placement = await repo.placeDeployment({ ...deployment, leaseOwner: instanceId, leaseUntil: now() + this.leaseMs }, now(), onHost);
    if (!placement.ok) return placement;
    this.announce(placement.deployment);
    if (!this.closed) this.start(placement.deployment, placement.host, zip);
    return placement;
  }

  async restart(deployment: DeploymentRecord, host: HostRecord): Promise<AgentResult> {
    return this.options.agents.restart(await this.target(host), deployment.name, AbortSignal.timeout(Math.max(ACTION_TIMEOUT_MS, this.options.agentTimeoutMs)));
  }

  /**
   * Takes the stack down through its agent and forgets the deployment. Without a host, only
   * forgets it. While it deploys, or when the agent cannot do it and `force` is given, the
   * removal is recorded and carried out as soon as the agent can; until then the deployment keeps
   * its name and slot.
   */
  async remove(deployment: DeploymentRecord, host: HostRecord | undefined, force: boolean, requestedBy: string): Promise<RemoveOutcome> {
    const { repo, now } = this.options;
    if (!host) {
      await this.forget(deployment);
      return { outcome: 'removed' };
    }
    if (deployment.state !== 'pending' && deployment.state !== 'deploying') {
      const result = await this.options.agents.remove(await this.target(host), deployment.name, AbortSignal.timeout(ACTION_TIMEOUT_MS));
      if (result.ok) {
        await this.forget(deployment);
        return { outcome: 'removed' };
      }
      if (!force) return { outcome: 'failed', failure: result };
    }
    const at = iso(now());
    const pending = await repo.requestRemoval(deployment.id, `removal requested by ${requestedBy} at ${at}; carried out on the agent as soon as it can`, now());
    if (!pending) return { outcome: 'removed' };
    this.announce(pending);
    // The first try at once; the monitor retries every round until the agent confirms.
    void this.reconciler.removeOne(pending).catch((err: unknown) => this.options.log.warn({ err, deployment: pending.id }, 'could not carry out a removal'));
    return { outcome: 'pending', deployment: pending };
  }

  /** One reconciliation round: pending removals, then deployments in flight nobody waits on. */
  async reconcile(): Promise<void> {
    await this.reconciler.round();
  }

  /** Stops waiting for agents. Deployments in flight keep their state and are reconciled later. */
  async close(): Promise<void> {
    this.closed = true;
    const pending = [...this.inFlight.values()];
    for (const { controller } of pending) controller.abort();
    await Promise.all(pending.map(({ done }) => done));
  }

  /** Resolves once every deployment this manager started has settled (tests, benchmarks). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight.values()].map(({ done }) => done));
  }

  private start(deployment: DeploymentRecord, host: HostRecord, zip: Buffer): void {
    const controller = new AbortController();
    const done = this.run(deployment, host, zip, controller).finally(() => this.inFlight.delete(deployment.id));
    this.inFlight.set(deployment.id, { controller, done });
  }

  private async run(deployment: DeploymentRecord, host: HostRecord, zip: Buffer, controller: AbortController): Promise<void> {
    const { repo, agents, now, instanceId, log } = this.options;
    const renew = setInterval(() => {
      repo.renewDeploymentLease(deployment.id, instanceId, now() + this.leaseMs).catch((err: unknown) => log.warn({ err }, 'could not renew a deployment lease'));
    }, this.leaseMs / 3);
    renew.unref();
    try {
      const started = await this.transition(deployment.id, ['pending'], 'deploying', { leaseOwner: instanceId, leaseUntil: now() + this.leaseMs });
      if (!started) return;
      const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(this.options.agentTimeoutMs)]);
      const result = await agents.launch(await this.target(host), deployment.name, zip, signal);
      // Closing: the agent may still finish; the next manager reconciles what it finds.
      if (controller.signal.aborted) return;
      const settled = { leaseOwner: null, leaseUntil: null, agentResponse: JSON.stringify(result.body ?? null) };
      let final: DeploymentRecord | undefined;
      if (result.ok) final = await this.transition(deployment.id, ['deploying'], 'running', { ...settled, reason: null });
      else if (result.status === null && !result.unreached) {
        // No answer (timed out, connection lost): the agent may go on and finish or roll back.
        // It stays deploying, and the reconciler asks the agent until it says which.
        await this.transition(deployment.id, ['deploying'], 'deploying', {
          leaseOwner: null,
          leaseUntil: null,
          reason: `no final answer from its agent yet: ${result.reason}; checked again every round`,
        });
      } else final = await this.transition(deployment.id, ['deploying'], 'failed', { ...settled, reason: result.reason });
      if (final?.removeRequestedAt != null) this.removeSoon(final);
    } catch (err) {
      log.error({ err, deployment: deployment.id }, 'deployment failed inside the manager');
      await this.transition(deployment.id, ['pending', 'deploying'], 'failed', { reason: 'the manager failed while deploying', leaseOwner: null, leaseUntil: null }).catch(
        () => undefined,
      );
    } finally {
      clearInterval(renew);
    }
  }

  private removeSoon(deployment: DeploymentRecord): void {
    // After `inFlight` forgets it: the removal waits for this manager's own call to end.
    setImmediate(() => {
      void this.reconciler.removeOne(deployment).catch((err: unknown) => this.options.log.warn({ err, deployment: deployment.id }, 'could not carry out a removal'));
    });
  }

  private async forget(deployment: DeploymentRecord): Promise<void> {
    const removed = await this.options.repo.removeDeployment(deployment.id);
    if (removed) this.options.events.publish({ type: 'deployment.removed', deployment_id: removed.id, host_id: removed.hostId, at: iso(this.options.now()) });
  }

  private async transition(id: string, from: readonly DeploymentState[], to: DeploymentState, change: DeploymentTransition): Promise<DeploymentRecord | undefined> {
    const updated = await this.options.repo.transitionDeployment(id, from, to, change, this.options.now());
    if (updated) {
      this.announce(updated);
      await this.options.audit
        ?.record(undefined, { action: 'deployment.state', target: id, outcome: to === 'failed' ? 'failed' : 'ok', details: { state: to, reason: updated.reason, host_id: updated.hostId } })
        .catch((err: unknown) => this.options.log.warn({ err }, 'could not audit a deployment state'));
    }
    return updated;
  }

  private announce(deployment: DeploymentRecord): void {
    this.options.events.publish({
      type: 'deployment.state',
      deployment_id: deployment.id,
      host_id: deployment.hostId,
      state: deployment.state,
      reason: deployment.reason,
      at: iso(deployment.updatedAt),
    });
  }

  async target(host: HostRecord): Promise<AgentTarget> {
    const serverKey = await mintServerKey(this.options.secret, { hostId: host.id, jti: host.keyJti, issuedAt: host.keyIssuedAt });
    return { ip: host.ip, apiPort: host.apiPort, serverKey, certSha256: host.agentCertSha256 };
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
