import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ContainerCounts } from '../contract/index.js';
import type { DiskUsage, LoadAverage, MemoryUsage } from './resources.js';

/** What one scrape reports about the host; read fresh for every scrape, nothing polls in between. */
export interface HostSnapshot {
  cpuPercent: number;
  memory: MemoryUsage;
  disk: DiskUsage | undefined;
  load: LoadAverage;
  containers: ContainerCounts | undefined;
  stacks: number;
  dockerOk: boolean;
}

const PREFIX = 'shipshape_agent_';

/**
 * The agent's Prometheus metrics, in a registry of its own (two agents in one process, as in
 * the tests, do not share counters). Host gauges are set from a snapshot just before each
 * scrape; HTTP latency and heartbeat results are counted as they happen.
 */
export class AgentMetrics {
  readonly registry = new Registry();
  private readonly cpu = this.gauge('cpu_percent', 'Host CPU busy, percent of all cores');
  private readonly memoryPercent = this.gauge('memory_percent', 'Host memory in use, percent');
  private readonly memoryBytes = this.gauge('memory_bytes', 'Host memory, bytes', ['kind']);
  private readonly diskPercent = this.gauge('disk_percent', "Use of the file system holding Docker's data, percent");
  private readonly diskBytes = this.gauge('disk_bytes', "File system holding Docker's data, bytes", ['kind']);
  private readonly load = this.gauge('load_average', 'Host load average', ['period']);
  private readonly containers = this.gauge('containers', 'Containers on the host by state', ['state']);
  private readonly stacks = this.gauge('stacks', 'Stacks deployed through this agent');
  private readonly dockerUp = this.gauge('docker_up', '1 when the Docker engine answers');
  private readonly heartbeats = new Counter({
    name: `${PREFIX}heartbeats_total`,
    help: 'Heartbeats sent to the manager, by result',
    labelNames: ['result'],
    registers: [this.registry],
  });
  private readonly http = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor() {
    // The event loop delay is sampled once a second, not every 10 ms (prom-client's default):
    // 100 wake-ups a second were most of an idle agent's CPU (docs/benchmarks.md).
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX, eventLoopMonitoringPrecision: 1_000 });
    // Both results exist from the start, so a dashboard can show a rate before the first failure.
    this.heartbeats.inc({ result: 'success' }, 0);
    this.heartbeats.inc({ result: 'failure' }, 0);
  }

  heartbeat(ok: boolean): void {
    this.heartbeats.inc({ result: ok ? 'success' : 'failure' });
  }

  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.http.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  async render(snapshot: HostSnapshot): Promise<string> {
    this.cpu.set(snapshot.cpuPercent);
    this.memoryPercent.set(snapshot.memory.percent);
    this.memoryBytes.set({ kind: 'total' }, snapshot.memory.total_bytes);
    this.memoryBytes.set({ kind: 'used' }, snapshot.memory.used_bytes);
    this.memoryBytes.set({ kind: 'available' }, snapshot.memory.available_bytes);
    this.diskPercent.reset();
    this.diskBytes.reset();
    if (snapshot.disk) {
      this.diskPercent.set(snapshot.disk.percent);
      this.diskBytes.set({ kind: 'total' }, snapshot.disk.total_bytes);
      this.diskBytes.set({ kind: 'used' }, snapshot.disk.used_bytes);
      this.diskBytes.set({ kind: 'free' }, snapshot.disk.free_bytes);
    }
    this.load.set({ period: '1m' }, snapshot.load.one);
    this.load.set({ period: '5m' }, snapshot.load.five);
    this.load.set({ period: '15m' }, snapshot.load.fifteen);
    // Without an engine the counts are unknown, not zero.
    this.containers.reset();
    if (snapshot.containers) {
      for (const [state, count] of Object.entries(snapshot.containers)) if (state !== 'total') this.containers.set({ state }, count);
    }
    this.stacks.set(snapshot.stacks);
    this.dockerUp.set(snapshot.dockerOk ? 1 : 0);
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private gauge(name: string, help: string, labelNames: string[] = []): Gauge {
    return new Gauge({ name: `${PREFIX}${name}`, help, labelNames, registers: [this.registry] });
  }
}
