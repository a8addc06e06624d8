import type { Deployment, DeploymentFinding, Healthiness, HostInfo, HostStatusResponse, UserInfo, AuditEntry } from '../contract/index.js';
import type { AuditRecord, DeploymentRecord, HostRecord, UserRecord } from './storage/repository.js';

/** Records as the API shows them: snake_case, ISO times, no hashes. */

export function healthiness(host: Pick<HostRecord, 'status' | 'cpuPercent' | 'memPercent'>): Healthiness {
  if (host.status === 'offline') return 'offline';
  // machine-lab's thresholds.
  if (host.cpuPercent >= 90 || host.memPercent >= 90) return 'critical';
  if (host.cpuPercent >= 75 || host.memPercent >= 75) return 'warning';
  return 'healthy';
}

export function hostView(host: HostRecord): HostInfo {
  return {
    id: host.id,
    hostname: host.hostname,
    ip: host.ip,
    ssh_port: host.sshPort,
    api_port: host.apiPort,
    max_containers: host.maxContainers,
    current_containers: host.containers,
    deployments: host.activeDeployments,
    status: host.status,
    healthiness: healthiness(host),
    last_seen: isoOrNull(host.lastSeen),
    cpu_percent: host.cpuPercent,
    mem_percent: host.memPercent,
    disk_percent: host.diskPercent,
    load: host.load,
    docker_ok: host.dockerOk,
    agent_version: host.agentVersion,
    created_at: iso(host.createdAt),
  };
}

export function hostStatusView(host: HostRecord): HostStatusResponse {
  return {
    host_id: host.id,
    status: host.status,
    healthiness: healthiness(host),
    last_seen: isoOrNull(host.lastSeen),
    cpu_percent: host.cpuPercent,
    mem_percent: host.memPercent,
    current_containers: host.containers,
    deployments: host.activeDeployments,
  };
}

export function deploymentView(deployment: DeploymentRecord): Deployment {
  return {
    id: deployment.id,
    name: deployment.name,
    host_id: deployment.hostId,
    user_id: deployment.userId,
    source: deployment.source,
    state: deployment.state,
    status: deployment.state,
    reason: deployment.reason,
    findings: parseJson<DeploymentFinding[]>(deployment.findings) ?? [],
    agent_response: deployment.agentResponse === null ? null : (parseJson(deployment.agentResponse) ?? null),
    created_by: deployment.createdBy,
    created_at: iso(deployment.createdAt),
    updated_at: iso(deployment.updatedAt),
  };
}

export function userView(user: UserRecord, now: number): UserInfo {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    created_at: iso(user.createdAt),
    locked_until: user.lockedUntil !== null && user.lockedUntil > now ? iso(user.lockedUntil) : null,
  };
}

export function auditView(entry: AuditRecord): AuditEntry {
  return {
    id: entry.id,
    at: iso(entry.at),
    actor: entry.actor,
    actor_role: entry.actorRole,
    action: entry.action,
    target: entry.target,
    outcome: entry.outcome,
    ip: entry.ip,
    request_id: entry.requestId,
    details: entry.details === null ? null : (parseJson(entry.details) ?? null),
  };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}

function parseJson<T = unknown>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
