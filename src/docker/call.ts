import { DockerAbortError, DockerTimeoutError, toDockerError } from './errors.js';

/** Accepted by every client method. */
export interface CallOptions {
  /** Aborts the request (and, for streams, the stream) when it fires. */
  signal?: AbortSignal;
  /**
   * Time limit in milliseconds for the engine to answer; for streaming calls it covers only the
   * wait for the response to begin. 0 means no limit. Each method has a default.
   */
  timeoutMs?: number;
}

export interface CallContext {
  operation: string;
  endpoint: string;
}

/**
 * Runs one engine request under the caller's signal and a time limit. The signal handed to `run`
 * goes to dockerode, which aborts the HTTP request with it; the result is also raced against it,
 * so a call never outlives its limit even where dockerode would not notice the abort. Streams
 * stay tied to the caller's signal after the call returns, not to the time limit.
 */
export async function runCall<T>(
  ctx: CallContext,
  options: CallOptions | undefined,
  defaultTimeoutMs: number,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const userSignal = options?.signal;
  if (userSignal?.aborted) throw new DockerAbortError(ctx.operation);
  const timeoutMs = options?.timeoutMs ?? defaultTimeoutMs;
  const timer = new AbortController();
  const signal = userSignal ? AbortSignal.any([userSignal, timer.signal]) : timer.signal;
  let timeout: NodeJS.Timeout | undefined;
  if (timeoutMs > 0) timeout = setTimeout(() => timer.abort(), timeoutMs);
  const abortError = () =>
    timer.signal.aborted && !userSignal?.aborted
      ? new DockerTimeoutError(ctx.operation, timeoutMs)
      : new DockerAbortError(ctx.operation);
  try {
    return await new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(abortError());
      signal.addEventListener('abort', onAbort, { once: true });
      run(signal).then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(signal.aborted ? abortError() : toDockerError(err, ctx.operation, ctx.endpoint));
        },
      );
    });
  } finally {
    clearTimeout(timeout);
  }
}
