import type { FastifyBaseLogger } from 'fastify';
import type { DeploymentState } from '../contract/index.js';
import type { AgentClient, AgentContainer, AgentResult, AgentTarget } from './agent-client.js';

type AgentFailure = Extract<AgentResult, { ok: false }>;
import type { AuditLog } from './audit.js';
import type { EventBus } from './events.js';
import { mintServerKey } from './security/keys.js';
import type { DeploymentRecord, DeploymentTransition, HostRecord, NewDeployment, Placement, Repository } from './storage/repository.js';

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
const RECONCILE_TIMEOUT_MS = 10_000;
const ACTION_TIMEOUT_MS = 120_000;

/**
 * Takes deployments from placement to `running` or `failed`: reserves the slot, hands the package
 * to the agent in the background, and records the agent's answer. A deployment in flight carries
 * a lease its manager renews; when a manager dies or restarts, the leases lapse and the monitor
 * reconciles those deployments from what their agents run.
 */
export class Deployer {
  private readonly inFlight = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly leaseMs: number;
  private closed = false;

  constructor(private readonly options: DeployerOptions) {
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
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

  /** Asks the agent to take the stack down, then forgets the deployment. Without a host, only forgets it. */
  async remove(deployment: DeploymentRecord, host: HostRecord | undefined): Promise<AgentFailure | undefined> {
    if (host) {
      const result = await this.options.agents.remove(await this.target(host), deployment.name, AbortSignal.timeout(ACTION_TIMEOUT_MS));
      if (!result.ok) return result;
    }
    this.inFlight.get(deployment.id)?.controller.abort();
    const removed = await this.options.repo.removeDeployment(deployment.id);
    if (removed) this.options.events.publish({ type: 'deployment.removed', deployment_id: removed.id, host_id: removed.hostId, at: iso(this.options.now()) });
    return undefined;
  }

  /** Settles deployments whose manager stopped working on them: `running` if their containers run, else `failed`. */
  async reconcile(): Promise<number> {
    const { repo, now } = this.options;
    const orphans = await repo.orphanedDeployments(now());
    const byHost = new Map<string, Promise<AgentContainer[] | undefined>>();
    for (const deployment of orphans) {
      if (this.inFlight.has(deployment.id)) continue;
      const host = deployment.hostId ? await repo.getHost(deployment.hostId) : undefined;
      if (!host) {
        await this.transition(deployment.id, ['pending', 'deploying'], 'failed', { reason: 'its host was deleted while it was deploying' });
        continue;
      }
      let listing = byHost.get(host.id);
      if (!listing) {
        listing = this.target(host).then((target) => this.options.agents.containers(target, AbortSignal.timeout(RECONCILE_TIMEOUT_MS)));
        byHost.set(host.id, listing);
      }
      const containers = await listing;
      const mine = (containers ?? []).filter((c) => belongsTo(c.name, deployment.name));
      if (mine.some((c) => /^(running|up)\b/i.test(c.status))) {
        await this.transition(deployment.id, ['pending', 'deploying'], 'running', {
          reason: null,
          agentResponse: JSON.stringify({ reconciled: true, containers: mine }),
        });
      } else {
        const why = containers === undefined ? 'and its agent cannot be reached' : 'and its agent runs none of its containers';
        await this.transition(deployment.id, ['pending', 'deploying'], 'failed', {
          reason: `the manager stopped before the agent answered, ${why}`,
        });
      }
    }
    return orphans.length;
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
      if (result.ok) await this.transition(deployment.id, ['deploying'], 'running', { ...settled, reason: null });
      else await this.transition(deployment.id, ['deploying'], 'failed', { ...settled, reason: result.reason });
    } catch (err) {
      log.error({ err, deployment: deployment.id }, 'deployment failed inside the manager');
      await this.transition(deployment.id, ['pending', 'deploying'], 'failed', { reason: 'the manager failed while deploying', leaseOwner: null, leaseUntil: null }).catch(
        () => undefined,
      );
    } finally {
      clearInterval(renew);
    }
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

/** Compose names containers `<project>-<service>-<n>` (v2) or `<project>_<service>_<n>` (v1). */
export function belongsTo(containerName: string, project: string): boolean {
  const name = containerName.replace(/^\//, '');
  return name === project || name.startsWith(`${project}-`) || name.startsWith(`${project}_`);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
