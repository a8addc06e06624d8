/**
 * What can go wrong talking to the engine, as values callers can tell apart with `instanceof`.
 * Messages are meant for people: they name the operation and the engine's own reason, never a
 * stack or an HTTP dump.
 */
export class DockerError extends Error {
  constructor(
    message: string,
    /** What was being done, e.g. `create container demo-web-1`. */
    readonly operation: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The engine could not be reached at all (no socket, refused, no permission). */
export class DockerUnavailableError extends DockerError {
  constructor(
    operation: string,
    readonly endpoint: string,
    readonly code: string,
  ) {
    super(`cannot reach the Docker engine at ${endpoint} (${unavailableReason(code)}) while trying to ${operation}`, operation);
  }
}

/** The engine answered with an error status. */
export class DockerApiError extends DockerError {
  constructor(
    operation: string,
    readonly status: number,
    readonly reason: string,
  ) {
    super(`${operation}: ${reason || `HTTP ${status}`}`, operation);
  }
}

/** 404: the container, image, network or volume does not exist. */
export class DockerNotFoundError extends DockerApiError {}

/** 409: a name is taken, or the object is in a state that forbids the operation. */
export class DockerConflictError extends DockerApiError {}

/** The call did not finish within its time limit; the request was aborted. */
export class DockerTimeoutError extends DockerError {
  constructor(
    operation: string,
    readonly timeoutMs: number,
  ) {
    super(`${operation}: no answer from the Docker engine within ${formatMs(timeoutMs)}`, operation);
  }
}

/** The caller's AbortSignal fired; the request was aborted. */
export class DockerAbortError extends DockerError {
  constructor(operation: string) {
    super(`${operation}: aborted`, operation);
  }
}

const UNAVAILABLE_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'EPERM', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET', 'EPIPE']);

function unavailableReason(code: string): string {
  switch (code) {
    case 'ENOENT':
      return 'no such socket; is the engine running?';
    case 'ECONNREFUSED':
      return 'connection refused; is the engine running?';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied; is this user in the docker group?';
    default:
      return code;
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

interface ModemErrorShape {
  statusCode?: unknown;
  code?: unknown;
  json?: unknown;
  message?: unknown;
}

/** Translates what dockerode/docker-modem reject with into one of the errors above. */
export function toDockerError(err: unknown, operation: string, endpoint: string): DockerError {
  if (err instanceof DockerError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as ModemErrorShape;
  if (typeof e.statusCode === 'number') {
    const reason = engineMessage(e.json) ?? stripModemPrefix(String(e.message ?? ''));
    if (e.statusCode === 404) return new DockerNotFoundError(operation, 404, reason);
    if (e.statusCode === 409) return new DockerConflictError(operation, 409, reason);
    return new DockerApiError(operation, e.statusCode, reason);
  }
  if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) {
    return new DockerUnavailableError(operation, endpoint, e.code);
  }
  return new DockerError(`${operation}: ${String(e.message ?? err)}`, operation);
}

function engineMessage(json: unknown): string | undefined {
  if (typeof json === 'object' && json !== null && 'message' in json) {
    const message = (json as { message: unknown }).message;
    if (typeof message === 'string') return message.trim();
  }
  if (Buffer.isBuffer(json)) return json.toString('utf8').trim() || undefined;
  if (typeof json === 'string') return json.trim() || undefined;
  return undefined;
}

/** docker-modem's own wording: `(HTTP code 404) no such container - <engine message> `. */
function stripModemPrefix(message: string): string {
  return message.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '').trim();
}
