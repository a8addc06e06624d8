import { DockerAbortError, type DockerClient, type EngineEvent } from '../docker/index.js';
import { LABEL } from './labels.js';

/** One container event of the project, with the fields `docker compose events --json` prints. */
export interface ProjectEvent {
  /** RFC 3339 with nanoseconds. */
  time: string;
  type: string;
  action: string;
  id: string;
  service: string;
  attributes: Record<string, string>;
}

/**
 * `docker compose events`: the engine's container events for the project's containers (of the
 * named services only, when given), as they happen, until `signal` fires.
 */
export async function* projectEvents(
  docker: DockerClient,
  projectName: string,
  options: { services?: string[]; since?: string; signal?: AbortSignal } = {},
): AsyncGenerator<ProjectEvent> {
  const services = options.services ?? [];
  let stream: AsyncIterable<EngineEvent>;
  try {
    stream = await docker.events(
      { filters: { type: ['container'], label: [`${LABEL.project}=${projectName}`] }, ...(options.since ? { since: options.since } : {}) },
      { signal: options.signal },
    );
  } catch (err) {
    // Interrupted before the engine answered: nothing to follow.
    if (err instanceof DockerAbortError) return;
    throw err;
  }
  for await (const e of stream) {
    const attributes = { ...e.Actor.Attributes };
    const service = attributes[LABEL.service] ?? '';
    if (services.length > 0 && !services.includes(service)) continue;
    // As compose: the labels are left out, they say nothing the other fields do not.
    for (const key of Object.keys(attributes)) if (key.startsWith('com.docker.compose.')) delete attributes[key];
    yield { time: rfc3339Nano(e.timeNano), type: e.Type, action: e.Action, id: e.Actor.ID, service, attributes };
  }
}

function rfc3339Nano(timeNano: number): string {
  const nanos = BigInt(Math.round(timeNano));
  const millis = Number(nanos / 1_000_000n);
  const fraction = (nanos % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(millis).toISOString().slice(0, 19)}.${fraction}Z`;
}
