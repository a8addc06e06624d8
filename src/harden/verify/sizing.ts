/** What one service used while --verify watched it. */
export interface Peaks {
  memoryBytes: number;
  pids: number;
  /** CPU in cores (1.0 = one core fully busy). */
  cpus: number;
}

const MiB = 1024 * 1024;

/**
 * Limits from observed peaks with headroom (docs/harden.md): twice the memory peak rounded up to
 * 16 MiB and at least 64 MiB; four times the processes and at least 64; twice the CPU in quarter
 * cores and at least half a core. A quiet test run is not a busy day, hence the generous factors.
 */
export function limitsFromPeaks(peaks: Peaks): { memory: string; cpus: string; pids: number } {
  const memory = Math.max(64, Math.ceil((peaks.memoryBytes * 2) / MiB / 16) * 16);
  const pids = Math.max(64, Math.ceil(peaks.pids * 4));
  const cpus = Math.max(0.5, Math.ceil(peaks.cpus * 2 * 4) / 4);
  return { memory: `${memory}M`, cpus: cpus.toFixed(2), pids };
}
