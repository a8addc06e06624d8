import type { Finding, Severity } from './types.js';

/** The JSON report, format version 1 (docs/architecture.md). Field names are part of the contract. */
export interface Report {
  version: 1;
  tool: { name: 'shipshape'; version: string };
  projects: ProjectReport[];
}

export interface ProjectReport {
  /** Relative to the directory analyze was given ('.' for that directory itself). */
  dir: string;
  environments: EnvironmentReport[];
}

export interface EnvironmentReport {
  name: string;
  /** Relative to the project dir. */
  files: string[];
  inventory: Inventory;
  graph: Graph;
  findings: Finding[];
  scores: Scores;
}

export type Exposure = 'external' | 'internal' | 'isolated';

export interface InventoryPort {
  host_ip: string;
  published: string | null;
  target: number;
  protocol: string;
  /** Published on a non-loopback interface. */
  external: boolean;
}

export interface InventoryVolume {
  type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster' | 'image';
  source: string | null;
  target: string;
  read_only: boolean;
  /** For binds: whether the source exists on disk; null for other types. */
  exists: boolean | null;
}

export interface InventoryService {
  name: string;
  image: string | null;
  build: { context: string; dockerfile: string; target: string | null } | null;
  ports: InventoryPort[];
  volumes: InventoryVolume[];
  networks: string[];
  network_mode: string | null;
  /** Values that look secret are masked (`***`), also inside URLs. */
  environment: Record<string, string | null>;
  healthcheck: { test: string[]; interval: string | null; [key: string]: unknown } | null;
  depends_on: Record<string, string>;
  user: string | null;
  privileged: boolean;
  read_only: boolean;
  cap_add: string[];
  cap_drop: string[];
  security_opt: string[];
  resources: { cpus: string | null; memory: string | null; pids: number | null };
  restart: string | null;
  exposure: Exposure;
  security_level: Exclude<Severity, 'info'>;
}

export interface InventoryNetwork {
  name: string;
  internal: boolean;
  driver: string;
  subnets: string[];
  external: boolean;
  services: string[];
}

export interface InventoryVolumeObject {
  name: string;
  external: boolean;
  services: string[];
}

export interface InventoryFileObject {
  name: string;
  external: boolean;
  file: string | null;
  services: string[];
}

export interface Inventory {
  services: InventoryService[];
  networks: InventoryNetwork[];
  volumes: InventoryVolumeObject[];
  secrets: InventoryFileObject[];
  configs: InventoryFileObject[];
}

export type EdgeKind = 'depends_on' | 'env-url' | 'config-file';

export interface GraphEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  port: number | null;
}

export interface Graph {
  /** Levels: each level's services can start in parallel once the previous levels are up. */
  startup_order: string[][];
  edges: GraphEdge[];
}

export interface Scores {
  overall: number;
  security: number;
  production_readiness: number;
}
