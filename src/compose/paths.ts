/**
 * Path patterns such as `services.*.ports`, matched against a node's path in the project tree.
 * Merge and cast rules are tables keyed by these patterns (as compose-go keeps them), so that a rule
 * is one row, not one more branch.
 */
export type PathPattern = string;

export function matchPath(pattern: PathPattern, path: readonly string[]): boolean {
  const parts = pattern.split('.');
  if (parts.length !== path.length) return false;
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] !== '*' && parts[i] !== path[i]) return false;
  }
  return true;
}

/** The first rule whose pattern matches `path`; tables are ordered and their patterns must not overlap. */
export function findRule<T>(table: readonly (readonly [PathPattern, T])[], path: readonly string[]): T | undefined {
  for (const [pattern, rule] of table) if (matchPath(pattern, path)) return rule;
  return undefined;
}

/** Two patterns overlap when some path matches both; used by tests to keep tables unambiguous. */
export function patternsOverlap(a: PathPattern, b: PathPattern): boolean {
  const pa = a.split('.');
  const pb = b.split('.');
  if (pa.length !== pb.length) return false;
  return pa.every((s, i) => s === '*' || pb[i] === '*' || s === pb[i]);
}
