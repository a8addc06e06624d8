/**
 * The manager's HTTP contract (docs/manager.md): request and response bodies as TypeBox schemas.
 * The manager validates and serializes with them (fields not declared here never leave it, so a
 * key hash cannot leak by accident), its OpenAPI document at /docs is generated from them, and the
 * web dashboard and the tests read the same types.
 *
 * Routes inherited from machine-lab (`/auth`, `/hosts`, `/containers`) keep its field names and
 * its `{"detail": …}` errors; Shipshape's own routes answer errors as `{error: {code, message}}`.
 */
import { Type, type Static, type TSchema } from 'typebox';
import { DeploymentStateSchema, STACK_NAME_PATTERN, type DeploymentState } from './fleet.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });
const Port = (description: string) => Type.Integer({ minimum: 1, maximum: 65_535, description });

export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
export const HOST_STATUSES = ['online', 'offline'] as const;
export type HostStatus = (typeof HOST_STATUSES)[number];
export const HEALTHINESS = ['healthy', 'warning', 'critical', 'offline'] as const;
export type Healthiness = (typeof HEALTHINESS)[number];

export const RoleSchema = Type.Union([Type.Literal('admin'), Type.Literal('operator'), Type.Literal('viewer')]);
const HostStatusSchema = Type.Union([Type.Literal('online'), Type.Literal('offline')]);
const HealthinessSchema = Type.Union([Type.Literal('healthy'), Type.Literal('warning'), Type.Literal('critical'), Type.Literal('offline')]);

// --- errors -----------------------------------------------------------------------------------

export const ManagerErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable, machine-readable: invalid_request, not_found, conflict, no_capacity, …' }),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: 'ManagerError' },
);
export type ManagerErrorBody = Static<typeof ManagerErrorBody>;

/** machine-lab's error shape (FastAPI's), kept on its routes; validation errors carry a list. */
export const ManagerDetailBody = Type.Object({ detail: Type.Unknown() }, { $id: 'ManagerDetailError' });
export type ManagerDetailBody = Static<typeof ManagerDetailBody>;

export const MessageResponse = Type.Object({ message: Type.String() });
export type MessageResponse = Static<typeof MessageResponse>;

export const DetailResponse = Type.Object({ detail: Type.String() });
export type DetailResponse = Static<typeof DetailResponse>;

// --- auth ---------------------------------------------------------------------------------------

export const LoginRequest = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254, format: 'email' }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    session: Type.Optional(Type.Boolean({ description: 'Also set the dashboard session cookie' })),
  },
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;

export const LoginResponse = Type.Object({
  admin_key: Type.String({ description: 'Send it as X-Admin-Key' }),
  expires: Nullable(Timestamp('When the key stops working; null: never')),
  role: RoleSchema,
  email: Type.String(),
});
export type LoginResponse = Static<typeof LoginResponse>;

export const ChangePasswordRequest = Type.Object(
  {
    current_password: Type.String({ minLength: 1, maxLength: 1024 }),
    new_password: Type.String({ minLength: 8, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type ChangePasswordRequest = Static<typeof ChangePasswordRequest>;

export const RotateKeyResponse = Type.Object({
  message: Type.String(),
  admin_key: Type.String(),
  expires: Nullable(Timestamp()),
});
export type RotateKeyResponse = Static<typeof RotateKeyResponse>;

export const WhoAmI = Type.Object({ id: Type.String(), email: Type.String(), role: RoleSchema });
export type WhoAmI = Static<typeof WhoAmI>;

export const UserInfo = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role: RoleSchema,
  created_at: Timestamp(),
  locked_until: Nullable(Timestamp()),
});
export type UserInfo = Static<typeof UserInfo>;

export const UserCreateRequest = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254, format: 'email' }),
    password: Type.String({ minLength: 8, maxLength: 1024 }),
    role: RoleSchema,
  },
  { additionalProperties: false },
);
export type UserCreateRequest = Static<typeof UserCreateRequest>;

export const UserUpdateRequest = Type.Object(
  {
    role: Type.Optional(RoleSchema),
    password: Type.Optional(Type.String({ minLength: 8, maxLength: 1024 })),
    unlock: Type.Optional(Type.Boolean({ description: 'Clear a lockout after failed logins' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UserUpdateRequest = Static<typeof UserUpdateRequest>;

// --- hosts --------------------------------------------------------------------------------------

export const HostCreateRequest = Type.Object(
  {
    hostname: Type.String({ minLength: 1, maxLength: 253 }),
    ip: Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9.:_%\\[\\]-]+$', description: 'Where the manager reaches the agent' }),
    ssh_port: Type.Optional(Port('Default 22')),
    api_port: Type.Optional(Port("The agent's port; default 8003")),
    max_containers: Type.Integer({ minimum: 1, maximum: 100_000, description: 'Deployments this host may hold at once' }),
  },
  { additionalProperties: false },
);
export type HostCreateRequest = Static<typeof HostCreateRequest>;

export const HostUpdateRequest = Type.Object(
  {
    hostname: Type.Optional(HostCreateRequest.properties.hostname),
    ip: Type.Optional(HostCreateRequest.properties.ip),
    ssh_port: Type.Optional(Port('SSH port')),
    api_port: Type.Optional(Port("The agent's port")),
    max_containers: Type.Optional(HostCreateRequest.properties.max_containers),
  },
  { additionalProperties: false },
);
export type HostUpdateRequest = Static<typeof HostUpdateRequest>;

export const HostRegisterResponse = Type.Object({
  id: Type.String(),
  host_id: Type.String({ description: 'The same as id (machine-lab answered with host_id)' }),
  server_key: Type.String({ description: "The agent's SERVER_KEY; shown once" }),
});
export type HostRegisterResponse = Static<typeof HostRegisterResponse>;

export const HostInfo = Type.Object({
  id: Type.String(),
  hostname: Type.String(),
  ip: Type.String(),
  ssh_port: Type.Integer(),
  api_port: Type.Integer(),
  max_containers: Type.Integer(),
  current_containers: Type.Integer({ description: 'Running containers, as the agent last reported' }),
  deployments: Type.Integer({ description: 'Deployments whose stack exists here or is being made (pending, deploying, running, degraded, stopped): what capacity counts' }),
  status: HostStatusSchema,
  healthiness: HealthinessSchema,
  last_seen: Nullable(Timestamp()),
  cpu_percent: Type.Integer(),
  mem_percent: Type.Integer(),
  disk_percent: Nullable(Type.Integer()),
  load: Nullable(Type.Number()),
  docker_ok: Nullable(Type.Boolean()),
  agent_version: Nullable(Type.String()),
  created_at: Timestamp(),
});
export type HostInfo = Static<typeof HostInfo>;

export const HostStatusResponse = Type.Object({
  host_id: Type.String(),
  status: HostStatusSchema,
  healthiness: HealthinessSchema,
  last_seen: Nullable(Timestamp()),
  cpu_percent: Type.Integer(),
  mem_percent: Type.Integer(),
  current_containers: Type.Integer(),
  deployments: Type.Integer(),
});
export type HostStatusResponse = Static<typeof HostStatusResponse>;

// Heartbeats (request and answers) are in fleet.ts, shared with the agent.

// --- enrollment and transport (docs/security.md, "Keys and transport") ---------------------------

export const ENROLLMENT_TOKEN_TTL = { default: 3_600, min: 60, max: 7 * 86_400 } as const;

export const EnrollmentTokenRequest = Type.Object(
  {
    ttl_seconds: Type.Optional(
      Type.Integer({ minimum: ENROLLMENT_TOKEN_TTL.min, maximum: ENROLLMENT_TOKEN_TTL.max, description: `Seconds the token stays usable; default ${ENROLLMENT_TOKEN_TTL.default}` }),
    ),
  },
  { additionalProperties: false },
);
export type EnrollmentTokenRequest = Static<typeof EnrollmentTokenRequest>;

export const EnrollmentTokenResponse = Type.Object({
  token: Type.String({ description: 'For `shipshape agent --enroll TOKEN --manager URL`; usable once; it carries the pin of the manager CA. Shown once.' }),
  expires_at: Timestamp(),
  ca_sha256: Type.String({ description: "SHA-256 of the manager CA's certificate, hex" }),
});
export type EnrollmentTokenResponse = Static<typeof EnrollmentTokenResponse>;

/** Public: what an enrolling agent compares with the pin its token carries before it sends the token. */
export const TlsCaResponse = Type.Object({ ca_certificate: Type.String({ description: 'PEM' }), ca_sha256: Type.String() });
export type TlsCaResponse = Static<typeof TlsCaResponse>;

export const EnrollRequest = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 256 }),
    hostname: HostCreateRequest.properties.hostname,
    ip: Type.Optional(Type.String({ ...HostCreateRequest.properties.ip, description: 'Where the manager reaches the agent; default: the address the request came from' })),
    ssh_port: Type.Optional(Port('Default 22')),
    api_port: Type.Optional(Port("The agent's port; default 8003")),
    max_containers: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'Default 10' })),
    public_key: Type.String({ minLength: 1, maxLength: 4_096, description: "SPKI PEM of the agent's RSA key; the manager CA certifies it" }),
  },
  { additionalProperties: false },
);
export type EnrollRequest = Static<typeof EnrollRequest>;

export const EnrollResponse = Type.Object({
  host_id: Type.String(),
  server_key: Type.String({ description: 'What the manager presents to this agent; kept in WORK_DIR' }),
  certificate: Type.String({ description: "The agent's certificate (PEM), issued by the manager CA: it serves HTTPS with it and sends heartbeats with it" }),
  ca_certificate: Type.String({ description: 'The manager CA (PEM)' }),
  ca_sha256: Type.String(),
  heartbeat_interval: Type.Number({ description: 'Seconds between heartbeats the manager expects' }),
});
export type EnrollResponse = Static<typeof EnrollResponse>;

// --- deployments --------------------------------------------------------------------------------

export const DeploymentFinding = Type.Object({
  rule: Type.String(),
  severity: Type.String(),
  service: Nullable(Type.String()),
  file: Type.String(),
  line: Type.Integer(),
  column: Type.Integer(),
  message: Type.String(),
});
export type DeploymentFinding = Static<typeof DeploymentFinding>;

/** A deployment's name is its stack's name on the host. */
export const DEPLOYMENT_NAME_PATTERN = STACK_NAME_PATTERN;

export const DeploymentCreateRequest = Type.Object(
  {
    name: Type.Optional(Type.String({ pattern: DEPLOYMENT_NAME_PATTERN, description: 'Compose project name on the host; default: the id' })),
    compose: Type.String({ minLength: 1, maxLength: 1_048_576, description: 'compose.yaml, as text' }),
    files: Type.Optional(
      Type.Record(Type.String({ minLength: 1, maxLength: 1024 }), Type.String({ maxLength: 16_777_216 }), {
        description: 'Other files of the project by relative path (Dockerfiles, configs, .env)',
        maxProperties: 10_000,
      }),
    ),
    encoding: Type.Optional(Type.Union([Type.Literal('utf8'), Type.Literal('base64')], { description: 'Of the values of files; default utf8' })),
    user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { additionalProperties: false },
);
export type DeploymentCreateRequest = Static<typeof DeploymentCreateRequest>;

export const Deployment = Type.Object({
  id: Type.String(),
  name: Type.String(),
  host_id: Nullable(Type.String()),
  user_id: Nullable(Type.String()),
  source: Type.Union([Type.Literal('launch'), Type.Literal('compose')]),
  state: DeploymentStateSchema,
  status: DeploymentStateSchema,
  reason: Nullable(Type.String({ description: 'Why it failed, or which services are down' })),
  findings: Type.Array(DeploymentFinding),
  agent_response: Nullable(Type.Unknown()),
  created_by: Nullable(Type.String()),
  created_at: Timestamp(),
  updated_at: Timestamp(),
});
export type Deployment = Static<typeof Deployment>;

export const LaunchResponse = Type.Object({ id: Type.String(), host_id: Type.String() });
export type LaunchResponse = Static<typeof LaunchResponse>;

// --- audit --------------------------------------------------------------------------------------

export const AuditEntry = Type.Object({
  id: Type.String(),
  at: Timestamp(),
  actor: Nullable(Type.String({ description: 'E-mail of the user, host id, or null for the manager itself' })),
  actor_role: Nullable(Type.String()),
  action: Type.String(),
  target: Nullable(Type.String()),
  outcome: Type.Union([Type.Literal('ok'), Type.Literal('denied'), Type.Literal('failed')]),
  ip: Nullable(Type.String()),
  request_id: Nullable(Type.String()),
  details: Nullable(Type.Unknown()),
});
export type AuditEntry = Static<typeof AuditEntry>;

// --- events (GET /events, server-sent) ---------------------------------------------------------------

/** Each event's `event:` field is its `type`; `data:` is the whole object as JSON. */
export type ManagerEvent =
  | { type: 'host.online'; host_id: string; hostname: string; at: string }
  | { type: 'host.offline'; host_id: string; hostname: string; at: string }
  | { type: 'host.heartbeat'; host_id: string; at: string; cpu_percent: number; mem_percent: number; current_containers: number }
  | { type: 'host.registered' | 'host.updated' | 'host.deleted'; host_id: string; at: string }
  | { type: 'deployment.state'; deployment_id: string; host_id: string | null; state: DeploymentState; reason: string | null; at: string }
  | { type: 'deployment.removed'; deployment_id: string; host_id: string | null; at: string };
export type ManagerEventType = ManagerEvent['type'];

/**
 * An enrollment token: `shp1.<secret>.<CA pin>`. The secret (32 random bytes, base64url) is what
 * the manager stores hashed; the pin (SHA-256 of the manager CA, hex) lets the agent check the
 * manager before it sends the secret, so a token is all an agent needs to trust its manager.
 */
export function formatEnrollmentToken(secret: string, caSha256: string): string {
  return `shp1.${secret}.${caSha256}`;
}

export function parseEnrollmentToken(token: string): { secret: string; caSha256: string } | undefined {
  const match = /^shp1\.([A-Za-z0-9_-]{43})\.([0-9a-f]{64})$/.exec(token.trim());
  return match ? { secret: match[1]!, caSha256: match[2]! } : undefined;
}
