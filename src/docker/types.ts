import type Dockerode from 'dockerode';

/** What the engine says about the objects Shipshape works with, as dockerode's typings describe it. */
export type ContainerSummary = Dockerode.ContainerInfo;
export type ContainerInspect = Dockerode.ContainerInspectInfo;
export type ContainerStats = Dockerode.ContainerStats;
/** The body of `POST /containers/create` (the name goes in the query, not here). */
export type ContainerCreateBody = Omit<Dockerode.ContainerCreateOptions, 'name' | 'platform' | 'abortSignal' | 'HostConfig'> & {
  HostConfig?: HostConfig;
  /** `os[/arch[/variant]]` the image must match; sent in the query, not the body. */
  platform?: string;
};
export type HostConfig = Omit<Dockerode.HostConfig, 'Mounts'> & { Mounts?: Mount[]; CgroupnsMode?: string };

/** A `HostConfig.Mounts` entry; dockerode's typings make optional options mandatory. */
export interface Mount {
  Type: 'bind' | 'volume' | 'tmpfs' | 'npipe';
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; DriverConfig?: { Name?: string; Options?: Record<string, string> } };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}
export type EndpointSettings = Dockerode.EndpointSettings;
export type NetworkInspect = Dockerode.NetworkInspectInfo;
export type NetworkCreateBody = Omit<Dockerode.NetworkCreateOptions, 'abortSignal'>;
export type VolumeInspect = Dockerode.VolumeInspectInfo;
export type VolumeCreateBody = Omit<Dockerode.VolumeCreateOptions, 'abortSignal'>;
export type ImageSummary = Dockerode.ImageInfo;
export type ImageInspect = Dockerode.ImageInspectInfo;
export type EngineVersion = Dockerode.DockerVersion;

/** The part of `GET /info` Shipshape reads; the engine sends much more. */
export interface EngineInfo {
  ID: string;
  Name: string;
  ServerVersion: string;
  OperatingSystem: string;
  Architecture: string;
  NCPU: number;
  MemTotal: number;
  Containers: number;
  ContainersRunning: number;
  Images: number;
  [key: string]: unknown;
}

/** Label, name, status… filters as the list endpoints take them: each key ORs its values. */
export type ListFilters = Partial<Record<'label' | 'name' | 'status' | 'id' | 'dangling' | 'reference' | 'driver', string[]>>;

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** `GET /containers/{id}/top`: ps's column titles and one row per process. */
export interface ContainerTop {
  Titles: string[];
  Processes: string[][];
}

/** The body of `POST /containers/{id}/exec`. */
export interface ExecCreateBody {
  Cmd: string[];
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Tty?: boolean;
  Env?: string[];
  User?: string;
  WorkingDir?: string;
  Privileged?: boolean;
  DetachKeys?: string;
}

/** The part of `GET /exec/{id}/json` Shipshape reads. */
export interface ExecInspect {
  ID: string;
  Running: boolean;
  ExitCode: number | null;
  Pid: number;
  ContainerID: string;
}

/** Filters of `GET /events`: each key ORs its values, keys AND. */
export type EventFilters = Partial<Record<'type' | 'event' | 'label' | 'container' | 'image' | 'network' | 'volume', string[]>>;

/** One message of `GET /events`. */
export interface EngineEvent {
  Type: string;
  /** `start`, `die`, `health_status: healthy`, … */
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope?: string;
  time: number;
  timeNano: number;
}

/** One entry of `GET /containers/{id}/changes` (`docker diff`): Kind 0 modified, 1 added, 2 deleted. */
export interface ContainerChange {
  Path: string;
  Kind: 0 | 1 | 2;
}
