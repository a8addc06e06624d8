import { LOG_LEVELS, parseAllowedHostPaths, parseAllowRules, parseSwitch, type LogLevel } from '../settings/index.js';
import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { Severity } from '../analyze/index.js';

/** Pino's levels, which `LOG_LEVEL` also accepts in Python's spelling (`INFO`, `WARNING`, …). */
export type AnalysisGate = Severity | 'never';

/** Everything the agent reads from its environment (docs/agent.md), validated and typed. */
export interface AgentConfig {
  /** Where heartbeats go; without it the agent runs on its own and sends none. */
  managerUrl: string | undefined;
  hostId: string | undefined;
  /** The key callers must present; the manager issued it when the host was registered. Empty for an enrolled agent, whose key is in WORK_DIR. */
  serverKey: string;
  /**
   * Accepted for compatibility with machine-lab's `.env` files and otherwise unused: machine-lab
   * let in any token signed with this secret, so one leaked host key opened every host.
   */
  jwtSecret: string | undefined;
  /** A DOCKER_HOST-style address of the engine. */
  dockerHost: string;
  /** Seconds between heartbeats. */
  heartbeatInterval: number;
  apiPort: number;
  apiHost: string;
  maxContainers: number | undefined;
  maxCpuPercent: number | undefined;
  maxMemoryPercent: number | undefined;
  logLevel: LogLevel;
  /** Absolute; stacks, uploaded packages and the agent's state live below it. */
  workDir: string;
  /** Findings at or above this severity refuse a deploy (the remote-deploy policy refuses more: docs/security.md). */
  analysisGate: AnalysisGate;
  /** Host path prefixes a stack may reach (binds, files): the operator's ALLOWED_HOST_PATHS. */
  allowedHostPaths: string[];
  /** Rules whose findings never refuse a deploy: the operator's GATE_ALLOW_RULES. */
  gateAllowRules: string[];
  /** The operator's analyzer config (`rules:` re-grades or turns off rules) for the gate; none by default. */
  analysisConfig: string | undefined;
  packageLimits: PackageLimits;
  /** Plain HTTP on an address other machines reach is allowed (`--insecure`, INSECURE_HTTP). */
  insecure: boolean;
  /** Refused requests a source may make per window before it is answered 429; 0: no limit. */
  refusalLimit: number;
  /** Seconds: the refusal limit's window, and how often refusals are summarized in the log. */
  refusalWindow: number;
  /** An OSV advisory folder or ZIP on this host; unset: the agent scans no image (docs/scan.md, "On the fleet"). */
  advisoriesPath: string | undefined;
  /** Seconds between scheduled image scan rounds; 0: only on request. */
  imageScanInterval: number;
}

/** What an uploaded package may hold (docs/agent.md, "Packages"). */
export interface PackageLimits {
  /** Size of the archive itself. */
  maxArchiveBytes: number;
  /** Sum of the sizes of the files it unpacks to. */
  maxExpandedBytes: number;
  /** Files, folders and links. */
  maxEntries: number;
  /** Unpacked size over archive size, checked once the unpacked size passes 1 MiB. */
  maxRatio: number;
}

export interface ConfigProblem {
  variable: string;
  message: string;
}

export type ConfigResult = { ok: true; config: AgentConfig } | { ok: false; problems: ConfigProblem[] };

export const DEFAULT_PACKAGE_LIMITS: PackageLimits = {
  maxArchiveBytes: 100 * 2 ** 20,
  maxExpandedBytes: 512 * 2 ** 20,
  maxEntries: 10_000,
  maxRatio: 200,
};


const MIN_SERVER_KEY_LENGTH = 16;

/** The analyzer's severities, most severe first, and `never`; written out so that reading the config does not load the analyzer. */
const GATES = ['critical', 'high', 'medium', 'low', 'info', 'never'] as const satisfies readonly AnalysisGate[];

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the agent's configuration from `env`. Every problem names its variable; all of them are
 * reported at once so one restart fixes them all. An empty value counts as unset, as in `.env`
 * files where `MAX_CONTAINERS=` is common.
 */
export function parseAgentConfig(env: Env, options: { enrolled?: boolean } = {}): ConfigResult {
  const problems: ConfigProblem[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const problem = (variable: string, message: string) => {
    problems.push({ variable, message: `${variable} ${message}` });
    return undefined;
  };

  // An enrolled agent's key, manager and host id are in WORK_DIR (docs/agent.md, "Enrollment").
  const serverKey = options.enrolled ? '' : (env.SERVER_KEY ?? '');
  if (options.enrolled) {
    // Nothing to check.
  } else if (serverKey.trim() === '') {
    problem('SERVER_KEY', 'is required: the key the manager gave this host when it was registered');
  } else if (serverKey.length < MIN_SERVER_KEY_LENGTH) {
    problem('SERVER_KEY', `must be at least ${MIN_SERVER_KEY_LENGTH} characters long`);
  }

  const managerUrl = options.enrolled ? undefined : get('MANAGER_URL');
  if (managerUrl !== undefined && !isHttpUrl(managerUrl)) problem('MANAGER_URL', `must be an http:// or https:// URL, not "${managerUrl}"`);
  const hostId = options.enrolled ? undefined : get('HOST_ID');
  if (managerUrl !== undefined && hostId === undefined) problem('HOST_ID', 'is required when MANAGER_URL is set: heartbeats go to /hosts/{HOST_ID}/heartbeat');
  if (hostId !== undefined && !/^[A-Za-z0-9._~-]{1,128}$/.test(hostId)) problem('HOST_ID', 'may hold only letters, digits, ".", "_", "~" and "-"');

  const dockerHost = get('DOCKER_SOCKET') ?? 'unix:///var/run/docker.sock';
  const dockerProblem = dockerHostProblem(dockerHost);
  if (dockerProblem) problem('DOCKER_SOCKET', dockerProblem);

  const heartbeatInterval = number(get('HEARTBEAT_INTERVAL'), 10, 'HEARTBEAT_INTERVAL', { min: 0.1, max: 86_400 }, problem);
  const apiPort = number(get('API_PORT'), 8003, 'API_PORT', { min: 0, max: 65_535, integer: true }, problem);
  const apiHost = get('API_HOST') ?? '0.0.0.0';
  const maxContainers = number(get('MAX_CONTAINERS'), undefined, 'MAX_CONTAINERS', { min: 1, max: 1_000_000, integer: true }, problem);
  const maxCpuPercent = number(get('MAX_CPU_PERCENT'), undefined, 'MAX_CPU_PERCENT', { min: 1, max: 100 }, problem);
  const maxMemoryPercent = number(get('MAX_MEMORY_PERCENT'), undefined, 'MAX_MEMORY_PERCENT', { min: 1, max: 100 }, problem);

  const levelName = get('LOG_LEVEL')?.toLowerCase() ?? 'info';
  const logLevel = LOG_LEVELS[levelName];
  if (!logLevel) problem('LOG_LEVEL', `must be one of ${Object.keys(LOG_LEVELS).join(', ')}, not "${get('LOG_LEVEL')}"`);

  const workDirValue = get('WORK_DIR') ?? defaultWorkDir(env);
  if (!isAbsolute(workDirValue)) problem('WORK_DIR', `must be an absolute path, not "${workDirValue}"`);

  const gateValue = get('ANALYSIS_GATE')?.toLowerCase() ?? 'high';
  if (!(GATES as readonly string[]).includes(gateValue)) problem('ANALYSIS_GATE', `must be one of ${GATES.join(', ')}, not "${get('ANALYSIS_GATE')}"`);
  const allowedHostPaths = parseAllowedHostPaths(get('ALLOWED_HOST_PATHS'), problem);
  const gateAllowRules = parseAllowRules(get('GATE_ALLOW_RULES'), problem);

  const analysisConfig = get('ANALYSIS_CONFIG');
  if (analysisConfig !== undefined && !isAbsolute(analysisConfig)) problem('ANALYSIS_CONFIG', `must be an absolute path, not "${analysisConfig}"`);
  else if (analysisConfig !== undefined && !isReadableFile(analysisConfig)) problem('ANALYSIS_CONFIG', `names no readable file: ${analysisConfig}`);

  const mib = 2 ** 20;
  const packageLimits: PackageLimits = {
    maxArchiveBytes: mib * (number(get('PACKAGE_MAX_MB'), DEFAULT_PACKAGE_LIMITS.maxArchiveBytes / mib, 'PACKAGE_MAX_MB', { min: 0.001, max: 65_536 }, problem) ?? 0),
    maxExpandedBytes:
      mib * (number(get('PACKAGE_MAX_EXPANDED_MB'), DEFAULT_PACKAGE_LIMITS.maxExpandedBytes / mib, 'PACKAGE_MAX_EXPANDED_MB', { min: 0.001, max: 1_048_576 }, problem) ?? 0),
    maxEntries: number(get('PACKAGE_MAX_FILES'), DEFAULT_PACKAGE_LIMITS.maxEntries, 'PACKAGE_MAX_FILES', { min: 1, max: 10_000_000, integer: true }, problem) ?? 0,
    maxRatio: number(get('PACKAGE_MAX_RATIO'), DEFAULT_PACKAGE_LIMITS.maxRatio, 'PACKAGE_MAX_RATIO', { min: 1, max: 1_000_000 }, problem) ?? 0,
  };

  const insecure = parseSwitch(get('INSECURE_HTTP') ?? 'false');
  if (insecure === undefined) problem('INSECURE_HTTP', `must be true or false, not "${get('INSECURE_HTTP')}"`);
  const refusalLimit = number(get('REFUSAL_LIMIT'), 100, 'REFUSAL_LIMIT', { min: 0, max: 1_000_000, integer: true }, problem);
  const refusalWindow = number(get('REFUSAL_WINDOW'), 60, 'REFUSAL_WINDOW', { min: 1, max: 86_400 }, problem);

  const advisoriesPath = get('ADVISORIES_PATH');
  if (advisoriesPath !== undefined && !isAbsolute(advisoriesPath)) problem('ADVISORIES_PATH', `must be an absolute path (an OSV folder or ZIP), not "${advisoriesPath}"`);
  const imageScanInterval = duration(get('IMAGE_SCAN_INTERVAL'), 86_400, 'IMAGE_SCAN_INTERVAL', problem);

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: {
      managerUrl: managerUrl?.replace(/\/+$/, ''),
      hostId,
      serverKey,
      jwtSecret: get('JWT_SECRET'),
      dockerHost: normalizeDockerHost(dockerHost),
      heartbeatInterval: heartbeatInterval!,
      apiPort: apiPort!,
      apiHost,
      maxContainers,
      maxCpuPercent,
      maxMemoryPercent,
      logLevel: logLevel!,
      workDir: resolve(workDirValue),
      analysisGate: gateValue as AnalysisGate,
      allowedHostPaths,
      gateAllowRules,
      analysisConfig,
      packageLimits,
      insecure: insecure ?? false,
      refusalLimit: refusalLimit!,
      refusalWindow: refusalWindow!,
      advisoriesPath,
      imageScanInterval: imageScanInterval!,
    },
  };
}


/** Root keeps its state where services do; anyone else in their home. */
function defaultWorkDir(env: Env): string {
  if (process.getuid?.() === 0) return '/var/lib/shipshape/agent';
  const dataHome = env.XDG_DATA_HOME?.trim();
  return join(dataHome && isAbsolute(dataHome) ? dataHome : join(homedir(), '.local', 'share'), 'shipshape', 'agent');
}

function number(
  raw: string | undefined,
  fallback: number | undefined,
  variable: string,
  bounds: { min: number; max: number; integer?: boolean },
  problem: (variable: string, message: string) => undefined,
): number | undefined {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  const kind = bounds.integer ? 'an integer' : 'a number';
  if (!Number.isFinite(value) || (bounds.integer && !Number.isInteger(value))) {
    return problem(variable, `must be ${kind} between ${bounds.min} and ${bounds.max}, not "${raw}"`);
  }
  if (value < bounds.min || value > bounds.max) return problem(variable, `must be ${kind} between ${bounds.min} and ${bounds.max}, not ${raw}`);
  return value;
}

/** Seconds, or a number with a unit: `90s`, `30m`, `24h`, `7d`; 0 turns the schedule off. At most 30 days. */
function duration(raw: string | undefined, fallback: number, variable: string, problem: (variable: string, message: string) => undefined): number | undefined {
  if (raw === undefined) return fallback;
  const match = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/i.exec(raw);
  const unit = { '': 1, s: 1, m: 60, h: 3_600, d: 86_400 }[(match?.[2] ?? '').toLowerCase() as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = match ? Number(match[1]) * unit : NaN;
  if (!Number.isFinite(seconds) || seconds > 30 * 86_400 || (seconds > 0 && seconds < 60)) {
    return problem(variable, `must be 0 (only on request) or a duration from 60s to 30d such as 3600, 30m, 24h or 7d, not "${raw}"`);
  }
  return seconds;
}

function isReadableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** A bare socket path is what people often write; it means the same as `unix://` plus the path. */
function normalizeDockerHost(value: string): string {
  return value.startsWith('/') ? `unix://${value}` : value;
}

function dockerHostProblem(value: string): string | undefined {
  if (value.startsWith('/')) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be unix:///path/to/docker.sock or tcp://host:port, not "${value}"`;
  }
  if (url.protocol === 'unix:') return url.pathname ? undefined : `names no socket path: "${value}"`;
  if (url.protocol === 'tcp:' || url.protocol === 'http:') return url.hostname ? undefined : `names no host: "${value}"`;
  return `must be unix:///path/to/docker.sock or tcp://host:port, not "${value}" (ssh:// and TLS engines are not supported)`;
}

export { mergeDotenv, type LogLevel } from '../settings/index.js';
