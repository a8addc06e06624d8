import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { statsView } from '../../src/agent/container-view.js';
import { HttpError } from '../../src/http/index.js';
import { LimitGuard } from '../../src/agent/limits.js';
import type { ResourceProbe } from '../../src/agent/resources.js';
import type { ContainerStats } from '../../src/docker/index.js';

const probe = (cpu: number, mem: number): ResourceProbe => ({
  cpuPercent: () => cpu,
  memory: () => ({ total_bytes: 100, used_bytes: mem, available_bytes: 100 - mem, percent: mem }),
  load: () => ({ one: 0, five: 0, fifteen: 0 }),
  disk: async () => undefined,
});

async function refusal(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof HttpError);
    assert.equal(err.statusCode, 409);
    assert.equal(err.code, 'limit_reached');
    return err;
  }
  assert.fail('expected a refusal');
}

describe('LimitGuard', () => {
  test('no limits, no refusals, and the engine is not even asked', async () => {
    const guard = new LimitGuard({ maxContainers: undefined, maxCpuPercent: undefined, maxMemoryPercent: undefined }, probe(100, 100), () => {
      throw new Error('not asked');
    });
    (await guard.reserve(50)).release();
    assert.deepEqual(guard.limits, { max_containers: null, max_cpu_percent: null, max_memory_percent: null });
  });

  test('MAX_CONTAINERS counts running containers and those other requests are creating', async () => {
    let running = 3;
    const guard = new LimitGuard({ maxContainers: 5, maxCpuPercent: undefined, maxMemoryPercent: undefined }, probe(0, 0), async () => running);
    const first = await guard.reserve(2);
    const error = await refusal(guard.reserve(1));
    assert.equal(error.message, 'MAX_CONTAINERS is 5: 3 running and 2 being created, 1 more would make 6');
    assert.deepEqual(error.details, { limit: 'MAX_CONTAINERS', value: 5, requested: 1, max: 5 });
    first.release();
    first.release();
    (await guard.reserve(2)).release();
    running = 5;
    assert.match((await refusal(guard.reserve(1))).message, /^MAX_CONTAINERS is 5: 5 running, 1 more would make 6$/);
  });

  test('concurrent reservations cannot overshoot together', async () => {
    const guard = new LimitGuard({ maxContainers: 4, maxCpuPercent: undefined, maxMemoryPercent: undefined }, probe(0, 0), async () => {
      await new Promise((r) => setTimeout(r, 10));
      return 1;
    });
    const results = await Promise.allSettled([guard.reserve(2), guard.reserve(2), guard.reserve(2)]);
    const granted = results.filter((r) => r.status === 'fulfilled').length;
    assert.ok(granted <= 1, `at most one of three 2-container reservations fits in 4 with 1 running (${granted} granted)`);
  });

  test('CPU and memory ceilings refuse at or above them, with the figures', async () => {
    const settings = { maxContainers: undefined, maxCpuPercent: 80, maxMemoryPercent: 90 };
    const cpu = await refusal(new LimitGuard(settings, probe(80, 10), async () => 0).reserve(1));
    assert.equal(cpu.message, 'host CPU is at 80%, at or above MAX_CPU_PERCENT (80%)');
    const mem = await refusal(new LimitGuard(settings, probe(10, 95.5), async () => 0).reserve(1));
    assert.equal(mem.message, 'host memory is at 95.5%, at or above MAX_MEMORY_PERCENT (90%)');
    (await new LimitGuard(settings, probe(79.9, 89.9), async () => 0).reserve(1)).release();
  });
});

describe('statsView', () => {
  test('computes CPU, memory without cache, network and block I/O as docker stats does', () => {
    const sample = {
      read: '2026-01-01T00:00:01Z',
      preread: '2026-01-01T00:00:00Z',
      cpu_stats: { cpu_usage: { total_usage: 3_000_000_000, percpu_usage: [], usage_in_usermode: 0, usage_in_kernelmode: 0 }, system_cpu_usage: 20_000_000_000, online_cpus: 2, throttling_data: {} },
      precpu_stats: { cpu_usage: { total_usage: 2_000_000_000, percpu_usage: [], usage_in_usermode: 0, usage_in_kernelmode: 0 }, system_cpu_usage: 16_000_000_000, online_cpus: 2, throttling_data: {} },
      memory_stats: { usage: 60 * 2 ** 20, limit: 200 * 2 ** 20, stats: { inactive_file: 10 * 2 ** 20 } },
      networks: { eth0: { rx_bytes: 100, tx_bytes: 50 }, eth1: { rx_bytes: 1, tx_bytes: 2 } },
      blkio_stats: { io_service_bytes_recursive: [{ op: 'read', value: 4096 }, { op: 'Write', value: 8192 }, { op: 'total', value: 1 }] },
      pids_stats: { current: 3 },
    } as unknown as ContainerStats;
    assert.deepEqual(statsView('abc', sample), {
      id: 'abc',
      read_at: '2026-01-01T00:00:01Z',
      // 1e9 of 4e9 system ns, times 2 CPUs: 50 % (of one core, as docker stats shows it).
      cpu_percent: 50,
      memory: { usage_bytes: 50 * 2 ** 20, limit_bytes: 200 * 2 ** 20, percent: 25 },
      network: { rx_bytes: 101, tx_bytes: 52 },
      block_io: { read_bytes: 4096, write_bytes: 8192 },
      pids: 3,
    });
  });

  test('a stopped container has no figures, not NaN', () => {
    const empty = { read: '0001-01-01T00:00:00Z', cpu_stats: {}, precpu_stats: {}, memory_stats: {} } as unknown as ContainerStats;
    const view = statsView('x', empty);
    assert.equal(view.cpu_percent, 0);
    assert.deepEqual(view.memory, { usage_bytes: 0, limit_bytes: 0, percent: 0 });
    assert.equal(view.pids, 0);
  });
});
