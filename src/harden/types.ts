import type { PortConfig, Position, Project, ServiceVolume } from '../compose/index.js';
import type { Finding } from '../analyze/index.js';

/** The hardenings `shipshape harden` writes, one name each (docs/harden.md). */
export type HardeningKind =
  | 'no-new-privileges'
  | 'capabilities'
  | 'read-only'
  | 'user'
  | 'limits'
  | 'log-rotation'
  | 'restart'
  | 'healthcheck'
  | 'ports'
  | 'networks'
  | 'secrets';

/** Why a change is in the overlay: the findings it fixes (rule ids) and a note for its comment. */
export interface Because {
  rules: string[];
  note: string;
}

/** What harden knows about a service's image: from the analyzer's facts and, when it can ask, the engine. */
export interface ImageInfo {
  /** The user it runs as without `user:`; undefined when unknown. */
  user?: { name: string; root: boolean };
  /** Its entrypoint starts as root and switches to an unprivileged user. */
  dropsPrivileges: boolean;
  /** Whether it declares a HEALTHCHECK; undefined when unknown. */
  healthcheck?: boolean;
  /** Probe programs it holds (a tool left out is unknown). */
  tools: Partial<Record<'sh' | 'wget' | 'curl' | 'nc', boolean>>;
  /** Container ports the image declares (EXPOSE). */
  exposedPorts: number[];
  /** An unprivileged `uid:gid` the image can run as. */
  unprivilegedUser?: string;
  /** Variables whose value its entrypoint also reads from `<NAME>_FILE` ('all': any, the `file_env` convention). */
  fileVariables: 'all' | ReadonlySet<string>;
}

export interface ServicePlan {
  name: string;
  noNewPrivileges?: Because;
  capabilities?: Because & { add: string[] };
  readOnly?: Because & { tmpfs: string[] };
  user?: Because & { user: string };
  limits?: Because & { memory: string; cpus: string; pids: number; measured: boolean };
  logRotation?: Because;
  restart?: Because & { policy: string };
  healthcheck?: Because & { test: string[] };
  /** The whole `ports` list, rewritten (written with `!override`). */
  ports?: Because & { ports: PortConfig[] };
  /** Networks the service is on after hardening; `replace` drops the others (`!override`). */
  networks?: Because & { networks: string[]; replace: boolean };
  secrets?: Because & {
    /** Environment keys removed (`!reset`). */
    removeEnvironment: string[];
    /** Environment values set: `KEY_FILE: /run/secrets/name`, or `KEY: ${VAR:?…}`. */
    setEnvironment: Record<string, string>;
    /** Secrets given to the service. */
    refs: { source: string; target?: string }[];
    /** The whole `volumes` list when a bind mount became a secret (written with `!override`). */
    volumes?: ServiceVolume[];
  };
  /** Hardenings left out, with the reason (shown in the report and the overlay's header). */
  skipped: { kind: HardeningKind; reason: string }[];
}

export interface HardenPlan {
  services: Record<string, ServicePlan>;
  /** Top-level networks the overlay declares or makes internal again. */
  networks: Record<string, Because & { internal: true }>;
  /** Top-level secrets the overlay declares; `file` relative to the project directory. */
  secrets: Record<string, Because & { file: string }>;
  /** Variables the overlay now requires (no default): they must be set in `.env` or the environment. */
  requiredVariables: string[];
}

/** What the planner reads: the environment's merged model, its base when it is an overlay, its findings and image facts. */
export interface HardenInput {
  /** The project directory: findings name their files relative to it. */
  dir: string;
  project: Project;
  /** Where a model path was written (the loader's source map). */
  positionOf: (path: readonly (string | number)[]) => Position | undefined;
  /** Reads a file of the project (the raw text of an environment value); undefined when unreadable. */
  readText: (file: string) => string | undefined;
  /** The base environment's model, when the hardened environment is an overlay of it (dev, prod). */
  base?: Project;
  findings: readonly Finding[];
  images: ReadonlyMap<string, ImageInfo>;
}
