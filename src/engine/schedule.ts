import type { DependencyDescription, DependencyEdge } from './graph.js';
import { failFast } from './run-graph.js';

export interface StackSteps {
  /** Creates the service's containers. */
  create(service: string): Promise<void>;
  /** Waits until one dependency's condition holds for `dependent` (after the dependency started). */
  satisfy(dependent: string, edge: DependencyEdge): Promise<void>;
  /** Starts the service's containers. */
  start(service: string): Promise<void>;
}

/**
 * Brings a stack up with no barrier: each service is created as soon as the services its
 * container refers to exist (`atCreate` edges), and started as soon as it is created and each
 * of its own dependencies is started and satisfied — never waiting for a whole level. A failed
 * step stops what depends on it and fires `onFailure` once, so the caller can abort the rest;
 * this settles only once every step that began has settled, then rejects with the first failure.
 * The description must have no cycle (`startupLevels` checks).
 */
export async function runStack(
  dependencies: DependencyDescription,
  steps: StackSteps,
  onFailure: (error: unknown) => void = () => {},
): Promise<void> {
  const services = Object.keys(dependencies);
  const { attempt, rethrow } = failFast(onFailure);
  const created = new Map<string, Promise<boolean>>();
  const started = new Map<string, Promise<boolean>>();
  const edgesOf = (s: string) => (dependencies[s] ?? []).filter((e) => e.service in dependencies);

  const create = (s: string): Promise<boolean> => {
    let done = created.get(s);
    if (!done) {
      done = (async () => {
        const ready = await Promise.all(edgesOf(s).filter((e) => e.atCreate).map((e) => create(e.service)));
        return !ready.includes(false) && attempt(() => steps.create(s));
      })();
      created.set(s, done);
    }
    return done;
  };
  const start = (s: string): Promise<boolean> => {
    let done = started.get(s);
    if (!done) {
      done = (async () => {
        const ready = await Promise.all([
          create(s),
          ...edgesOf(s).map(async (e) => (await start(e.service)) && attempt(() => steps.satisfy(s, e))),
        ]);
        return !ready.includes(false) && attempt(() => steps.start(s));
      })();
      started.set(s, done);
    }
    return done;
  };
  await Promise.all(services.map(start));
  rethrow();
}
