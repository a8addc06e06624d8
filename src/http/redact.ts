/**
 * Log fields whose values never reach a line: keys and tokens in headers, and secrets wherever a
 * config or a request body is logged. Pino's `*` spans one level; request bodies are not logged.
 */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers["x-admin-key"]',
  'req.headers["x-server-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers["x-admin-key"]',
  'headers["x-server-key"]',
  'headers.authorization',
  'headers.cookie',
  ...['password', 'new_password', 'current_password', 'admin_key', 'server_key', 'serverKey', 'jwtSecret', 'SERVER_KEY', 'JWT_SECRET', 'token', 'secret', 'adminPassword', 'privateKey']
    .flatMap((name) => [name, `*.${name}`]),
];

/** Pino's options for either app: JSON at `level`, secrets redacted. */
export function loggerOptions<T extends object>(level: string, more: T): { level: string; redact: { paths: string[]; censor: string } } & T {
  return { level, redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' }, ...more };
}
