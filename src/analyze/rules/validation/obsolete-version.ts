import { isAbsolute, resolve } from 'node:path';
import { createRule } from '../create-rule.js';
import { deleteLines, offsetOf } from './line-edits.js';
import type { RawFinding, RuleContext } from './shared.js';

/** A top-level `version:` key (quoted or not) at the start of a line. */
const VERSION_KEY = /^(["']?)version\1[ \t]*:(.*)$/;

/**
 * The loader keeps no `version` in the model, and the merged source map holds only one of several
 * files' keys, so each compose file of the environment is read for its own top-level key.
 */
function versionKeys(ctx: RuleContext): RawFinding[] {
  const out: RawFinding[] = [];
  const files = ctx.environment.files.length > 0 ? ctx.environment.files : ctx.project.files;
  for (const written of files) {
    const file = isAbsolute(written) ? written : resolve(ctx.dir, written);
    const text = ctx.readText(file) ?? '';
    const lines = text === '' ? [] : text.split(/\r?\n/);
    lines.forEach((line, i) => {
      const match = VERSION_KEY.exec(line);
      if (!match) return;
      const start = offsetOf(text, i + 1, 1) ?? 0;
      // The line alone, and only when its value does not go on below it (`version:` then an indented value).
      const next = lines[i + 1] ?? '';
      const continued = /^[ \t]+[^ \t#]/.test(next) || /^\s*[|>]/.test(match[2] ?? '') || (match[2] ?? '').trim() === '';
      const edit = continued ? undefined : deleteLines(file, text, start, start + line.length);
      const value = (match[2] ?? '').replace(/\s+#.*$/, '').trim().replace(/^(["'])(.*)\1$/, '$2');
      out.push({
        at: { file, line: i + 1, column: 1 },
        service: null,
        message: `the top-level "version${value ? `: ${value}` : ''}" is obsolete: compose ignores it and warns on every command`,
        fix: 'delete the `version:` line; the compose specification needs no version',
        ...(edit ? { edits: [edit] } : {}),
      });
    });
  }
  return out;
}

export default createRule({
  id: 'obsolete-version',
  severity: 'low',
  category: 'validation',
  docs: {
    summary: 'A compose file starts with the obsolete top-level `version:` key.',
    why:
      'Docker Compose v2 follows the compose specification and ignores `version`, printing "the attribute `version` ' +
      'is obsolete" on every command. It suggests features or limits that no longer apply (a "3.8" file can use ' +
      'every current key) and hides real warnings in noise.',
    fix: 'Delete the `version:` line.',
    example: 'version: "3.8"\nservices:\n  web:\n    image: nginx:1.27\n',
  },
  fix: {
    safe: true,
    note: 'the `version:` line is deleted; compose ignores the key, so nothing the project does changes (only the warning goes).',
  },
  check: versionKeys,
});
