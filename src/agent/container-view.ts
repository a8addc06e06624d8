import type {
  ContainerCreateRequest,
  ContainerDetail,
  ContainerStats as StatsView,
  ContainerSummary as SummaryView,
  PortBinding,
} from '../contract/index.js';
import type { ContainerCreateBody, ContainerInspect, ContainerStats, ContainerSummary } from '../docker/index.js';
import { LABEL } from '../engine/index.js';

/** Engine objects → the agent's wire shapes (docs/agent.md), and a create request → the engine's body. */

export function summaryView(c: ContainerSummary): SummaryView {
  return {
    id: c.Id,
    name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
    image: c.Image,
    state: c.State,
    status: c.Status,
    created: new Date(c.Created * 1000).toISOString(),
    stack: c.Labels[LABEL.project] ?? null,
    service: c.Labels[LABEL.service] ?? null,
    ports: (c.Ports ?? []).map((p) => ({
      container_port: p.PrivatePort,
      ...(p.PublicPort ? { host_port: p.PublicPort } : {}),
      ...(p.IP ? { host_ip: p.IP } : {}),
      protocol: protocolOf(p.Type),
    })),
    labels: c.Labels ?? {},
  };
}

export function detailView(c: ContainerInspect): ContainerDetail {
  const labels = c.Config?.Labels ?? {};
  const state = c.State;
  const bindings = (c.NetworkSettings?.Ports ?? {}) as Record<string, { HostIp: string; HostPort: string }[] | null>;
  const ports: PortBinding[] = [];
  for (const [key, hosts] of Object.entries(bindings)) {
    const [port, protocol] = key.split('/');
    const containerPort = Number(port);
    if (!Number.isInteger(containerPort) || containerPort < 1) continue;
    if (!hosts || hosts.length === 0) ports.push({ container_port: containerPort, protocol: protocolOf(protocol) });
    for (const h of hosts ?? []) {
      ports.push({ container_port: containerPort, host_port: Number(h.HostPort), host_ip: h.HostIp, protocol: protocolOf(protocol) });
    }
  }
  const time = (value: string | undefined) => (!value || value.startsWith('0001-01-01') ? null : value);
  return {
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    image: c.Config?.Image ?? '',
    image_id: c.Image,
    created: c.Created,
    state: {
      status: state.Status,
      running: state.Running,
      exit_code: state.ExitCode,
      started_at: time(state.StartedAt),
      finished_at: time(state.FinishedAt),
      health: (state as { Health?: { Status?: string } }).Health?.Status ?? null,
      error: state.Error || null,
    },
    restart_count: c.RestartCount,
    command: [...(c.Config?.Entrypoint ? [c.Config.Entrypoint].flat() : []), ...(c.Config?.Cmd ?? [])],
    stack: labels[LABEL.project] ?? null,
    service: labels[LABEL.service] ?? null,
    ports,
    mounts: (c.Mounts ?? []).map((m) => ({ type: m.Type ?? 'bind', source: m.Source, destination: m.Destination, read_only: !m.RW })),
    networks: Object.keys(c.NetworkSettings?.Networks ?? {}),
    labels,
  };
}

/** The engine's body for a create request: only what the request schema allows, nothing that reaches the host. */
export function createBody(request: ContainerCreateRequest): ContainerCreateBody {
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of request.ports ?? []) {
    const key = `${p.container_port}/${p.protocol ?? 'tcp'}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.host_ip ?? '', HostPort: p.host_port ? String(p.host_port) : '' });
  }
  return {
    Image: request.image,
    ...(request.command ? { Cmd: request.command } : {}),
    ...(request.entrypoint ? { Entrypoint: request.entrypoint } : {}),
    Env: Object.entries(request.env ?? {}).map(([k, v]) => `${k}=${v}`),
    Labels: request.labels ?? {},
    ...(request.working_dir ? { WorkingDir: request.working_dir } : {}),
    ...(request.user ? { User: request.user } : {}),
    ExposedPorts: exposed,
    HostConfig: {
      PortBindings: bindings,
      RestartPolicy: { Name: request.restart ?? 'no' },
      ...(request.memory_bytes ? { Memory: request.memory_bytes } : {}),
      ...(request.cpus ? { NanoCpus: Math.round(request.cpus * 1e9) } : {}),
    },
  };
}

/** As `docker stats` computes them. */
export function statsView(id: string, s: ContainerStats): StatsView {
  const cpuDelta = (s.cpu_stats?.cpu_usage?.total_usage ?? 0) - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (s.cpu_stats?.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
  const onlineCpus = s.cpu_stats?.online_cpus || s.cpu_stats?.cpu_usage?.percpu_usage?.length || 1;
  const cpuPercent = cpuDelta > 0 && systemDelta > 0 ? (cpuDelta / systemDelta) * onlineCpus * 100 : 0;
  const memory = s.memory_stats ?? ({} as ContainerStats['memory_stats']);
  const inner = (memory.stats ?? {}) as unknown as Record<string, number | undefined>;
  // cgroup v1 counts the page cache in usage (`total_inactive_file`), v2 names it `inactive_file`.
  const cache = inner.total_inactive_file ?? inner.inactive_file ?? 0;
  const usage = Math.max(0, (memory.usage ?? 0) - cache);
  const limit = memory.limit ?? 0;
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(s.networks ?? {})) {
    rx += n.rx_bytes;
    tx += n.tx_bytes;
  }
  let read = 0;
  let write = 0;
  for (const entry of s.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = entry.op.toLowerCase();
    if (op === 'read') read += entry.value;
    else if (op === 'write') write += entry.value;
  }
  return {
    id,
    read_at: s.read,
    cpu_percent: Math.round(cpuPercent * 100) / 100,
    memory: { usage_bytes: usage, limit_bytes: limit, percent: limit > 0 ? Math.round((usage / limit) * 10_000) / 100 : 0 },
    network: { rx_bytes: rx, tx_bytes: tx },
    block_io: { read_bytes: read, write_bytes: write },
    pids: s.pids_stats?.current ?? 0,
  };
}

function protocolOf(value: string | undefined): 'tcp' | 'udp' | 'sctp' {
  return value === 'udp' || value === 'sctp' ? value : 'tcp';
}
