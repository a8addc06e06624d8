import type { Limits } from '../contract/index.js';
import { limitReached } from './errors.js';
import type { ResourceProbe } from './resources.js';

export interface LimitSettings {
  maxContainers: number | undefined;
  maxCpuPercent: number | undefined;
  maxMemoryPercent: number | undefined;
}

/** Given back when the containers it was taken for exist (or failed to). */
export interface Reservation {
  release(): void;
}

/**
 * MAX_CONTAINERS, MAX_CPU_PERCENT and MAX_MEMORY_PERCENT, checked before anything new is
 * created. Containers being created count against MAX_CONTAINERS from the moment they are
 * reserved, so concurrent deploys cannot together overshoot it. Running containers are what
 * count, as machine-lab counted them.
 */
export class LimitGuard {
  private reserved = 0;

  constructor(
    private readonly settings: LimitSettings,
    private readonly probe: ResourceProbe,
    private readonly countRunning: () => Promise<number>,
  ) {}

  get limits(): Limits {
    return {
      max_containers: this.settings.maxContainers ?? null,
      max_cpu_percent: this.settings.maxCpuPercent ?? null,
      max_memory_percent: this.settings.maxMemoryPercent ?? null,
    };
  }

  /** Refuses (409) when `newContainers` more would break a limit; otherwise holds them until released. */
  async reserve(newContainers: number): Promise<Reservation> {
    const { maxContainers, maxCpuPercent, maxMemoryPercent } = this.settings;
    if (maxCpuPercent !== undefined) {
      const cpu = this.probe.cpuPercent();
      if (cpu >= maxCpuPercent) {
        throw limitReached(`host CPU is at ${cpu}%, at or above MAX_CPU_PERCENT (${maxCpuPercent}%)`, { limit: 'MAX_CPU_PERCENT', value: cpu, max: maxCpuPercent });
      }
    }
    if (maxMemoryPercent !== undefined) {
      const mem = this.probe.memory().percent;
      if (mem >= maxMemoryPercent) {
        throw limitReached(`host memory is at ${mem}%, at or above MAX_MEMORY_PERCENT (${maxMemoryPercent}%)`, {
          limit: 'MAX_MEMORY_PERCENT',
          value: mem,
          max: maxMemoryPercent,
        });
      }
    }
    this.reserved += newContainers;
    let released = false;
    const reservation = {
      release: () => {
        if (released) return;
        released = true;
        this.reserved -= newContainers;
      },
    };
    if (maxContainers !== undefined && newContainers > 0) {
      let running: number;
      try {
        running = await this.countRunning();
      } catch (err) {
        reservation.release();
        throw err;
      }
      const others = this.reserved - newContainers;
      if (running + this.reserved > maxContainers) {
        reservation.release();
        const pending = others > 0 ? ` and ${others} being created` : '';
        throw limitReached(
          `MAX_CONTAINERS is ${maxContainers}: ${running} running${pending}, ${newContainers} more would make ${running + others + newContainers}`,
          { limit: 'MAX_CONTAINERS', value: running + others, requested: newContainers, max: maxContainers },
        );
      }
    }
    return reservation;
  }
}
