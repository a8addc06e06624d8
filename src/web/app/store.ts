import { useEffect, useState } from 'preact/hooks';
import type { Deployment, FleetMetrics, HostInfo, ManagerEvent, WhoAmI } from '../../contract/index.js';
import { api } from './api.js';

/** Samples kept per host for the overview's sparklines. */
export const SPARK_POINTS = 30;

export interface Spark {
  cpu: number[];
  mem: number[];
  disk: (number | null)[];
}

export type Live = 'connecting' | 'live' | 'reconnecting' | 'off';

type Listener = () => void;

/**
 * The fleet as the dashboard knows it: hosts, their recent samples and deployments, kept current
 * from GET /events. Events are applied in batches, once per animation frame, and each changed
 * host or deployment becomes a new object, so that a burst of a thousand heartbeats costs one
 * render in which only the changed rows are redrawn (docs/dashboard.md, "Scale").
 */
export class FleetStore {
  me: WhoAmI | null = null;
  hosts = new Map<string, HostInfo>();
  sparks = new Map<string, Spark>();
  deployments = new Map<string, Deployment>();
  live: Live = 'off';
  /** Counts applied batches: views that depend on the fleet re-render when it moves. */
  version = 0;
  /** The last event per deployment, for the deploy view's progress. */
  readonly heard: ManagerEvent[] = [];

  private readonly listeners = new Set<Listener>();
  private readonly eventListeners = new Set<(event: ManagerEvent) => void>();
  private pending: ManagerEvent[] = [];
  private scheduled = false;
  private source: EventSource | undefined;
  private refetchHosts = new Set<string>();
  private refetchDeployments = new Set<string>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every event as it is applied (the deploy view follows its deployment this way). */
  onEvent(listener: (event: ManagerEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  async load(): Promise<void> {
    const [hosts, deployments, metrics] = await Promise.all([
      api<HostInfo[]>('GET', '/hosts'),
      api<Deployment[]>('GET', '/deployments?limit=500'),
      api<FleetMetrics>('GET', `/hosts/metrics?points=${SPARK_POINTS}`),
    ]);
    if (hosts.ok) this.hosts = new Map(hosts.body.map((h) => [h.id, h]));
    if (deployments.ok) this.deployments = new Map(deployments.body.map((d) => [d.id, d]));
    if (metrics.ok) {
      this.sparks = new Map(
        Object.entries(metrics.body.hosts).map(([id, samples]) => [
          id,
          { cpu: samples.map((s) => s.cpu_percent), mem: samples.map((s) => s.mem_percent), disk: samples.map((s) => s.disk_percent) },
        ]),
      );
    }
    this.changed();
  }

  connect(): void {
    this.disconnect();
    const source = new EventSource('/events');
    this.source = source;
    this.live = 'connecting';
    source.onopen = () => {
      this.live = 'live';
      this.changed();
    };
    source.onerror = () => {
      this.live = 'reconnecting';
      this.changed();
    };
    const types: ManagerEvent['type'][] = [
      'host.online',
      'host.offline',
      'host.heartbeat',
      'host.registered',
      'host.updated',
      'host.deleted',
      'deployment.state',
      'deployment.removed',
    ];
    for (const type of types) {
      source.addEventListener(type, (message) => {
        try {
          this.queue(JSON.parse((message as MessageEvent<string>).data) as ManagerEvent);
        } catch {
          // A line that is not JSON is not an event.
        }
      });
    }
  }

  disconnect(): void {
    this.source?.close();
    this.source = undefined;
    this.live = 'off';
  }

  reset(): void {
    this.disconnect();
    this.me = null;
    this.hosts = new Map();
    this.sparks = new Map();
    this.deployments = new Map();
    this.changed();
  }

  queue(event: ManagerEvent): void {
    this.pending.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => this.flush());
  }

  setDeployment(deployment: Deployment): void {
    this.deployments = new Map(this.deployments).set(deployment.id, deployment);
    this.changed();
  }

  forgetDeployment(id: string): void {
    const next = new Map(this.deployments);
    next.delete(id);
    this.deployments = next;
    this.changed();
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    const hosts = new Map(this.hosts);
    const sparks = new Map(this.sparks);
    let deployments = this.deployments;
    for (const event of batch) {
      switch (event.type) {
        case 'host.heartbeat': {
          const host = hosts.get(event.host_id);
          if (!host) {
            this.refetchHosts.add(event.host_id);
            break;
          }
          const peak = Math.max(event.cpu_percent, event.mem_percent);
          hosts.set(event.host_id, {
            ...host,
            cpu_percent: event.cpu_percent,
            mem_percent: event.mem_percent,
            disk_percent: event.disk_percent ?? host.disk_percent,
            current_containers: event.current_containers,
            last_seen: event.at,
            healthiness: host.status === 'offline' ? 'offline' : peak >= 90 ? 'critical' : peak >= 75 ? 'warning' : 'healthy',
          });
          const spark = sparks.get(event.host_id) ?? { cpu: [], mem: [], disk: [] };
          sparks.set(event.host_id, {
            cpu: [...spark.cpu, event.cpu_percent].slice(-SPARK_POINTS),
            mem: [...spark.mem, event.mem_percent].slice(-SPARK_POINTS),
            disk: [...spark.disk, event.disk_percent ?? null].slice(-SPARK_POINTS),
          });
          if (host.status !== 'online') this.refetchHosts.add(event.host_id);
          break;
        }
        case 'host.deleted':
          hosts.delete(event.host_id);
          sparks.delete(event.host_id);
          break;
        case 'host.online':
        case 'host.offline':
        case 'host.registered':
        case 'host.updated':
          this.refetchHosts.add(event.host_id);
          break;
        case 'deployment.state': {
          const known = deployments.get(event.deployment_id);
          if (known) {
            deployments = new Map(deployments).set(event.deployment_id, { ...known, state: event.state, status: event.state, reason: event.reason, updated_at: event.at });
          }
          this.refetchDeployments.add(event.deployment_id);
          if (event.host_id) this.refetchHosts.add(event.host_id);
          break;
        }
        case 'deployment.removed':
          if (deployments.has(event.deployment_id)) {
            deployments = new Map(deployments);
            deployments.delete(event.deployment_id);
          }
          if (event.host_id) this.refetchHosts.add(event.host_id);
          break;
      }
    }
    this.hosts = hosts;
    this.sparks = sparks;
    this.deployments = deployments;
    for (const event of batch) {
      this.heard.push(event);
      for (const listener of this.eventListeners) listener(event);
    }
    if (this.heard.length > 200) this.heard.splice(0, this.heard.length - 200);
    this.changed();
    this.refetch();
  }

  /** What an event only names (a host that came online, a deployment's findings) is read again, in one go per batch. */
  private refetch(): void {
    const hostIds = [...this.refetchHosts];
    const deploymentIds = [...this.refetchDeployments];
    this.refetchHosts.clear();
    this.refetchDeployments.clear();
    if (hostIds.length > 20) {
      void api<HostInfo[]>('GET', '/hosts').then((result) => {
        if (!result.ok) return;
        this.hosts = new Map(result.body.map((h) => [h.id, h]));
        this.changed();
      });
    } else {
      for (const id of hostIds) {
        void api<HostInfo>('GET', `/hosts/${encodeURIComponent(id)}`).then((result) => {
          const hosts = new Map(this.hosts);
          if (result.status === 404) hosts.delete(id);
          else if (result.ok) hosts.set(id, result.body);
          else return;
          this.hosts = hosts;
          this.changed();
        });
      }
    }
    for (const id of deploymentIds) {
      void api<Deployment>('GET', `/deployments/${encodeURIComponent(id)}`).then((result) => {
        if (result.ok) this.setDeployment(result.body);
      });
    }
  }

  private changed(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}

export const store = new FleetStore();

/** Re-renders the calling component whenever the store moves; returns the store. */
export function useStore(): FleetStore {
  const [, setVersion] = useState(store.version);
  useEffect(() => store.subscribe(() => setVersion(store.version)), []);
  return store;
}
