import type { IncomingHttpHeaders } from 'node:http';

/**
 * The key a request presents: its own header (`X-Server-Key`, `X-Admin-Key`), else an
 * `Authorization: Bearer` token. A header sent twice arrives as a list, and an empty one is no
 * key: both are refused rather than guessed about.
 */
export function presentedKey(headers: IncomingHttpHeaders, header: 'x-server-key' | 'x-admin-key' = 'x-server-key'): string | undefined {
  const direct = headers[header];
  if (typeof direct === 'string' && direct !== '') return direct;
  if (direct !== undefined) return undefined;
  return bearerToken(headers);
}

export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization !== 'string') return undefined;
  return /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization)?.[1];
}

/** What a 401 carries so that clients know how to authenticate. */
export function challenge(realm: string): Record<string, string> {
  return { 'www-authenticate': `Bearer realm="${realm}"` };
}
