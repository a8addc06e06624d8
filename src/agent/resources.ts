import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { statfs } from 'node:fs/promises';

export interface MemoryUsage {
  total_bytes: number;
  used_bytes: number;
  available_bytes: number;
  percent: number;
}

export interface DiskUsage {
  path: string;
  total_bytes: number;
  used_bytes: number;
  free_bytes: number;
  percent: number;
}

export interface LoadAverage {
  one: number;
  five: number;
  fifteen: number;
}

/** Where the agent reads the host's CPU, memory, disk and load; tests replace it. */
export interface ResourceProbe {
  cpuPercent(): number;
  memory(): MemoryUsage;
  load(): LoadAverage;
  /** Usage of the file system holding `path` (df's numbers), or undefined when it cannot be read. */
  disk(path: string): Promise<DiskUsage | undefined>;
}

/** Samples closer together than this return the previous CPU figure: a few ticks say nothing. */
const MIN_CPU_WINDOW_MS = 500;

/**
 * The host as the kernel reports it. CPU is the busy share of all cores between two readings
 * (the first reading covers the time since the probe was made), so reading it costs nothing
 * and no timer runs while the agent is idle.
 */
export function hostProbe(): ResourceProbe {
  let previous = cpuTimes();
  let previousAt = Date.now();
  let lastPercent: number | undefined;
  return {
    cpuPercent() {
      const now = Date.now();
      if (lastPercent !== undefined && now - previousAt < MIN_CPU_WINDOW_MS) return lastPercent;
      const current = cpuTimes();
      const total = current.total - previous.total;
      const idle = current.idle - previous.idle;
      // No tick has passed yet (the very first reading): the average since boot is the best guess.
      lastPercent = total > 0 ? round1((1 - idle / total) * 100) : round1((1 - current.idle / Math.max(current.total, 1)) * 100);
      previous = current;
      previousAt = now;
      return lastPercent;
    },
    memory() {
      const total = totalmem();
      // os.freemem() is MemAvailable on Linux: what can be had without swapping.
      const available = freemem();
      const used = total - available;
      return { total_bytes: total, used_bytes: used, available_bytes: available, percent: round1((used / total) * 100) };
    },
    load() {
      const [one = 0, five = 0, fifteen = 0] = loadavg();
      return { one: round2(one), five: round2(five), fifteen: round2(fifteen) };
    },
    async disk(path) {
      try {
        const fs = await statfs(path);
        const total = fs.blocks * fs.bsize;
        const used = (fs.blocks - fs.bfree) * fs.bsize;
        const free = fs.bavail * fs.bsize;
        // As df computes Use%: the reserved blocks count as neither used nor available.
        const percent = used + free > 0 ? round1((used / (used + free)) * 100) : 0;
        return { path, total_bytes: total, used_bytes: used, free_bytes: free, percent };
      } catch {
        return undefined;
      }
    },
  };
}

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { idle, total };
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
