import { createRule } from '../create-rule.js';
import { identicalDuplicate } from './line-edits.js';
import { diagnosticFindings, type Position, type RawFinding, type RuleContext } from './shared.js';

export default createRule({
  id: 'yaml-duplicate-key',
  severity: 'critical',
  category: 'validation',
  docs: {
    summary: 'A YAML mapping has the same key twice, including a second `<<` merge key.',
    why:
      'Compose refuses the whole file ("mapping key already defined"). Other YAML tools silently keep one of ' +
      'the values, so the file can look fine in an editor while it never deploys; with two `<<` keys, the ' +
      'settings of one anchor are lost.',
    fix: 'Keep one occurrence of the key. To merge several anchors, list them under one key: `<<: [*restart-policy, *resource-limits]`.',
    example: 'services:\n  backend:\n    <<: *restart-policy\n    image: api:1.0\n    <<: *resource-limits\n',
  },
  fix: {
    safe: true,
    note:
      'when both values are the same (after aliases, with the same tag) in a block mapping, the second key and ' +
      'its value are deleted: the file then loads, and with the value it would have had either way. Keys whose ' +
      'values differ are left to you.',
  },
  check: (ctx) => withEdits(ctx, diagnosticFindings(ctx, ['yaml-duplicate-key'], (d, service) => {
      const key = /mapping key "((?:[^"\\]|\\.)*)"/.exec(d.message)?.[1] ?? '';
      const first = d.related[0];
      const where = service ? `service "${service}" has` : 'this mapping has';
      const firstAt = first ? ` (the first is at line ${first.line})` : '';
      if (key === '<<') {
        const earlier = first ? mergedAliases(ctx, first) : [];
        const later = mergedAliases(ctx, d);
        const aliases = earlier.length > 0 && later.length > 0 ? [...new Set([...earlier, ...later])] : ['first', 'second'];
        const merged = `<<: [${aliases.map((a) => `*${a}`).join(', ')}]`;
        return {
          message: `${where} a second merge key "<<"${firstAt}; compose refuses the file: mapping key "<<" already defined`,
          fix: `merge every anchor with one key: \`${merged}\``,
        };
      }
      return {
        message: `${where} the key "${key}" twice${firstAt}; compose refuses the file: mapping key "${key}" already defined`,
        fix: `keep one "${key}" key and merge the two values into it`,
      };
    })),
});

/** The findings whose two values are the same get the edit that deletes the second (docs/fix.md). */
function withEdits(ctx: RuleContext, findings: RawFinding[]): RawFinding[] {
  return findings.map((f) => {
    const d = ctx.diagnostics.find((x) => x === f.at);
    const text = d ? ctx.readText(d.file) : undefined;
    const edit = d && text !== undefined ? identicalDuplicate(d.file, text, d, d.related[0]) : undefined;
    if (!edit) return f;
    return { ...f, fix: 'delete the second key: both have the same value', edits: [edit] };
  });
}

/**
 * The anchors a `<<` key merges, read from the text at its position (`<<: *a` or `<<: [*a, *b]`);
 * [] when the value is not only aliases (an inline mapping cannot be listed with them).
 */
function mergedAliases(ctx: RuleContext, at: Position): string[] {
  const line = ctx.readText(at.file)?.split(/\r?\n/)[at.line - 1];
  const value = /^<<\s*:\s*(.*?)\s*(?:#.*)?$/.exec(line?.slice(at.column - 1) ?? '')?.[1] ?? '';
  const list = /^\[(.*)\]$/.exec(value)?.[1] ?? value;
  const items = list.split(',').map((item) => item.trim());
  const names = items.map((item) => /^\*([^\s,[\]{}]+)$/.exec(item)?.[1]);
  return names.every((n) => n !== undefined) ? (names as string[]) : [];
}
