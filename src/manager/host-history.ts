import type { HostMetricSample } from '../contract/index.js';

/** Heartbeats within one bucket fold into one sample (the agents' default interval is 10 s). */
export const HISTORY_BUCKET_SECONDS = 10;
/** One hour of buckets: what the host view charts. */
const BUCKETS = 3_600 / HISTORY_BUCKET_SECONDS;
const FIELDS = 5; // bucket start (s), cpu, mem, disk (NaN: unknown), containers

export interface HeartbeatFigures {
  cpu: number;
  mem: number;
  disk: number | null;
  containers: number;
}

/**
 * The last hour of each host's heartbeats, in memory: a fixed ring of buckets per host (about
 * 14 KiB each, so 1,000 hosts hold 14 MiB), keeping the highest figures of each bucket so that a
 * short peak is not averaged away. Each manager keeps the history of the heartbeats it receives;
 * a restart starts it afresh (docs/dashboard.md).
 */
export class HostHistory {
  private readonly rings = new Map<string, { data: Float64Array; next: number; size: number }>();

  record(hostId: string, at: number, figures: HeartbeatFigures): void {
    const bucket = Math.floor(at / 1000 / HISTORY_BUCKET_SECONDS) * HISTORY_BUCKET_SECONDS;
    let ring = this.rings.get(hostId);
    if (!ring) {
      ring = { data: new Float64Array(BUCKETS * FIELDS), next: 0, size: 0 };
      this.rings.set(hostId, ring);
    }
    const last = ring.size > 0 ? ((ring.next - 1 + BUCKETS) % BUCKETS) * FIELDS : -1;
    const disk = figures.disk ?? Number.NaN;
    if (last >= 0 && ring.data[last] === bucket) {
      const d = ring.data;
      d[last + 1] = Math.max(d[last + 1]!, figures.cpu);
      d[last + 2] = Math.max(d[last + 2]!, figures.mem);
      d[last + 3] = Number.isNaN(d[last + 3]!) ? disk : Number.isNaN(disk) ? d[last + 3]! : Math.max(d[last + 3]!, disk);
      d[last + 4] = Math.max(d[last + 4]!, figures.containers);
      return;
    }
    // A clock that went back starts no bucket before the newest one.
    if (last >= 0 && bucket < ring.data[last]!) return;
    ring.data.set([bucket, figures.cpu, figures.mem, disk, figures.containers], ring.next * FIELDS);
    ring.next = (ring.next + 1) % BUCKETS;
    ring.size = Math.min(BUCKETS, ring.size + 1);
  }

  /** The newest `points` samples (all of the last hour by default) that are not older than an hour, oldest first. */
  samples(hostId: string, now: number, points = BUCKETS): HostMetricSample[] {
    const ring = this.rings.get(hostId);
    if (!ring) return [];
    const oldest = now / 1000 - 3_600;
    const count = Math.min(points, ring.size);
    const out: HostMetricSample[] = [];
    for (let i = count; i >= 1; i--) {
      const at = ((ring.next - i + BUCKETS) % BUCKETS) * FIELDS;
      const d = ring.data;
      if (d[at]! < oldest) continue;
      out.push({
        at: new Date(d[at]! * 1000).toISOString(),
        cpu_percent: d[at + 1]!,
        mem_percent: d[at + 2]!,
        disk_percent: Number.isNaN(d[at + 3]!) ? null : d[at + 3]!,
        containers: d[at + 4]!,
      });
    }
    return out;
  }

  hosts(): IterableIterator<string> {
    return this.rings.keys();
  }

  forget(hostId: string): void {
    this.rings.delete(hostId);
  }
}
