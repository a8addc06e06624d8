import { isAbsolute, posix } from 'node:path';

/**
 * The operator's gate allowances, read the same way by the agent and the manager
 * (docs/security.md, "The deploy gate").
 */
type Problem = (variable: string, message: string) => undefined;

/** `ALLOWED_HOST_PATHS`: comma-separated absolute host paths, normalized, without `..`. */
export function parseAllowedHostPaths(raw: string | undefined, problem: Problem): string[] {
  const out: string[] = [];
  for (const item of (raw ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    if (!isAbsolute(item) || item.split('/').includes('..')) {
      problem('ALLOWED_HOST_PATHS', `must list absolute host paths without "..", separated by commas, not "${item}"`);
      continue;
    }
    const normalized = posix.normalize(item).replace(/(.)\/+$/, '$1');
    if (!out.includes(normalized)) out.push(normalized);
  }
  return out;
}

/** `GATE_ALLOW_RULES`: comma-separated rule ids whose findings never refuse a deploy. */
export function parseAllowRules(raw: string | undefined, problem: Problem, known?: readonly string[]): string[] {
  const out: string[] = [];
  for (const id of (raw ?? '').split(',').map((r) => r.trim().toLowerCase()).filter(Boolean)) {
    if (!/^[a-z0-9-]{1,64}$/.test(id) || (known && !known.includes(id))) {
      problem('GATE_ALLOW_RULES', `must list rule ids (see \`shipshape analyze --explain all\`), separated by commas; "${id}" is not one`);
      continue;
    }
    if (!out.includes(id)) out.push(id);
  }
  return out;
}
