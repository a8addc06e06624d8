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
