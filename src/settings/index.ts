import { parseEnv } from 'node:util';

/**
 * What the agent and the manager share in reading their settings from the environment and `.env`:
 * the log levels they accept and the precedence of the process environment over the file.
 */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Accepted `LOG_LEVEL` spellings (Python's `critical`/`warning` too, as machine-lab used them). */
export const LOG_LEVELS: Readonly<Record<string, LogLevel>> = {
  fatal: 'fatal',
  critical: 'fatal',
  error: 'error',
  warn: 'warn',
  warning: 'warn',
  info: 'info',
  debug: 'debug',
  trace: 'trace',
  silent: 'silent',
};

/** The process environment over a `.env` file's values: the environment wins, as in compose. */
export function mergeDotenv(
  env: Readonly<Record<string, string | undefined>>,
  text: string | undefined,
): Record<string, string | undefined> {
  if (text === undefined) return { ...env };
  const merged: Record<string, string | undefined> = { ...parseEnv(text) };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) merged[key] = value;
  return merged;
}

/** `true`/`1`/`yes` and `false`/`0`/`no` (any case); undefined for anything else. */
export function parseSwitch(value: string | undefined): boolean | undefined {
  const v = value?.trim().toLowerCase();
  if (v === undefined || v === '') return undefined;
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return undefined;
}

/**
 * Whether a listen address only reaches this machine: `localhost`, 127.0.0.0/8, ::1 and their
 * IPv4-mapped form. The wildcard addresses (`0.0.0.0`, `::`) and every other name are not.
 */
export function isLoopbackAddress(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return v4 !== null && v4[1] === '127' && v4.slice(2).every((part) => Number(part) <= 255);
}

export type ListenDecision = { ok: true; scheme: 'https' | 'http' } | { ok: false; reason: string };

/**
 * The one rule both apps follow before they listen (docs/security.md, "Keys and transport"):
 * HTTPS wherever there is a certificate for it; plain HTTP only on a loopback address, or
 * anywhere when the operator said `--insecure` (INSECURE_HTTP=true) in so many words.
 */
export function listenDecision(options: { host: string; tls: boolean; insecure: boolean; hint: string }): ListenDecision {
  if (options.tls) return { ok: true, scheme: 'https' };
  if (isLoopbackAddress(options.host) || options.insecure) return { ok: true, scheme: 'http' };
  return {
    ok: false,
    reason: `refusing to serve plain HTTP on ${options.host}, which other machines can reach: ${options.hint}, listen on 127.0.0.1, or pass --insecure (INSECURE_HTTP=true) to accept the risk`,
  };
}
export { parseAllowedHostPaths, parseAllowRules } from './gate.js';
export { readSecretFiles } from './secret-files.js';
