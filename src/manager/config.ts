import { existsSync } from 'node:fs';
import { isLoopbackAddress, LOG_LEVELS, parseAllowedHostPaths, parseAllowRules, parseSwitch, type LogLevel } from '../settings/index.js';
import { parseFleetConfig, type FleetConfig } from './fleet/config.js';
import { DEFAULT_GATE, GATE_THRESHOLDS, RULES, type GateThreshold } from '../analyze/index.js';

export type DeployGate = GateThreshold;

/** Everything the manager reads from its environment (docs/manager.md), typed. */
export interface ManagerConfig {
  port: number;
  /** Interface to listen on. */
  listenHost: string;
  /** `sqlite:<path>`, `sqlite::memory:` or `postgres://…`. */
  databaseUrl: string;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  /** Signs admin and server keys; stored in the database when not given, so it survives restarts. */
  jwtSecret: string | undefined;
  /** Seconds without a heartbeat before a host is offline. */
  offlineAfter: number;
  /** Seconds between two offline checks. */
  monitorInterval: number;
  logLevel: LogLevel;
  /** Seconds an admin key stays valid; 0: until rotated or revoked. */
  adminKeyTtl: number;
  /** Failed logins per account and client address before they back off, and the longest wait (seconds). */
  loginMaxFailures: number;
  loginLockSeconds: number;
  /** Requests to /auth/login per client address and minute. */
  loginRateLimit: number;
  /** Findings at or above this severity refuse a deployment before it is placed (ANALYSIS_GATE). */
  deployGate: DeployGate;
  /** Host path prefixes a stack may reach: ALLOWED_HOST_PATHS (docs/security.md). */
  allowedHostPaths: string[];
  /** Rules whose findings never refuse a deployment: GATE_ALLOW_RULES. */
  gateAllowRules: string[];
  maxPackageBytes: number;
  /** What a package may unpack to, in all, and that over its own size (once past 1 MiB). */
  maxPackageExpandedBytes: number;
  maxPackageRatio: number;
  /** Seconds the manager waits for an agent to deploy a stack. */
  agentTimeout: number;
  /** Behind a reverse proxy: trust X-Forwarded-For for client addresses (audit, rate limits). */
  trustProxy: boolean;
  /** HTTPS: `on`, `off`, or `auto` (on unless the listen address is loopback). */
  tls: 'auto' | 'on' | 'off';
  /** Plain HTTP on an address other machines reach is allowed (`--insecure`, INSECURE_HTTP). */
  insecure: boolean;
  /** Names and addresses agents use to reach the manager, for its server certificate. */
  tlsNames: string[];
  /** The operator's CA certificate and key (PEM files) instead of the manager's own. */
  tlsCaCert: string | undefined;
  tlsCaKey: string | undefined;
  /** Event streams (GET /events) one user may have open at once. */
  eventStreamsPerUser: number;
  /** Audit entries older than this many days are removed; 0: kept forever. */
  auditRetentionDays: number;
  /** At most this many audit entries are kept (the oldest go first); 0: no cap. */
  auditMaxEntries: number;
  /** Refused or failed actions recorded per actor (or client address) and minute; the rest are counted in one entry. */
  auditRateLimit: number;
  /** Refused requests a source may make per window before it is answered 429; 0: no limit. */
  refusalLimit: number;
  /** Seconds: the refusal limit's window, and how often refusals are summarized in the log. */
  refusalWindow: number;
  /** Inventories, alerts, moves (docs/manager.md, "Fleet operations"). */
  fleet: FleetConfig;
}

/** Whether the manager serves HTTPS: TLS=on, or TLS=auto on an address other machines reach. */
export function servesTls(config: Pick<ManagerConfig, 'tls' | 'listenHost'>): boolean {
  return config.tls === 'on' || (config.tls === 'auto' && !isLoopbackAddress(config.listenHost));
}

export interface ConfigProblem {
  variable: string;
  message: string;
}

export type ConfigResult = { ok: true; config: ManagerConfig } | { ok: false; problems: ConfigProblem[] };

type Env = Readonly<Record<string, string | undefined>>;


export const DEFAULT_DATABASE_URL = 'sqlite:./data/shipshape.db';
const MIN_JWT_SECRET_LENGTH = 32;
const MIN_PASSWORD_LENGTH = 8;

/**
 * Reads the manager's configuration from `env`. Every problem names its variable and all are
 * reported at once. An empty value counts as unset, as in `.env` files.
 */
export function parseManagerConfig(env: Env): ConfigResult {
  const problems: ConfigProblem[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const problem = (variable: string, message: string): undefined => {
    problems.push({ variable, message: `${variable} ${message}` });
    return undefined;
  };
  const num = (name: string, fallback: number, bounds: { min: number; max: number; integer?: boolean }) =>
    readNumber(get(name), fallback, name, bounds, problem);

  const port = num('PORT', 8000, { min: 0, max: 65_535, integer: true });
  const databaseUrl = get('DATABASE_URL') ?? DEFAULT_DATABASE_URL;
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(databaseUrl)) {
    problem('DATABASE_URL', `must start with sqlite: or postgres://, not "${redactUrl(databaseUrl)}"`);
  }
  const adminEmail = get('ADMIN_EMAIL')?.toLowerCase();
  if (adminEmail !== undefined && !/^[^\s@]+@[^\s@]+$/.test(adminEmail)) problem('ADMIN_EMAIL', `must be an e-mail address, not "${adminEmail}"`);
  const adminPassword = env.ADMIN_PASSWORD === '' ? undefined : env.ADMIN_PASSWORD;
  if (adminPassword !== undefined && adminPassword.length < MIN_PASSWORD_LENGTH) {
    problem('ADMIN_PASSWORD', `must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  }
  if (adminPassword !== undefined && adminEmail === undefined) problem('ADMIN_EMAIL', 'is required when ADMIN_PASSWORD is set');
  const jwtSecret = get('JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < MIN_JWT_SECRET_LENGTH) {
    problem('JWT_SECRET', `must be at least ${MIN_JWT_SECRET_LENGTH} characters long`);
  }
  const offlineAfter = num('OFFLINE_AFTER', 30, { min: 0.05, max: 86_400 });
  const monitorInterval = num('MONITOR_INTERVAL', defaultMonitorInterval(offlineAfter ?? 30), { min: 0.01, max: 3_600 });

  const levelName = get('LOG_LEVEL')?.toLowerCase() ?? 'info';
  const logLevel = LOG_LEVELS[levelName];
  if (!logLevel) problem('LOG_LEVEL', `must be one of ${Object.keys(LOG_LEVELS).join(', ')}, not "${get('LOG_LEVEL')}"`);

  // ANALYSIS_GATE as on the agent; DEPLOY_GATE is its earlier name, still read.
  const gateVariable = get('ANALYSIS_GATE') !== undefined || get('DEPLOY_GATE') === undefined ? 'ANALYSIS_GATE' : 'DEPLOY_GATE';
  const gateValue = get(gateVariable)?.toLowerCase() ?? DEFAULT_GATE;
  const gates: readonly string[] = GATE_THRESHOLDS;
  if (!gates.includes(gateValue)) problem(gateVariable, `must be one of ${gates.join(', ')}, not "${get(gateVariable)}"`);
  const allowedHostPaths = parseAllowedHostPaths(get('ALLOWED_HOST_PATHS'), problem);
  const gateAllowRules = parseAllowRules(get('GATE_ALLOW_RULES'), problem, RULES.map((r) => r.id));

  const trust = get('TRUST_PROXY')?.toLowerCase() ?? 'false';
  if (!['true', 'false', '1', '0', 'yes', 'no'].includes(trust)) problem('TRUST_PROXY', `must be true or false, not "${trust}"`);

  const tls = get('TLS')?.toLowerCase() ?? 'auto';
  if (!['auto', 'on', 'off'].includes(tls)) problem('TLS', `must be auto, on or off, not "${get('TLS')}"`);
  const insecure = parseSwitch(get('INSECURE_HTTP') ?? 'false');
  if (insecure === undefined) problem('INSECURE_HTTP', `must be true or false, not "${get('INSECURE_HTTP')}"`);
  const tlsNames = (get('TLS_NAMES') ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '');
  for (const name of tlsNames) if (!/^[A-Za-z0-9.:*-]{1,253}$/.test(name)) problem('TLS_NAMES', `holds "${name}", which is no host name or address`);
  const tlsCaCert = get('TLS_CA_CERT');
  const tlsCaKey = get('TLS_CA_KEY');
  if ((tlsCaCert === undefined) !== (tlsCaKey === undefined)) problem(tlsCaCert === undefined ? 'TLS_CA_CERT' : 'TLS_CA_KEY', 'is required with the other of TLS_CA_CERT and TLS_CA_KEY');
  for (const [name, path] of [['TLS_CA_CERT', tlsCaCert], ['TLS_CA_KEY', tlsCaKey]] as const) {
    if (path !== undefined && !existsSync(path)) problem(name, `names no file: ${path}`);
  }

  const config: ManagerConfig = {
    port: port ?? 8000,
    listenHost: get('HOST') ?? '127.0.0.1',
    databaseUrl,
    adminEmail,
    adminPassword,
    jwtSecret,
    offlineAfter: offlineAfter ?? 30,
    monitorInterval: monitorInterval ?? 2,
    logLevel: logLevel ?? 'info',
    adminKeyTtl: num('ADMIN_KEY_TTL', 86_400, { min: 0, max: 10 * 365 * 86_400, integer: true }) ?? 86_400,
    loginMaxFailures: num('LOGIN_MAX_FAILURES', 5, { min: 1, max: 1_000, integer: true }) ?? 5,
    loginLockSeconds: num('LOGIN_LOCK_SECONDS', 900, { min: 1, max: 30 * 86_400 }) ?? 900,
    loginRateLimit: num('LOGIN_RATE_LIMIT', 10, { min: 1, max: 1_000_000, integer: true }) ?? 10,
    deployGate: gateValue as DeployGate,
    allowedHostPaths,
    gateAllowRules,
    maxPackageBytes: 2 ** 20 * (num('MAX_PACKAGE_MB', 100, { min: 0.001, max: 65_536 }) ?? 100),
    maxPackageExpandedBytes: 2 ** 20 * (num('MAX_PACKAGE_EXPANDED_MB', 256, { min: 0.001, max: 1_048_576 }) ?? 256),
    maxPackageRatio: num('MAX_PACKAGE_RATIO', 200, { min: 1, max: 1_000_000 }) ?? 200,
    agentTimeout: num('AGENT_TIMEOUT', 600, { min: 1, max: 86_400 }) ?? 600,
    trustProxy: ['true', '1', 'yes'].includes(trust),
    tls: tls as ManagerConfig['tls'],
    insecure: insecure ?? false,
    tlsNames,
    tlsCaCert,
    tlsCaKey,
    eventStreamsPerUser: num('EVENTS_MAX_STREAMS', 5, { min: 1, max: 10_000, integer: true }) ?? 5,
    auditRetentionDays: num('AUDIT_RETENTION_DAYS', 365, { min: 0, max: 36_500 }) ?? 365,
    auditMaxEntries: num('AUDIT_MAX_ENTRIES', 1_000_000, { min: 0, max: 1_000_000_000, integer: true }) ?? 1_000_000,
    auditRateLimit: num('AUDIT_RATE_LIMIT', 60, { min: 1, max: 1_000_000, integer: true }) ?? 60,
    refusalLimit: num('REFUSAL_LIMIT', 100, { min: 0, max: 1_000_000, integer: true }) ?? 100,
    refusalWindow: num('REFUSAL_WINDOW', 60, { min: 1, max: 86_400 }) ?? 60,
    fleet: parseFleetConfig(get, num, problem),
  };
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}

/** A config for tests and embedding: the defaults, with `overrides` on top. */
export function managerConfig(overrides: Partial<ManagerConfig> = {}): ManagerConfig {
  const parsed = parseManagerConfig({});
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  const config = { ...parsed.config, ...overrides };
  if (overrides.offlineAfter !== undefined && overrides.monitorInterval === undefined) {
    config.monitorInterval = defaultMonitorInterval(overrides.offlineAfter);
  }
  return config;
}

/**
 * Offline checks run often enough that a host is marked offline within a small fraction of
 * OFFLINE_AFTER of its deadline (a tenth, at most 2 s): the check is one indexed UPDATE.
 */
export function defaultMonitorInterval(offlineAfter: number): number {
  return Math.min(2, Math.max(0.01, offlineAfter / 10));
}


/** A database URL fit for logs: no password. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
}

function readNumber(
  raw: string | undefined,
  fallback: number,
  variable: string,
  bounds: { min: number; max: number; integer?: boolean },
  problem: (variable: string, message: string) => undefined,
): number | undefined {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  const kind = bounds.integer ? 'an integer' : 'a number';
  if (!Number.isFinite(value) || (bounds.integer && !Number.isInteger(value)) || value < bounds.min || value > bounds.max) {
    return problem(variable, `must be ${kind} between ${bounds.min} and ${bounds.max}, not "${raw}"`);
  }
  return value;
}

export { mergeDotenv, type LogLevel } from '../settings/index.js';
