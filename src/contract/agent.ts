/**
 * The host agent's HTTP contract (docs/agent.md): request and response bodies as TypeBox
 * schemas. The agent validates and serializes with them (fields not declared here are dropped
 * from responses), its OpenAPI document is generated from them, and the manager and the web
 * dashboard use the same schemas and types to talk to agents.
 *
 * Field names are snake_case, as machine-lab's wire format is.
 */
import { Type, type Static, type TSchema } from 'typebox';
import { STACK_NAME_PATTERN, StackStatus } from './fleet.js';
/** Docker's own rule for container names; IDs (hex) fit too. */
export const CONTAINER_REF_PATTERN = '^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$';
/** `[registry[:port]/]name[:tag][@digest]`, without whitespace or control characters. */
export const IMAGE_REF_PATTERN = '^[a-zA-Z0-9][a-zA-Z0-9._/:@-]{0,254}$';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Int = (options: { minimum?: number; maximum?: number; description?: string } = {}) => Type.Integer(options);

// --- errors -----------------------------------------------------------------------------------

/** Every error of the agent's own routes (docs/architecture.md). */
export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'Stable, machine-readable: not_found, limit_reached, analysis_gate, …' }),
    message: Type.String(),
    details: Type.Optional(Type.Unknown()),
  }),
});
export type ErrorBody = Static<typeof ErrorBody>;

/** machine-lab's error shape, kept on its routes (`/agent/...`). */
export const DetailBody = Type.Object({
  detail: Type.Unknown({ description: 'A message, or for invalid bodies a list of {loc, msg, type}' }),
  findings: Type.Optional(Type.Array(Type.Unknown(), { description: 'When the analysis gate refused the deploy' })),
});
export type DetailBody = Static<typeof DetailBody>;

// --- health ----------------------------------------------------------------------

export const HealthResponse = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  docker_ok: Type.Boolean(),
  reason: Type.Optional(Type.String({ description: 'Why the Docker engine cannot be used' })),
  agent_version: Type.String(),
  uptime_seconds: Int({ minimum: 0, description: "The agent's" }),
});
export type HealthResponse = Static<typeof HealthResponse>;

// Heartbeats are in fleet.ts: the manager reads them with the same schema.

// --- system -------------------------------------------------------------------------------------

export const Limits = Type.Object({
  max_containers: Nullable(Int()),
  max_cpu_percent: Nullable(Type.Number()),
  max_memory_percent: Nullable(Type.Number()),
});
export type Limits = Static<typeof Limits>;

export const SystemInfo = Type.Object({
  host_id: Nullable(Type.String()),
  hostname: Type.String(),
  agent_version: Type.String(),
  node_version: Type.String(),
  platform: Type.String(),
  arch: Type.String(),
  cpus: Int(),
  memory_bytes: Int(),
  uptime_seconds: Int({ description: "The host's" }),
  agent_uptime_seconds: Int(),
  docker: Type.Object({
    ok: Type.Boolean(),
    reason: Type.Optional(Type.String()),
    version: Type.Optional(Type.String()),
    api_version: Type.Optional(Type.String()),
    root_dir: Type.Optional(Type.String()),
    storage_driver: Type.Optional(Type.String()),
    operating_system: Type.Optional(Type.String()),
    containers: Type.Optional(Int()),
    images: Type.Optional(Int()),
  }),
  limits: Limits,
  analysis_gate: Type.String(),
  heartbeat: Type.Object({
    enabled: Type.Boolean(),
    interval_seconds: Type.Number(),
    consecutive_failures: Int(),
    last_success_at: Nullable(Type.String({ format: 'date-time' })),
    last_error: Nullable(Type.String()),
  }),
});
export type SystemInfo = Static<typeof SystemInfo>;

export const ContainerCounts = Type.Object({
  total: Int(),
  running: Int(),
  paused: Int(),
  restarting: Int(),
  created: Int(),
  exited: Int(),
  dead: Int(),
});
export type ContainerCounts = Static<typeof ContainerCounts>;

export const SystemResources = Type.Object({
  cpu_percent: Type.Number(),
  memory: Type.Object({ total_bytes: Int(), used_bytes: Int(), available_bytes: Int(), percent: Type.Number() }),
  disk: Nullable(Type.Object({ path: Type.String(), total_bytes: Int(), used_bytes: Int(), free_bytes: Int(), percent: Type.Number() })),
  load: Type.Object({ one: Type.Number(), five: Type.Number(), fifteen: Type.Number() }),
  containers: Nullable(ContainerCounts),
  stacks: Int(),
  docker_ok: Type.Boolean(),
  limits: Limits,
});
export type SystemResources = Static<typeof SystemResources>;

// --- containers ---------------------------------------------------------------------------------

export const PortBinding = Type.Object({
  container_port: Int({ minimum: 1, maximum: 65_535 }),
  host_port: Type.Optional(Int({ minimum: 0, maximum: 65_535, description: '0 or absent: any free port' })),
  host_ip: Type.Optional(Type.String({ description: 'Default 0.0.0.0 (all interfaces), as docker run -p' })),
  protocol: Type.Optional(Type.Union([Type.Literal('tcp'), Type.Literal('udp'), Type.Literal('sctp')])),
});
export type PortBinding = Static<typeof PortBinding>;

export const ContainerSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  image: Type.String(),
  state: Type.String({ description: 'created, running, paused, restarting, exited, dead' }),
  status: Type.String({ description: "Docker's human-readable status, e.g. \"Up 5 minutes\"" }),
  created: Type.String({ format: 'date-time' }),
  stack: Nullable(Type.String({ description: 'Compose project, when the container belongs to one' })),
  service: Nullable(Type.String()),
  ports: Type.Array(PortBinding),
  labels: Type.Record(Type.String(), Type.String()),
});
export type ContainerSummary = Static<typeof ContainerSummary>;

export const ContainerCreateRequest = Type.Object(
  {
    image: Type.String({ minLength: 1, maxLength: 255 }),
    name: Type.Optional(Type.String({ pattern: CONTAINER_REF_PATTERN })),
    command: Type.Optional(Type.Array(Type.String(), { maxItems: 256 })),
    entrypoint: Type.Optional(Type.Array(Type.String(), { maxItems: 256 })),
    env: Type.Optional(Type.Record(Type.String({ pattern: '^[^=\\x00]+$' }), Type.String())),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
    ports: Type.Optional(Type.Array(PortBinding, { maxItems: 256 })),
    restart: Type.Optional(
      Type.Union([Type.Literal('no'), Type.Literal('always'), Type.Literal('unless-stopped'), Type.Literal('on-failure')]),
    ),
    memory_bytes: Type.Optional(Int({ minimum: 6 * 2 ** 20, description: 'Memory limit' })),
    cpus: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1024 })),
    working_dir: Type.Optional(Type.String({ pattern: '^/' })),
    user: Type.Optional(Type.String({ maxLength: 128 })),
    start: Type.Optional(Type.Boolean({ default: true, description: 'Start it once created (default true)' })),
  },
  {
    additionalProperties: false,
    description:
      'A single container. Deliberately no host mounts, privileges, capabilities or host namespaces: ' +
      'deploy a stack for those, which the analysis gate reviews first.',
  },
);
export type ContainerCreateRequest = Static<typeof ContainerCreateRequest>;

export const ContainerCreated = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: Type.Union([Type.Literal('created'), Type.Literal('running')]),
  warnings: Type.Array(Type.String()),
});
export type ContainerCreated = Static<typeof ContainerCreated>;

export const ContainerDetail = Type.Object({
  id: Type.String(),
  name: Type.String(),
  image: Type.String(),
  image_id: Type.String(),
  created: Type.String({ format: 'date-time' }),
  state: Type.Object({
    status: Type.String(),
    running: Type.Boolean(),
    exit_code: Int(),
    started_at: Nullable(Type.String()),
    finished_at: Nullable(Type.String()),
    health: Nullable(Type.String()),
    error: Nullable(Type.String()),
  }),
  restart_count: Int(),
  command: Type.Array(Type.String()),
  stack: Nullable(Type.String()),
  service: Nullable(Type.String()),
  ports: Type.Array(PortBinding),
  mounts: Type.Array(Type.Object({ type: Type.String(), source: Type.String(), destination: Type.String(), read_only: Type.Boolean() })),
  networks: Type.Array(Type.String()),
  labels: Type.Record(Type.String(), Type.String()),
});
export type ContainerDetail = Static<typeof ContainerDetail>;

export const ContainerAction = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('started'), Type.Literal('stopped'), Type.Literal('restarted'), Type.Literal('removed')]),
});
export type ContainerAction = Static<typeof ContainerAction>;

export const ContainerStats = Type.Object({
  id: Type.String(),
  read_at: Type.String(),
  cpu_percent: Type.Number({ description: 'Of one core; 200 means two cores busy, as docker stats' }),
  memory: Type.Object({ usage_bytes: Int(), limit_bytes: Int(), percent: Type.Number() }),
  network: Type.Object({ rx_bytes: Int(), tx_bytes: Int() }),
  block_io: Type.Object({ read_bytes: Int(), write_bytes: Int() }),
  pids: Int(),
});
export type ContainerStats = Static<typeof ContainerStats>;

export const LogsQuery = Type.Object({
  follow: Type.Optional(Type.Boolean({ default: false })),
  tail: Type.Optional(Int({ minimum: 0, description: 'Lines from the end; absent: all' })),
  since: Type.Optional(Type.String({ description: 'Unix seconds or an RFC 3339 time' })),
  timestamps: Type.Optional(Type.Boolean({ default: false })),
});
export type LogsQuery = Static<typeof LogsQuery>;

/** One line of output, as the NDJSON log streams (`Accept: application/x-ndjson`) carry it. */
export const LogLine = Type.Object({
  stream: Type.Union([Type.Literal('stdout'), Type.Literal('stderr')]),
  line: Type.String(),
  service: Type.Optional(Type.String()),
  container: Type.Optional(Type.String()),
});
export type LogLine = Static<typeof LogLine>;

// --- stacks -------------------------------------------------------------------------------------

export const StackFile = Type.Object({
  path: Type.String({ minLength: 1, maxLength: 4096, description: 'Relative to the stack folder; no "..", not absolute' }),
  content: Type.String(),
  encoding: Type.Optional(Type.Union([Type.Literal('utf8'), Type.Literal('base64')], { default: 'utf8' })),
});
export type StackFile = Static<typeof StackFile>;

export const StackDeployRequest = Type.Object(
  {
    name: Type.String({ pattern: STACK_NAME_PATTERN }),
    compose: Type.Optional(Type.String({ minLength: 1, description: 'compose.yaml, as text' })),
    files: Type.Optional(Type.Array(StackFile, { maxItems: 10_000, description: 'Files next to compose.yaml (Dockerfiles, configs, .env)' })),
    package_id: Type.Optional(Type.String({ pattern: '^[a-f0-9]{32}$', description: 'A package uploaded with POST /files' })),
  },
  { additionalProperties: false, description: 'Either compose (plus files) or package_id.' },
);
export type StackDeployRequest = Static<typeof StackDeployRequest>;

export const Finding = Type.Object({
  rule: Type.String(),
  severity: Type.Union([Type.Literal('critical'), Type.Literal('high'), Type.Literal('medium'), Type.Literal('low'), Type.Literal('info')]),
  service: Nullable(Type.String()),
  file: Type.String(),
  line: Int(),
  column: Int(),
  message: Type.String(),
  fix: Nullable(Type.String()),
});
export type Finding = Static<typeof Finding>;

export const StackService = Type.Object({
  name: Type.String(),
  containers: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), state: Type.String(), status: Type.String(), health: Nullable(Type.String()) }),
  ),
});
export type StackService = Static<typeof StackService>;


export const StackSummary = Type.Object({
  name: Type.String(),
  status: StackStatus,
  reason: Nullable(Type.String({ description: 'Which services are down, when it is degraded or stopped' })),
  source: Type.Union([Type.Literal('compose'), Type.Literal('package'), Type.Literal('machine-lab'), Type.Literal('adopted')], {
    description: '`adopted`: found on start by its compose labels or its folder, without a record (docs/agent.md, "The journal")',
  }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  containers: Type.Object({ running: Int(), total: Int() }),
});
export type StackSummary = Static<typeof StackSummary>;

export const StackDetail = Type.Object({
  ...StackSummary.properties,
  services: Type.Array(StackService),
  findings: Type.Array(Finding, { description: 'What the analysis found below the gate at the last deploy' }),
});
export type StackDetail = Static<typeof StackDetail>;

export const StackAction = Type.Object({
  name: Type.String(),
  status: Type.Union([Type.Literal('restarted'), Type.Literal('removed')]),
});
export type StackAction = Static<typeof StackAction>;

/** One line of a streamed long operation (deploy, pull) with `Accept: application/x-ndjson`. */
export const ProgressEvent = Type.Union([
  Type.Object({ type: Type.Literal('progress'), message: Type.String(), service: Type.Optional(Type.String()) }),
  Type.Object({ type: Type.Literal('result'), status: Int(), body: Type.Unknown() }),
  Type.Object({ type: Type.Literal('error'), status: Int(), body: Type.Unknown() }),
]);
export type ProgressEvent = Static<typeof ProgressEvent>;

// --- images -------------------------------------------------------------------------------------

export const ImageSummary = Type.Object({
  id: Type.String(),
  tags: Type.Array(Type.String()),
  size_bytes: Int(),
  created: Type.String({ format: 'date-time' }),
});
export type ImageSummary = Static<typeof ImageSummary>;

export const ImagePullRequest = Type.Object(
  { image: Type.String({ pattern: IMAGE_REF_PATTERN }) },
  { additionalProperties: false },
);
export type ImagePullRequest = Static<typeof ImagePullRequest>;

export const ImagePulled = Type.Object({ image: Type.String(), id: Type.String(), status: Type.Literal('pulled') });
export type ImagePulled = Static<typeof ImagePulled>;

// --- packages -----------------------------------------------------------------------------------

export const PackageUploaded = Type.Object({
  id: Type.String({ description: 'Pass it as package_id to POST /stacks' }),
  format: Type.Union([Type.Literal('zip'), Type.Literal('tar'), Type.Literal('tar.gz')]),
  files: Int(),
  directories: Int(),
  links: Int(),
  bytes: Int({ description: 'Unpacked size of the files' }),
  archive_bytes: Int(),
  expires_at: Type.String({ format: 'date-time', description: 'Removed then if no stack was deployed from it' }),
});
export type PackageUploaded = Static<typeof PackageUploaded>;

// --- machine-lab wire compatibility ----------------------------------------------------------------

export const CompatContainerInfo = Type.Object({ id: Type.String(), name: Type.String(), image: Type.String(), status: Type.String() });
export type CompatContainerInfo = Static<typeof CompatContainerInfo>;

export const CompatStartRequest = Type.Object({
  name: Type.String({ pattern: STACK_NAME_PATTERN }),
  docker_zip_base64: Type.String({ minLength: 1 }),
  vpn_conf_base64: Type.String(),
});
export type CompatStartRequest = Static<typeof CompatStartRequest>;

export const CompatAction = Type.Object({ name: Type.String(), status: Type.String() });
export type CompatAction = Static<typeof CompatAction>;

export const CompatHealth = Type.Object({
  uptime_seconds: Int(),
  running_containers: Int(),
  mem_percent: Type.Number(),
  cpu_percent: Type.Number(),
});
export type CompatHealth = Static<typeof CompatHealth>;
