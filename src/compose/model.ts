/**
 * The typed, normalized project every other part of Shipshape reads. Field names are those of
 * the compose specification, so the model prints back as `docker compose config` does.
 */
export interface Project {
  name: string;
  /** Absolute project directory: relative paths in the files are resolved against it. */
  working_dir: string;
  /** The compose files, in merge order, absolute. */
  files: string[];
  services: Record<string, Service>;
  networks: Record<string, NetworkConfig>;
  volumes: Record<string, VolumeConfig>;
  secrets: Record<string, FileObjectConfig>;
  configs: Record<string, FileObjectConfig>;
  /** Services left out by profiles that are not active; the analyzer may still look at them. */
  disabled_services: Record<string, Service>;
  /** Top-level `x-*` extension fields. */
  extensions: Record<string, unknown>;
}

export interface PortConfig {
  mode: 'ingress' | 'host';
  host_ip?: string;
  target: number;
  published?: string;
  protocol: string;
  app_protocol?: string;
  name?: string;
}

export interface ServiceVolume {
  type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster' | 'image';
  source?: string;
  target: string;
  read_only?: boolean;
  consistency?: string;
  bind?: { propagation?: string; create_host_path?: boolean; selinux?: 'z' | 'Z' };
  volume?: { nocopy?: boolean; subpath?: string };
  tmpfs?: { size?: number | string; mode?: number };
}

export type DependencyCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface Dependency {
  condition: DependencyCondition;
  required: boolean;
  restart?: boolean;
}

export interface BuildConfig {
  context: string;
  dockerfile?: string;
  dockerfile_inline?: string;
  args?: Record<string, string | null>;
  target?: string;
  labels?: Record<string, string>;
  [key: string]: unknown;
}

export interface Healthcheck {
  test?: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  start_interval?: string;
  disable?: boolean;
}

export interface FileReference {
  source: string;
  target?: string;
  uid?: string;
  gid?: string;
  mode?: number;
}

export interface Service {
  name: string;
  image?: string;
  build?: BuildConfig;
  command?: string[] | null;
  entrypoint?: string[] | null;
  environment?: Record<string, string | null>;
  env_file?: { path: string; required: boolean; format?: string }[];
  ports?: PortConfig[];
  expose?: string[];
  volumes?: ServiceVolume[];
  networks?: Record<string, { aliases?: string[]; ipv4_address?: string; ipv6_address?: string; priority?: number } | null>;
  network_mode?: string;
  depends_on?: Record<string, Dependency>;
  healthcheck?: Healthcheck;
  restart?: string;
  user?: string;
  privileged?: boolean;
  read_only?: boolean;
  cap_add?: string[];
  cap_drop?: string[];
  security_opt?: string[];
  secrets?: FileReference[];
  configs?: FileReference[];
  labels?: Record<string, string>;
  profiles?: string[];
  deploy?: {
    replicas?: number;
    resources?: {
      limits?: { cpus?: number | string; memory?: string | number; pids?: number };
      reservations?: { cpus?: number | string; memory?: string | number };
    };
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface NetworkConfig {
  name?: string;
  driver?: string;
  internal?: boolean;
  external?: boolean;
  ipam?: { driver?: string; config?: { subnet?: string; gateway?: string }[] };
  [key: string]: unknown;
}

export interface VolumeConfig {
  name?: string;
  driver?: string;
  external?: boolean;
  [key: string]: unknown;
}

export interface FileObjectConfig {
  name?: string;
  file?: string;
  environment?: string;
  content?: string;
  external?: boolean;
  [key: string]: unknown;
}
