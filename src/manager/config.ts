import { LOG_LEVELS, type LogLevel } from '../settings/index.js';
import { SEVERITIES, type Severity } from '../analyze/index.js';

export type DeployGate = Severity | 'never';

/** Everything the manager reads from its environment (ARCHITECTURE §6, docs/manager.md), typed. */
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
  /** Failed logins in a row that lock an account, and for how long (seconds). */
  loginMaxFailures: number;
  loginLockSeconds: number;
  /** Requests to /auth/login per client address and minute. */
  loginRateLimit: number;
  /** Findings at or above this severity refuse a deployment before it is placed. */
  deployGate: DeployGate;
  maxPackageBytes: number;
  /** Seconds the manager waits for an agent to deploy a stack. */
  agentTimeout: number;
  /** Behind a reverse proxy: trust X-Forwarded-For for client addresses (audit, rate limits). */
  trustProxy: boolean;
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

  const gateValue = get('DEPLOY_GATE')?.toLowerCase() ?? 'critical';
  const gates: readonly string[] = [...SEVERITIES, 'never'];
  if (!gates.includes(gateValue)) problem('DEPLOY_GATE', `must be one of ${gates.join(', ')}, not "${get('DEPLOY_GATE')}"`);

  const trust = get('TRUST_PROXY')?.toLowerCase() ?? 'false';
  if (!['true', 'false', '1', '0', 'yes', 'no'].includes(trust)) problem('TRUST_PROXY', `must be true or false, not "${trust}"`);

  const config: ManagerConfig = {
    port: port ?? 8000,
    listenHost: get('HOST') ?? '0.0.0.0',
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
    maxPackageBytes: 2 ** 20 * (num('MAX_PACKAGE_MB', 100, { min: 0.001, max: 65_536 }) ?? 100),
    agentTimeout: num('AGENT_TIMEOUT', 600, { min: 1, max: 86_400 }) ?? 600,
    trustProxy: ['true', '1', 'yes'].includes(trust),
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
