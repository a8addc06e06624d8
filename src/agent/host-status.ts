import type { ContainerCounts, Heartbeat, HeartbeatStack } from '../contract/index.js';
import { DockerError, type ContainerSummary, type DockerClient } from '../docker/index.js';
import { LABEL } from '../engine/index.js';
import type { EngineMonitor } from './engine-monitor.js';
import type { HostSnapshot } from './metrics.js';
import type { DiskUsage, ResourceProbe } from './resources.js';

const STATES = ['running', 'paused', 'restarting', 'created', 'exited', 'dead'] as const;

/** What host figures need of the stacks (the StackManager). */
export interface StackFigures {
  count(): Promise<number>;
  /** Each stack's status from one listing of the host's containers (undefined: the engine cannot be asked). */
  reports(listing: readonly ContainerSummary[] | undefined): Promise<HeartbeatStack[]>;
  readonly recoveryDone: boolean;
  recover(): Promise<boolean>;
}

/**
 * The host's figures as /system/resources, /metrics and heartbeats report them, read fresh
 * each time. Remembers the last container count, which heartbeats carry while the engine is
 * down: the containers have not gone, the agent just cannot see them.
 */
export class HostStatus {
  private lastRunning = 0;

  constructor(
    private readonly docker: DockerClient,
    private readonly engine: EngineMonitor,
    private readonly probe: ResourceProbe,
    /** Where stacks live; its disk is reported when Docker's data directory cannot be read. */
    private readonly workDir: string,
    private readonly stacks: StackFigures,
  ) {}

  /** Every container on the host, or undefined when the engine cannot be asked. */
  private async listAll(): Promise<ContainerSummary[] | undefined> {
    try {
      return await this.docker.containers.list({ all: true }, { timeoutMs: 5_000 });
    } catch (err) {
      if (!(err instanceof DockerError)) throw err;
      this.engine.noteFailure(err);
      return undefined;
    }
  }

  private count(listed: readonly ContainerSummary[]): ContainerCounts {
    const counts: ContainerCounts = { total: listed.length, running: 0, paused: 0, restarting: 0, created: 0, exited: 0, dead: 0 };
    for (const c of listed) {
      const state = STATES.find((s) => s === c.State);
      if (state) counts[state]++;
    }
    this.lastRunning = counts.running;
    return counts;
  }

  /** Containers by state, or undefined when the engine cannot be asked. */
  async containerCounts(): Promise<ContainerCounts | undefined> {
    const listed = await this.listAll();
    return listed ? this.count(listed) : undefined;
  }

  async runningContainers(): Promise<number> {
    const counts = await this.containerCounts();
    if (!counts) throw new Error('the Docker engine cannot be asked how many containers run');
    return counts.running;
  }

  /** Disk of Docker's data directory (or of WORK_DIR when the agent cannot see that one). */
  async disk(): Promise<DiskUsage | undefined> {
    const root = await this.engine.dockerRootDir();
    return (root ? await this.probe.disk(root) : undefined) ?? (await this.probe.disk(this.workDir));
  }

  async snapshot(): Promise<HostSnapshot> {
    return (await this.look()).snapshot;
  }

  private async look(): Promise<{ snapshot: HostSnapshot; listed: ContainerSummary[] | undefined }> {
    const [engine, listed, disk, stacks] = await Promise.all([this.engine.check(), this.listAll(), this.disk(), this.stacks.count()]);
    const containers = listed ? this.count(listed) : undefined;
    const snapshot = {
      cpuPercent: this.probe.cpuPercent(),
      memory: this.probe.memory(),
      load: this.probe.load(),
      disk,
      containers,
      stacks,
      dockerOk: engine.ok && containers !== undefined,
    };
    return { snapshot, listed };
  }

  /**
   * One heartbeat's figures, and every stack's status from the same listing of the host's
   * containers: what the engine shows at this moment, or as last seen while it cannot be asked.
   */
  async heartbeat(version: string): Promise<Heartbeat> {
    const { snapshot: s, listed } = await this.look();
    // A recovery that waited for the engine runs now, beside the heartbeat rather than in its way.
    if (listed && !this.stacks.recoveryDone) void this.stacks.recover().catch(() => undefined);
    const stacks = await this.stacks.reports(listed?.filter((c) => c.Labels?.[LABEL.project] !== undefined));
    return {
      cpu: clampPercent(s.cpuPercent),
      mem: clampPercent(s.memory.percent),
      containers: s.containers?.running ?? this.lastRunning,
      disk: clampPercent(s.disk?.percent ?? 0),
      load: s.load.one,
      stacks,
      docker_ok: s.dockerOk,
      agent_version: version,
    };
  }
}

function clampPercent(value: number): number {
  return Math.min(100, Math.max(0, Math.round(value)));
}
