/**
 * Runs `task` for every node as soon as the nodes it depends on have finished, so independent
 * nodes (a whole dependency level and more) run in parallel. A failed task stops what depends on
 * it, and `onFailure` fires once so the caller can abort the rest. Settles only after every task
 * that started has settled, so the caller knows what exists before it cleans up; then rejects
 * with the first failure. The graph must have no cycle (`startupLevels` checks).
 */
export async function runGraph(
  nodes: readonly string[],
  dependencies: (node: string) => readonly string[],
  task: (node: string) => Promise<void>,
  onFailure: (error: unknown) => void = () => {},
): Promise<void> {
  const results = new Map<string, Promise<boolean>>();
  let failure: { error: unknown } | undefined;
  const run = (node: string): Promise<boolean> => {
    let result = results.get(node);
    if (result) return result;
    result = (async () => {
      const ready = await Promise.all(dependencies(node).filter((d) => nodes.includes(d)).map(run));
      if (failure || ready.includes(false)) return false;
      try {
        await task(node);
        return true;
      } catch (error) {
        if (!failure) {
          failure = { error };
          onFailure(error);
        }
        return false;
      }
    })();
    results.set(node, result);
    return result;
  };
  await Promise.all(nodes.map(run));
  if (failure) throw failure.error;
}
