/**
 * The failure rule both schedulers follow: the first failed step is remembered and reported once
 * through `onFailure` (so the caller can abort the rest), and every step after it is skipped.
 */
export function failFast(onFailure: (error: unknown) => void) {
  let failure: { error: unknown } | undefined;
  return {
    /** Runs `step` unless something failed already; false when it did not run or failed. */
    attempt: async (step: () => Promise<void>): Promise<boolean> => {
      if (failure) return false;
      try {
        await step();
        return true;
      } catch (error) {
        if (!failure) {
          failure = { error };
          onFailure(error);
        }
        return false;
      }
    },
    /** Rejects with the first failure, if any. */
    rethrow: (): void => {
      if (failure) throw failure.error;
    },
  };
}

/**
 * Runs `task` for every node as soon as the nodes it depends on have finished, so independent
 * nodes (a whole dependency level and more) run in parallel. A failed task stops what depends on
 * it, and `onFailure` fires once so the caller can abort the rest. Settles only after every task
 * that started has settled, so the caller knows what exists before it cleans up; then rejects
 * with the first failure. A dependency that closes a cycle (which `up` refuses, but `down` and
 * `stop` must still handle) is dropped, so every node still runs, in an order fixed by `nodes`.
 */
export async function runGraph(
  nodes: readonly string[],
  dependencies: (node: string) => readonly string[],
  task: (node: string) => Promise<void>,
  onFailure: (error: unknown) => void = () => {},
): Promise<void> {
  const steps = failFast(onFailure);
  const results = new Map<string, Promise<boolean>>();
  // `path`: the nodes whose dependencies are being set up right now, which must not be waited for.
  const run = (node: string, path: readonly string[]): Promise<boolean> => {
    let result = results.get(node);
    if (!result) {
      const inner = [...path, node];
      const needs = dependencies(node).filter((d) => nodes.includes(d) && !inner.includes(d));
      result = (async () => {
        const ready = await Promise.all(needs.map((d) => run(d, inner)));
        return !ready.includes(false) && steps.attempt(() => task(node));
      })();
      results.set(node, result);
    }
    return result;
  };
  await Promise.all(nodes.map((n) => run(n, [])));
  steps.rethrow();
}
