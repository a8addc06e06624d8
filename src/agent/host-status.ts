import type { ContainerCounts, HeartbeatBody } from '../contract/index.js';
import { DockerError, type DockerClient } from '../docker/index.js';
import type { EngineMonitor } from './engine-monitor.js';
import type { HostSnapshot } from './metrics.js';
import type { DiskUsage, ResourceProbe } from './resources.js';

const STATES = ['running', 'paused', 'restarting', 'created', 'exited', 'dead'] as const;

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
    private readonly countStacks: () => Promise<number>,
  ) {}

  /** Containers by state, or undefined when the engine cannot be asked. */
  async containerCounts(): Promise<ContainerCounts | undefined> {
    try {
      const listed = await this.docker.containers.list({ all: true }, { timeoutMs: 5_000 });
      const counts: ContainerCounts = { total: listed.length, running: 0, paused: 0, restarting: 0, created: 0, exited: 0, dead: 0 };
      for (const c of listed) {
        const state = STATES.find((s) => s === c.State);
        if (state) counts[state]++;
      }
      this.lastRunning = counts.running;
      return counts;
    } catch (err) {
      if (!(err instanceof DockerError)) throw err;
      this.engine.noteFailure(err);
      return undefined;
    }
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
    const [engine, containers, disk, stacks] = await Promise.all([this.engine.check(), this.containerCounts(), this.disk(), this.countStacks()]);
    return {
      cpuPercent: this.probe.cpuPercent(),
      memory: this.probe.memory(),
      load: this.probe.load(),
      disk,
      containers,
      stacks,
      dockerOk: engine.ok && containers !== undefined,
    };
  }

  async heartbeat(version: string): Promise<HeartbeatBody> {
    const s = await this.snapshot();
    return {
      cpu: clampPercent(s.cpuPercent),
      mem: clampPercent(s.memory.percent),
      containers: s.containers?.running ?? this.lastRunning,
      disk: clampPercent(s.disk?.percent ?? 0),
      load: s.load.one,
      stacks: s.stacks,
      docker_ok: s.dockerOk,
      agent_version: version,
    };
  }
}

function clampPercent(value: number): number {
  return Math.min(100, Math.max(0, Math.round(value)));
}
