/**
 * Fleet operations (docs/manager.md, "Fleet operations"; docs/alerts.md; docs/posture.md): what
 * agents report about what runs on their host (inventory, posture, drift), and the manager's
 * fleet API built on it (search, webhook alerts, logs, move, versions). Both sides and the
 * dashboard use these schemas and types.
 */
import { Type, type Static, type TSchema } from 'typebox';
import { Deployment } from './manager.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });

export const POSTURE_SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type PostureSeverity = (typeof POSTURE_SEVERITIES)[number];
const PostureSeveritySchema = Type.Enum(POSTURE_SEVERITIES);

// --- what an agent reports: GET /fleet/inventory on the agent --------------------------------------

/** Bounds that keep one host's report small whatever runs there (docs/posture.md). */
export const INVENTORY_LIMITS = { containers: 500, envNames: 100, ports: 50, findings: 1_000, drift: 500, text: 256 } as const;

export const FleetPort = Type.Object({
  container_port: Type.Integer({ minimum: 0, maximum: 65_535 }),
  host_port: Nullable(Type.Integer({ minimum: 0, maximum: 65_535 })),
  host_ip: Nullable(Type.String({ maxLength: 64, description: 'null or empty: every interface' })),
  protocol: Type.String({ maxLength: 8 }),
});
export type FleetPort = Static<typeof FleetPort>;

export const FleetContainer = Type.Object({
  id: Type.String({ maxLength: 128 }),
  name: Type.String({ maxLength: INVENTORY_LIMITS.text }),
  image: Type.String({ maxLength: INVENTORY_LIMITS.text }),
  state: Type.String({ maxLength: 32 }),
  health: Nullable(Type.String({ maxLength: 32 })),
  stack: Nullable(Type.String({ maxLength: INVENTORY_LIMITS.text, description: 'Compose project label' })),
  service: Nullable(Type.String({ maxLength: INVENTORY_LIMITS.text })),
  /** Deployed through this agent (its stack is one of the agent's), as opposed to started by hand. */
  managed: Type.Boolean(),
  ports: Type.Array(FleetPort, { maxItems: INVENTORY_LIMITS.ports }),
  env_names: Type.Array(Type.String({ maxLength: INVENTORY_LIMITS.text }), { maxItems: INVENTORY_LIMITS.envNames, description: 'Names only: values never leave the host' }),
  /** The engine's id of the image it runs (`sha256:…`): what image scans are kept by. */
  image_id: Type.Optional(Type.String({ maxLength: 128 })),
});
export type FleetContainer = Static<typeof FleetContainer>;

export const PostureFinding = Type.Object({
  rule: Type.String({ description: "The analyzer's rule id (docs/rules/)" }),
  severity: PostureSeveritySchema,
  container: Type.String(),
  stack: Nullable(Type.String()),
  service: Nullable(Type.String()),
  message: Type.String(),
  fix: Nullable(Type.String()),
});
export type PostureFinding = Static<typeof PostureFinding>;

export const DRIFT_KINDS = ['unmanaged', 'changed'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export const DriftItem = Type.Object({
  kind: Type.Enum(DRIFT_KINDS, {
    description: 'unmanaged: started by hand, not by a stack this agent deployed; changed: a deployed container differs from what was deployed',
  }),
  container: Type.String(),
  stack: Nullable(Type.String()),
  service: Nullable(Type.String()),
  /** What differs (`memory limit: deployed 0, running 67108864`) or why it is unmanaged. */
  details: Type.Array(Type.String({ maxLength: 512 }), { maxItems: 20 }),
});
export type DriftItem = Static<typeof DriftItem>;

// --- image scans on the agent: POST /images/scan, GET /images/scans (docs/scan.md, "On the fleet") ---

/** At most this many images are scanned per round, and reported; `refs` per image are clipped too. */
export const IMAGE_SCAN_LIMITS = { images: 200, refs: 10 } as const;

export const VulnerabilityCounts = Type.Object({
  critical: Type.Integer({ minimum: 0 }),
  high: Type.Integer({ minimum: 0 }),
  medium: Type.Integer({ minimum: 0 }),
  low: Type.Integer({ minimum: 0 }),
  info: Type.Integer({ minimum: 0 }),
});
export type VulnerabilityCounts = Static<typeof VulnerabilityCounts>;

export const ImageScanSummary = Type.Object({
  image_id: Type.String({ maxLength: 128 }),
  /** The names the host's containers use for it. */
  refs: Type.Array(Type.String({ maxLength: INVENTORY_LIMITS.text }), { maxItems: IMAGE_SCAN_LIMITS.refs }),
  scanned_at: Timestamp(),
  /** Vulnerable packages by their worst advisory's severity (a package with three advisories counts once). */
  counts: VulnerabilityCounts,
  vulnerable_packages: Type.Integer({ minimum: 0 }),
  packages: Type.Integer({ minimum: 0, description: 'Packages listed in the image' }),
  secrets: Type.Integer({ minimum: 0, description: 'Secrets found in its layers' }),
  advisories: Type.Integer({ minimum: 0, description: 'Advisories in the database it was matched against' }),
  /** Why the image could not be read; its counts are then zero. */
  error: Nullable(Type.String({ maxLength: 512 })),
});
export type ImageScanSummary = Static<typeof ImageScanSummary>;

export const ImageScanRound = Type.Object({
  id: Type.String({ maxLength: 64 }),
  trigger: Type.Enum(['request', 'schedule'] as const),
  started_at: Timestamp(),
  finished_at: Nullable(Timestamp()),
  images: Type.Integer({ minimum: 0, description: 'Images scanned in this round (the others were known already)' }),
  failed: Type.Integer({ minimum: 0 }),
  /** Why the round itself failed (the advisory database cannot be read, the engine is down). */
  error: Nullable(Type.String({ maxLength: 1024 })),
});
export type ImageScanRound = Static<typeof ImageScanRound>;

/** 202 of POST /images/scan (the agent's and the manager's `POST /hosts/:id/images/scan`). */
export const ImageScanStarted = Type.Object({ round_id: Type.String({ maxLength: 64 }), started_at: Timestamp() });
export type ImageScanStarted = Static<typeof ImageScanStarted>;

const imageScanStatus = {
  /** False when ADVISORIES_PATH is unset: the agent scans nothing. */
  enabled: Type.Boolean(),
  message: Nullable(Type.String({ maxLength: 512, description: 'Why scanning is off' })),
  interval_seconds: Type.Number({ minimum: 0, description: 'IMAGE_SCAN_INTERVAL; 0: only on request' }),
  running: Nullable(ImageScanRound),
  last_round: Nullable(ImageScanRound),
};

/** Whether an agent scans, and its rounds: in the inventory, and in the manager's vulnerability reports. */
export const ImageScanStatus = Type.Object(imageScanStatus);
export type ImageScanStatus = Static<typeof ImageScanStatus>;

export const ImageScans = Type.Object({
  ...imageScanStatus,
  images: Type.Array(ImageScanSummary, { maxItems: IMAGE_SCAN_LIMITS.images }),
});
export type ImageScans = Static<typeof ImageScans>;

export const HostInventory = Type.Object({
  collected_at: Timestamp(),
  agent_version: Type.String({ maxLength: 64 }),
  containers: Type.Array(FleetContainer, { maxItems: INVENTORY_LIMITS.containers }),
  posture: Type.Array(PostureFinding, { maxItems: INVENTORY_LIMITS.findings }),
  drift: Type.Array(DriftItem, { maxItems: INVENTORY_LIMITS.drift }),
  /** The last scan of each image the host's containers use (docs/scan.md, "On the fleet"); absent from agents that do not scan. */
  images: Type.Optional(Type.Array(ImageScanSummary, { maxItems: IMAGE_SCAN_LIMITS.images })),
  /** Whether the agent scans images, and its running and last rounds; absent from agents that predate image scans. */
  image_scan: Type.Optional(ImageScanStatus),
  /** Some containers, findings or drift were left out to stay within the bounds. */
  truncated: Type.Boolean(),
});
export type HostInventory = Static<typeof HostInventory>;

/** `GET /stacks/:name/files` on the agent: the stack's folder, for a move to another host. */
export const StackFiles = Type.Object({
  name: Type.String(),
  files: Type.Array(Type.Object({ path: Type.String(), content: Type.String({ description: 'base64' }) })),
});
export type StackFiles = Static<typeof StackFiles>;

// --- the manager's fleet API ---------------------------------------------------------------------

export const SEARCH_KINDS = ['container', 'stack', 'image', 'port', 'env'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export const SearchQuery = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 200, description: 'Case-insensitive; matches anywhere in container and stack names, images, ports ("8080", "8080/tcp", "127.0.0.1:8080") and env names' }),
    kind: Type.Optional(Type.Enum(SEARCH_KINDS)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  },
  { additionalProperties: false },
);
export type SearchQuery = Static<typeof SearchQuery>;

export const SearchHit = Type.Object({
  kind: Type.Enum(SEARCH_KINDS),
  /** What matched: the name, image, `host_ip:host_port->container_port/protocol` or env name. */
  value: Type.String(),
  host_id: Type.String(),
  hostname: Type.String(),
  container: Type.String(),
  container_id: Type.String(),
  stack: Nullable(Type.String()),
  image: Type.String(),
  state: Type.String(),
});
export type SearchHit = Static<typeof SearchHit>;

export const SearchResponse = Type.Object({
  query: Type.String(),
  hits: Type.Array(SearchHit),
  /** Matches in all; more than `hits` when the limit cut them. */
  total: Type.Integer(),
  /** Hosts whose agents have reported an inventory. */
  hosts_indexed: Type.Integer(),
  took_ms: Type.Number(),
});
export type SearchResponse = Static<typeof SearchResponse>;

export const ALERT_EVENTS = ['host.offline', 'host.online', 'deployment.failed', 'deployment.degraded', 'gate.refused', 'posture.critical'] as const;
export type AlertEventType = (typeof ALERT_EVENTS)[number];
export const AlertEventSchema = Type.Enum(ALERT_EVENTS);

export const WebhookCreateRequest = Type.Object(
  {
    url: Type.String({ minLength: 8, maxLength: 2048, description: 'http(s); where it may point is ALERT_WEBHOOK_ALLOW (docs/alerts.md)' }),
    events: Type.Array(AlertEventSchema, { minItems: 1, maxItems: ALERT_EVENTS.length, uniqueItems: true }),
    secret: Type.String({ minLength: 16, maxLength: 512, description: 'Signs every delivery (HMAC-SHA256); stored encrypted, never shown again' }),
    description: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type WebhookCreateRequest = Static<typeof WebhookCreateRequest>;

export const Webhook = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(AlertEventSchema),
  description: Nullable(Type.String()),
  created_by: Nullable(Type.String()),
  created_at: Timestamp(),
});
export type Webhook = Static<typeof Webhook>;

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const WebhookDelivery = Type.Object({
  id: Type.String(),
  webhook_id: Type.String(),
  event: AlertEventSchema,
  event_id: Type.String({ description: 'The payload id: the same event to several webhooks shares it' }),
  status: Type.Enum(DELIVERY_STATUSES, { description: 'pending: waiting for its next attempt' }),
  attempts: Type.Integer(),
  last_status: Nullable(Type.Integer({ description: 'HTTP status of the last attempt' })),
  last_error: Nullable(Type.String()),
  created_at: Timestamp(),
  next_attempt_at: Nullable(Timestamp()),
  delivered_at: Nullable(Timestamp()),
});
export type WebhookDelivery = Static<typeof WebhookDelivery>;

export const DeliveriesQuery = Type.Object(
  {
    webhook_id: Type.Optional(Type.String({ maxLength: 64 })),
    status: Type.Optional(Type.Enum(DELIVERY_STATUSES)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);
export type DeliveriesQuery = Static<typeof DeliveriesQuery>;

/**
 * The body of every delivery, signed: `X-Shipshape-Signature: sha256=<hex HMAC-SHA256 of the
 * body with the webhook's secret>`; `X-Shipshape-Event` and `X-Shipshape-Delivery` repeat `type` and `id`.
 */
export interface AlertPayload {
  id: string;
  type: AlertEventType;
  at: string;
  data: Record<string, unknown>;
}

export const DeploymentLogsQuery = Type.Object(
  {
    follow: Type.Optional(Type.Enum(['1', '0', 'true', 'false'], { description: 'Keep the stream open: 1 or true' })),
    tail: Type.Optional(Type.Integer({ minimum: 0, maximum: 5_000, default: 200 })),
  },
  { additionalProperties: false },
);
export type DeploymentLogsQuery = Static<typeof DeploymentLogsQuery>;

/** `event: log` of GET /deployments/:id/logs; `event: end` carries `{reason}` when the stream ends. */
export interface DeploymentLogEvent {
  stream: 'stdout' | 'stderr';
  line: string;
  service?: string;
  container?: string;
}

export const MoveRequest = Type.Object({ host_id: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false });
export type MoveRequest = Static<typeof MoveRequest>;

export const MoveResponse = Type.Object({
  deployment: Deployment,
  from_host_id: Type.String(),
  to_host_id: Type.String(),
  /** False when the stack runs on the target but its source agent could not take the old copy down (see warning). */
  source_removed: Type.Boolean(),
  warning: Nullable(Type.String()),
});
export type MoveResponse = Static<typeof MoveResponse>;

export const HostVersions = Type.Object({
  manager_version: Type.String(),
  versions: Type.Array(
    Type.Object({
      agent_version: Nullable(Type.String({ description: 'null: not reported yet (or a machine-lab agent)' })),
      hosts: Type.Integer(),
      online: Type.Integer(),
      host_ids: Type.Array(Type.String()),
    }),
  ),
});
export type HostVersions = Static<typeof HostVersions>;

export const PostureCounts = Type.Object({
  critical: Type.Integer(),
  high: Type.Integer(),
  medium: Type.Integer(),
  low: Type.Integer(),
  info: Type.Integer(),
  drift: Type.Integer(),
});
export type PostureCounts = Static<typeof PostureCounts>;

export const HostPosture = Type.Object({
  host_id: Type.String(),
  hostname: Type.String(),
  collected_at: Nullable(Timestamp('When its agent last reported; null: never')),
  counts: PostureCounts,
  findings: Type.Array(PostureFinding),
  drift: Type.Array(DriftItem),
  truncated: Type.Boolean(),
});
export type HostPosture = Static<typeof HostPosture>;

export const PostureSummary = Type.Object({
  host_id: Type.String(),
  hostname: Type.String(),
  collected_at: Nullable(Timestamp()),
  counts: PostureCounts,
  /** Vulnerable packages per severity over the host's scanned images; absent when its agent reported no scan. */
  vulnerabilities: Type.Optional(VulnerabilityCounts),
});
export type PostureSummary = Static<typeof PostureSummary>;

export const StackPosture = Type.Object({
  deployment_id: Type.String(),
  stack: Type.String(),
  host_id: Nullable(Type.String()),
  collected_at: Nullable(Timestamp()),
  counts: PostureCounts,
  findings: Type.Array(PostureFinding),
  drift: Type.Array(DriftItem),
});
export type StackPosture = Static<typeof StackPosture>;

// --- vulnerability counts on the manager: GET /hosts/:id/vulnerabilities, GET /deployments/:id/vulnerabilities ---

export const ImageVulnerabilities = Type.Object({
  ...ImageScanSummary.properties,
  /** The containers (of the host, or of the deployment) that run it. */
  containers: Type.Array(Type.String()),
});
export type ImageVulnerabilities = Static<typeof ImageVulnerabilities>;

const vulnerabilityReport = {
  collected_at: Nullable(Timestamp('When its agent last reported; null: never')),
  /** The host's agent: whether it scans (and why not), its running and last rounds; null: it has reported nothing about scans. */
  scanning: Nullable(ImageScanStatus),
  /** Vulnerable packages per severity, summed over the images (an image two containers run counts once). */
  counts: VulnerabilityCounts,
  vulnerable_packages: Type.Integer(),
  secrets: Type.Integer(),
  images: Type.Array(ImageVulnerabilities),
  /** Images the containers run that the agent has not scanned (yet, or scanning is off there). */
  unscanned: Type.Array(Type.Object({ image_id: Nullable(Type.String()), image: Type.String(), containers: Type.Array(Type.String()) })),
};

export const HostVulnerabilities = Type.Object({ host_id: Type.String(), hostname: Type.String(), ...vulnerabilityReport });
export type HostVulnerabilities = Static<typeof HostVulnerabilities>;

export const DeploymentVulnerabilities = Type.Object({ deployment_id: Type.String(), stack: Type.String(), host_id: Nullable(Type.String()), ...vulnerabilityReport });
export type DeploymentVulnerabilities = Static<typeof DeploymentVulnerabilities>;
