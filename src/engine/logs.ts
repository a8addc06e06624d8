import type { DockerClient, LogLine } from '../docker/index.js';
import { ps } from './ps.js';

export interface ServiceLogLine extends LogLine {
  service: string;
  /** Container name. */
  container: string;
  /** Replica number, for `web-2 |` prefixes. */
  number: number;
}

export interface LogsOptions {
  services?: string[];
  follow?: boolean;
  tail?: number;
  timestamps?: boolean;
  signal?: AbortSignal;
}

/**
 * The output of the project's containers, merged as it arrives (each container's lines stay in
 * order). With `follow` it goes on until every container stops or the signal fires.
 */
export async function* logs(docker: DockerClient, projectName: string, options: LogsOptions = {}): AsyncGenerator<ServiceLogLine> {
  const containers = await ps(docker, projectName, { all: true, ...(options.services ? { services: options.services } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  const sources = containers.map((c) => {
    const lines = docker.containers.logs(
      c.id,
      { follow: options.follow ?? false, timestamps: options.timestamps ?? false, ...(options.tail !== undefined ? { tail: options.tail } : {}) },
      options.signal ? { signal: options.signal } : {},
    );
    return tagged(lines, c.service, c.name, c.number);
  });
  yield* merge(sources);
}

async function* tagged(lines: AsyncIterable<LogLine>, service: string, container: string, number: number): AsyncGenerator<ServiceLogLine> {
  for await (const line of lines) yield { ...line, service, container, number };
}

/** Interleaves async iterators by arrival; ends when all have ended; rethrows the first error. */
export async function* merge<T>(sources: AsyncIterator<T>[]): AsyncGenerator<T> {
  const pending = new Map<number, Promise<{ index: number; result: IteratorResult<T> }>>();
  const next = (index: number) => pending.set(index, sources[index]!.next().then((result) => ({ index, result })));
  sources.forEach((_, i) => next(i));
  try {
    while (pending.size > 0) {
      const { index, result } = await Promise.race(pending.values());
      if (result.done) {
        pending.delete(index);
        continue;
      }
      next(index);
      yield result.value;
    }
  } finally {
    // Not awaited: a source still waiting for its next line would hold the caller until it came.
    for (const i of pending.keys()) void sources[i]!.return?.()?.catch(() => {});
  }
}
