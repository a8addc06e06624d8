/**
 * The dashboard's one way to the manager: same-origin fetch with the session cookie, the CSRF
 * header on every change (docs/manager.md, "Keys and passwords"), JSON both ways.
 */

export interface ApiResult<T> {
  status: number;
  ok: boolean;
  body: T;
}

const CSRF = { 'x-shipshape-csrf': '1' };

/** Called when the session is gone (401): the app shows the login form again. */
let onUnauthorized: () => void = () => undefined;
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

export async function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...(method === 'GET' ? {} : CSRF) };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    return { status: 0, ok: false, body: { error: { code: 'network', message: 'The manager cannot be reached' } } as T };
  }
  if (response.status === 401 && path !== '/auth/login' && path !== '/auth/me') onUnauthorized();
  const text = response.status === 204 ? '' : await response.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = { error: { code: 'bad_answer', message: text.slice(0, 200) } };
  }
  return { status: response.status, ok: response.ok, body: parsed as T };
}

/** The manager's words for a failed request: `{detail}` on machine-lab's routes, `{error: {message}}` on the others. */
export function messageOf(result: ApiResult<unknown>): string {
  const body = result.body as { detail?: unknown; error?: { message?: unknown } } | null;
  if (body && typeof body.detail === 'string') return body.detail;
  if (body && Array.isArray(body.detail)) return 'Some fields are missing or malformed';
  if (body?.error && typeof body.error.message === 'string') return body.error.message;
  return `HTTP ${result.status}`;
}

/** Findings a refusal carries in `error.details.findings`. */
export function refusalFindings<F>(result: ApiResult<unknown>): F[] {
  const details = (result.body as { error?: { details?: { findings?: unknown } } } | null)?.error?.details;
  return Array.isArray(details?.findings) ? (details.findings as F[]) : [];
}
