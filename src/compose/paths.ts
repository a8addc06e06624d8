/**
 * Path patterns such as `services.*.ports`, matched against a node's path in the project tree.
 * Merge and cast rules are tables keyed by these patterns (as compose-go keeps them), so that a rule
 * is one row, not one more branch.
 */
export type PathPattern = string;

type Compiled<T> = Map<number, [string[], T][]>;
const compiledTables = new WeakMap<object, Compiled<unknown>>();

/** Tables are split once and grouped by depth: lookups run for every node of every file. */
function compile<T>(table: readonly (readonly [PathPattern, T])[]): Compiled<T> {
  let compiled = compiledTables.get(table) as Compiled<T> | undefined;
  if (!compiled) {
    compiled = new Map();
    for (const [pattern, rule] of table) {
      const parts = pattern.split('.');
      const bucket = compiled.get(parts.length) ?? [];
      bucket.push([parts, rule]);
      compiled.set(parts.length, bucket);
    }
    compiledTables.set(table, compiled as Compiled<unknown>);
  }
  return compiled;
}

export function matchPath(pattern: PathPattern, path: readonly string[]): boolean {
  return matchParts(pattern.split('.'), path);
}

function matchParts(parts: readonly string[], path: readonly string[]): boolean {
  if (parts.length !== path.length) return false;
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] !== '*' && parts[i] !== path[i]) return false;
  }
  return true;
}

/** The first rule whose pattern matches `path`; tables are ordered and their patterns must not overlap. */
export function findRule<T>(table: readonly (readonly [PathPattern, T])[], path: readonly string[]): T | undefined {
  const bucket = compile(table).get(path.length);
  if (!bucket) return undefined;
  for (const [parts, rule] of bucket) if (matchParts(parts, path)) return rule;
  return undefined;
}

/** Two patterns overlap when some path matches both; used by tests to keep tables unambiguous. */
export function patternsOverlap(a: PathPattern, b: PathPattern): boolean {
  const pa = a.split('.');
  const pb = b.split('.');
  if (pa.length !== pb.length) return false;
  return pa.every((s, i) => s === '*' || pb[i] === '*' || s === pb[i]);
}
