import { pointer } from '../compose/index.js';
import type { RuleContext } from './types.js';

/**
 * The text of a scalar as written where the source map places a model value, quotes removed;
 * undefined when unknown. The model holds values after interpolation and path resolution; some
 * questions (was this path written relative? was this a `${VAR}`?) are about the text itself.
 */
export function writtenText(ctx: RuleContext, modelPath: readonly (string | number)[]): string | undefined {
  const at = ctx.load.sourceMap.get(pointer(modelPath));
  if (!at || at.line < 1) return undefined;
  const text = ctx.readText(at.file)?.split(/\r?\n/)[at.line - 1]?.slice(at.column - 1);
  if (text === undefined) return undefined;
  const quote = text[0];
  if (quote === '"' || quote === "'") {
    const end = text.indexOf(quote, 1);
    return end < 0 ? undefined : text.slice(1, end);
  }
  return /^[^#,\]}]*/.exec(text)?.[0].trim();
}

/** A path written relative (`./data`, `../config/x.conf`): by compose's rules, a file of the project. */
export function isWrittenRelative(ctx: RuleContext, modelPath: readonly (string | number)[]): boolean {
  const written = writtenText(ctx, modelPath);
  return written !== undefined && written !== '' && !written.includes('$') && !/^(\/|\\|[A-Za-z]:[\\/]|~)/.test(written);
}
