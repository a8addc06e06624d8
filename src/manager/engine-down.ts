import type { HeartbeatStack } from '../contract/index.js';

/**
 * The stacks of a heartbeat whose agent cannot reach its Docker engine (`docker_ok: false`). The
 * agent reports each stack as it last saw it, but nothing vouches for that now: an engine that
 * stopped took its containers down, one that crashed cannot restart, exec or log them. A stack
 * last seen `running` is `degraded` until the engine answers again (docs/manager.md, "Deployment
 * status"); the next heartbeat from a working engine brings its real status back.
 */
export function whileEngineDown(stacks: readonly HeartbeatStack[], dockerOk: boolean | null | undefined): readonly HeartbeatStack[] {
  if (dockerOk !== false) return stacks;
  return stacks.map((stack) =>
    stack.status === 'running'
      ? { ...stack, status: 'degraded', reason: `the Docker engine does not answer${stack.seen_at ? ` (last seen running at ${stack.seen_at})` : ''}` }
      : stack,
  );
}
