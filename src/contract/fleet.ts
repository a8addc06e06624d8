/**
 * What agents and the manager tell each other about the fleet (docs/architecture.md, "Wire
 * contract"): heartbeats with each stack's status, and the statuses a deployment can have. The
 * agent builds its heartbeats with these schemas, the manager validates and derives its records
 * from them, and the dashboard reads the same types.
 */
import { Type, type Static, type TSchema } from 'typebox';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
/** A union of string literals whose static type is exactly the list's. */
const literals = <T extends string>(values: readonly T[]) => Type.Unsafe<T>(Type.Union(values.map((v) => Type.Literal(v))));

/**
 * Stack names become compose project names, folder names under the agent's WORK_DIR and prefixes
 * of container, network and volume names: lowercase letters, digits, `_` and `-`, as compose
 * accepts for a project name. machine-lab's manager names environments with UUIDs, which fit.
 */
export const STACK_NAME_PATTERN = '^[a-z0-9][a-z0-9_-]{0,62}$';

// --- services and stacks ----------------------------------------------------------------------

/**
 * A service as the engine last showed it: `running` (every replica runs), `restarting`,
 * `paused`, `created`, `exited` (stopped or crashed), `completed` (a one-shot that exited 0),
 * `dead`, or `missing` (no container at all).
 */
export const SERVICE_STATES = ['running', 'restarting', 'paused', 'created', 'exited', 'completed', 'dead', 'missing'] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];
export const ServiceStateSchema = literals(SERVICE_STATES);

/** The container's health check, worst replica first; null: the service has none. */
export const SERVICE_HEALTH = ['healthy', 'unhealthy', 'starting'] as const;
export type ServiceHealth = (typeof SERVICE_HEALTH)[number];
export const ServiceHealthSchema = literals(SERVICE_HEALTH);

export const ServiceStatus = Type.Object({
  name: Type.String({ maxLength: 255 }),
  state: ServiceStateSchema,
  health: Nullable(ServiceHealthSchema),
  running: Type.Integer({ minimum: 0, description: 'Replicas running' }),
  total: Type.Integer({ minimum: 0, description: 'Replicas that exist (running or not)' }),
});
export type ServiceStatus = Static<typeof ServiceStatus>;

/**
 * A stack's status on its host (docs/agent.md, "Heartbeats"): `deploying` (a deploy is under way
 * or was interrupted and awaits recovery), `running` (every service runs and none is unhealthy;
 * one-shots exited 0), `degraded` (some service is down, restarting or unhealthy), `stopped` (no
 * long-running service runs), `failed` (the last deploy failed and was rolled back), `removed`
 * (taken down). `failed` and `removed` are reported for a while after the fact, then dropped.
 */
export const STACK_STATUSES = ['deploying', 'running', 'degraded', 'stopped', 'failed', 'removed'] as const;
export type StackStatus = (typeof STACK_STATUSES)[number];
export const StackStatus = literals(STACK_STATUSES);

/** One stack in a heartbeat. */
export const HeartbeatStack = Type.Object({
  name: Type.String({ pattern: STACK_NAME_PATTERN }),
  status: StackStatus,
  reason: Nullable(Type.String({ maxLength: 2_000, description: 'Why it failed, or which services are down' })),
  services: Type.Array(ServiceStatus, { maxItems: 1_000 }),
  seen_at: Nullable(Type.String({ format: 'date-time', description: 'When the agent last saw its containers in the engine; null: never (failed, removed)' })),
});
export type HeartbeatStack = Static<typeof HeartbeatStack>;

// --- heartbeats ---------------------------------------------------------------------------------

/**
 * `POST {MANAGER_URL}/hosts/{HOST_ID}/heartbeat`. `cpu`, `mem` and `containers` are machine-lab's
 * (percent and running containers), which is all a machine-lab agent sends; Shipshape's agent
 * sends every field. Fields the manager does not know are ignored, so newer agents can report more.
 */
export const Heartbeat = Type.Object({
  cpu: Type.Number({ minimum: 0, maximum: 100, description: 'CPU busy, percent of all cores' }),
  mem: Type.Number({ minimum: 0, maximum: 100, description: 'Memory in use, percent' }),
  containers: Type.Integer({ minimum: 0, description: 'Running containers (the last count known while the engine is down)' }),
  disk: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 100, description: "Use of the file system holding Docker's data, percent" }))),
  load: Type.Optional(Nullable(Type.Number({ minimum: 0, description: 'One-minute load average' }))),
  docker_ok: Type.Optional(Type.Boolean()),
  agent_version: Type.Optional(Type.String({ maxLength: 64 })),
  stacks: Type.Optional(
    Type.Union([
      Type.Array(HeartbeatStack, { maxItems: 10_000, description: 'Every stack the agent knows, with its status' }),
      Type.Integer({ minimum: 0, description: 'Agents of 0.1 sent a count of their stacks: it says nothing about them and is ignored' }),
    ]),
  ),
});
export type Heartbeat = Static<typeof Heartbeat>;

export const HeartbeatResponse = Type.Object({
  ack: Type.Boolean(),
  server_key: Type.Optional(
    Type.String({
      description:
        "The host's current key, when the agent's certificate authenticated the heartbeat and the key it sent is no longer current (rotated): the agent takes it and drops the old one",
    }),
  ),
});
export type HeartbeatResponse = Static<typeof HeartbeatResponse>;

/**
 * 410 to a heartbeat whose agent certificate names a host that no longer exists (deleted): the
 * agent stops accepting its key. An agent believes it only over the TLS channel it pinned.
 */
export const HostRevokedResponse = Type.Object({ detail: Type.String(), revoked: Type.Literal(true) });
export type HostRevokedResponse = Static<typeof HostRevokedResponse>;

// --- deployments --------------------------------------------------------------------------------

/**
 * A deployment's state at the manager (docs/manager.md, "Deployment status"): `pending` until its
 * agent is called, then the status of its stack as the agent last reported it.
 */
export const DEPLOYMENT_STATES = ['pending', ...STACK_STATUSES] as const;
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];
export const DeploymentStateSchema = literals(DEPLOYMENT_STATES);

/** States in which a deployment holds its host's slot (and its name): its stack exists there or is being made. */
export const LIVE_DEPLOYMENT_STATES = ['pending', 'deploying', 'running', 'degraded', 'stopped'] as const satisfies readonly DeploymentState[];
