/**
 * What the manager serves for the web dashboard beyond hosts and deployments (docs/dashboard.md):
 * host metric history, a host's stacks and containers as its agent reports them, container log
 * lines, and the analysis preview of a package before it is deployed.
 */
import { Type, type Static, type TSchema } from 'typebox';
import { ContainerSummary, Finding, StackDetail } from './agent.js';
import { DeploymentCreateRequest, DeploymentFinding } from './manager.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

// --- host metrics (GET /hosts/:id/metrics, GET /hosts/metrics) ----------------------------------

/** One bucket of heartbeats: the highest figures the host reported in it. */
export const HostMetricSample = Type.Object({
  at: Type.String({ format: 'date-time', description: 'Start of the bucket' }),
  cpu_percent: Type.Number(),
  mem_percent: Type.Number(),
  disk_percent: Nullable(Type.Number()),
  containers: Type.Integer(),
});
export type HostMetricSample = Static<typeof HostMetricSample>;

export const HostMetrics = Type.Object({
  host_id: Type.String(),
  bucket_seconds: Type.Integer({ description: 'Heartbeats within one bucket are folded into one sample' }),
  samples: Type.Array(HostMetricSample, { description: 'Oldest first, at most the last hour' }),
});
export type HostMetrics = Static<typeof HostMetrics>;

export const FleetMetricsQuery = Type.Object({
  points: Type.Optional(Type.Integer({ minimum: 1, maximum: 120, default: 30, description: 'Samples per host, the newest' })),
});
export type FleetMetricsQuery = Static<typeof FleetMetricsQuery>;

/** The newest samples of every host, for the overview's sparklines. */
export const FleetMetrics = Type.Object({
  bucket_seconds: Type.Integer(),
  hosts: Type.Record(Type.String(), Type.Array(HostMetricSample)),
});
export type FleetMetrics = Static<typeof FleetMetrics>;

// --- what runs on a host (GET /hosts/:id/stacks) ------------------------------------------------

export const HostStacks = Type.Object({
  host_id: Type.String(),
  stacks: Type.Array(StackDetail),
  containers: Type.Array(ContainerSummary, { description: 'Every container on the host, stopped ones too, including those not started by an agent' }),
});
export type HostStacks = Static<typeof HostStacks>;

export const ContainerLogsQuery = Type.Object({
  follow: Type.Optional(Type.Boolean({ default: false, description: 'Keep the stream open and send new lines as they come' })),
  tail: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, default: 200 })),
});
export type ContainerLogsQuery = Static<typeof ContainerLogsQuery>;

/**
 * GET /hosts/:id/containers/:ref/logs answers server-sent events: `event: line` with a
 * {@link ContainerLogEvent} as data, and `event: end` when the container's output ends.
 */
export const ContainerLogEvent = Type.Object({
  stream: Type.Union([Type.Literal('stdout'), Type.Literal('stderr')]),
  line: Type.String(),
});
export type ContainerLogEvent = Static<typeof ContainerLogEvent>;

// --- analysis preview (POST /analyze/preview) --------------------------------------------------

export const AnalysisPreviewRequest = Type.Object(
  {
    compose: DeploymentCreateRequest.properties.compose,
    files: DeploymentCreateRequest.properties.files,
    encoding: DeploymentCreateRequest.properties.encoding,
  },
  { additionalProperties: false },
);
export type AnalysisPreviewRequest = Static<typeof AnalysisPreviewRequest>;

export const PreviewService = Type.Object({
  name: Type.String(),
  image: Nullable(Type.String()),
  ports: Type.Array(Type.String({ description: 'host_ip:published:target/protocol' })),
  exposure: Type.String({ description: 'external, internal or isolated' }),
  security_level: Type.String(),
  user: Nullable(Type.String()),
  healthcheck: Type.Boolean(),
  environment: Type.Array(Type.String({ description: 'Names only' })),
});
export type PreviewService = Static<typeof PreviewService>;

export const PreviewGraph = Type.Object({
  startup_order: Type.Array(Type.Array(Type.String())),
  edges: Type.Array(Type.Object({ from: Type.String(), to: Type.String(), kind: Type.String(), port: Nullable(Type.Integer()) })),
});
export type PreviewGraph = Static<typeof PreviewGraph>;

export const AnalysisPreview = Type.Object({
  decision: Type.Union([Type.Literal('accepted'), Type.Literal('refused')], { description: 'What POST /deployments would do with this package now' }),
  gate: Type.String({ description: "The manager's ANALYSIS_GATE" }),
  message: Nullable(Type.String({ description: 'Why it is refused' })),
  blocking: Type.Array(DeploymentFinding, { description: 'The findings that refuse it' }),
  findings: Type.Array(Finding, { description: 'Everything found, with the remote grade applied' }),
  scores: Type.Object({ overall: Type.Number(), security: Type.Number(), production_readiness: Type.Number() }),
  files: Type.Array(Type.String(), { description: 'The compose files analyzed, as the agent would run them' }),
  services: Type.Array(PreviewService),
  graph: PreviewGraph,
});
export type AnalysisPreview = Static<typeof AnalysisPreview>;
