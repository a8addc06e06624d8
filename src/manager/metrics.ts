import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DEPLOYMENT_STATES, HOST_STATUSES } from '../contract/index.js';
import type { Repository } from './storage/repository.js';

/** The manager's Prometheus metrics (GET /metrics), in a registry of its own per app. */
export class ManagerMetrics {
  readonly registry = new Registry();
  readonly heartbeats: Counter<'outcome'>;
  readonly heartbeatInterval: Histogram;
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly monitorLeader: Gauge;
  readonly offlineTransitions: Counter;
  readonly deploymentsPlaced: Counter<'outcome'>;
  /** When each host's previous heartbeat reached this manager, for the interval histogram. */
  private readonly lastBeat = new Map<string, number>();

  constructor(repo: Repository, now: () => number) {
    const registers = [this.registry];
    this.heartbeats = new Counter({
      name: 'shipshape_manager_heartbeats_total',
      help: 'Heartbeats received, by outcome (accepted, unknown_host, wrong_key)',
      labelNames: ['outcome'],
      registers,
    });
    this.heartbeatInterval = new Histogram({
      name: 'shipshape_manager_heartbeat_interval_seconds',
      help: 'Time between two heartbeats of the same host, as this manager received them',
      buckets: [1, 2, 5, 10, 15, 20, 30, 45, 60, 120, 300],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'shipshape_manager_http_request_duration_seconds',
      help: 'HTTP request latency by route template',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.monitorLeader = new Gauge({
      name: 'shipshape_manager_monitor_leader',
      help: '1 while this manager runs the offline monitor (one replica at a time)',
      registers,
    });
    this.offlineTransitions = new Counter({
      name: 'shipshape_manager_hosts_gone_offline_total',
      help: 'Hosts this manager marked offline for missing heartbeats',
      registers,
    });
    this.deploymentsPlaced = new Counter({
      name: 'shipshape_manager_placements_total',
      help: 'Placement attempts, by outcome (placed, no_capacity)',
      labelNames: ['outcome'],
      registers,
    });
    new Gauge({
      name: 'shipshape_manager_hosts',
      help: 'Registered hosts by status',
      labelNames: ['status'],
      registers,
      async collect() {
        const counts = await repo.countHostsByStatus();
        for (const status of HOST_STATUSES) this.set({ status }, counts[status]);
      },
    });
    new Gauge({
      name: 'shipshape_manager_deployments',
      help: 'Deployments by state',
      labelNames: ['state'],
      registers,
      async collect() {
        const counts = await repo.countDeploymentsByState();
        for (const state of DEPLOYMENT_STATES) this.set({ state }, counts[state]);
      },
    });
    new Gauge({
      name: 'shipshape_manager_heartbeat_lag_seconds',
      help: 'Age of the oldest last heartbeat among online hosts',
      registers,
      async collect() {
        const oldest = await repo.oldestOnlineHeartbeat();
        this.set(oldest === null ? 0 : Math.max(0, (now() - oldest) / 1000));
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'shipshape_manager_' });
  }

  heartbeatAccepted(hostId: string, at: number): void {
    this.heartbeats.inc({ outcome: 'accepted' });
    const previous = this.lastBeat.get(hostId);
    if (previous !== undefined) this.heartbeatInterval.observe((at - previous) / 1000);
    this.lastBeat.set(hostId, at);
  }

  forgetHost(hostId: string): void {
    this.lastBeat.delete(hostId);
  }
}
