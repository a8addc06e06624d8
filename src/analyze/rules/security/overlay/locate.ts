import { pointer, type Position } from '../../../../compose/index.js';
import type { RawFinding, RuleContext } from '../../../types.js';

/** The compose files an overlay environment adds on top of its base, in merge order. */
export function overlayFiles(ctx: RuleContext): string[] {
  const base = new Set(ctx.base?.project.files ?? []);
  return ctx.project.files.filter((f) => !base.has(f));
}

/**
 * Where to report a change an overlay made at `path`: the value itself when the overlay wrote
 * it; for a value the overlay removed (`!reset`, `!override`), the overlay's key, found by its
 * indentation, or the nearest enclosing key the overlay writes; else the model's own position.
 */
export function overlayPlace(ctx: RuleContext, path: readonly (string | number)[]): Pick<RawFinding, 'path' | 'at'> {
  const files = overlayFiles(ctx);
  const own = ctx.load.sourceMap.get(pointer(path));
  if (own && files.includes(own.file)) return { path };
  for (let n = path.length; n > 0; n--) {
    const keys = path.slice(0, n).map(String);
    for (const file of [...files].reverse()) {
      const text = ctx.readText(file);
      const at = text === undefined ? undefined : locateKey(text, keys);
      if (at) return { at: { file, ...at } };
    }
  }
  return { path };
}

/**
 * Where to report a service key that is missing or empty in this environment: when the base
 * environment set it and an overlay took it away (`cap_drop: !reset []`), the overlay's line that
 * did (or the service in the overlay); otherwise `path`, the model's own place.
 */
export function removedPlace(ctx: RuleContext, service: string, key: string, path: readonly (string | number)[]): Pick<RawFinding, 'path' | 'at'> {
  const set = (value: unknown): boolean => (Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null);
  const removed = set(ctx.base?.project.services[service]?.[key]) && !set(ctx.project.services[service]?.[key]);
  return removed ? overlayPlace(ctx, ['services', service, key]) : { path };
}

const KEY = /^( *)(?:"([^"]*)"|'([^']*)'|([^\s#'"\-[{][^#]*?|-[^\s#][^#]*?))\s*:(?:\s|$)/;

/**
 * Line and column of a block-style key path (`services` → `api` → `user`) in a YAML text, or
 * undefined when the path is not written in block style there.
 */
export function locateKey(text: string, keys: readonly string[]): Omit<Position, 'file'> | undefined {
  const lines = text.split(/\r?\n/);
  let depth = 0;
  let parentIndent = -1;
  let blockIndent: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.trimStart().startsWith('#') || line.startsWith('---')) continue;
    const indent = /^ */.exec(line)![0].length;
    if (depth > 0 && indent <= parentIndent) return undefined;
    if (blockIndent !== undefined && indent !== blockIndent) continue;
    const m = KEY.exec(line);
    if (!m) continue;
    blockIndent ??= indent;
    const key = m[2] ?? m[3] ?? m[4] ?? '';
    if (key !== keys[depth]) continue;
    depth++;
    if (depth === keys.length) return { line: i + 1, column: indent + 1 };
    parentIndent = indent;
    blockIndent = undefined;
  }
  return undefined;
}
