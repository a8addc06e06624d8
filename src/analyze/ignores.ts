/**
 * Inline suppressions: `# shipshape-ignore RULE[,RULE] reason` on the finding's line or on the
 * line above it. A reason is required, so that every suppression says why.
 */
export interface InlineIgnore {
  line: number;
  rules: string[];
  reason: string;
}

const IGNORE = /#\s*shipshape-ignore\s+([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*(.*)$/;

export function parseIgnores(text: string): InlineIgnore[] {
  const out: InlineIgnore[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const m = IGNORE.exec(line);
    if (m) out.push({ line: i + 1, rules: m[1]!.split(',').map((r) => r.trim()), reason: m[2]!.trim() });
  });
  return out;
}

export function isIgnored(ignores: readonly InlineIgnore[], rule: string, line: number): boolean {
  return ignores.some((i) => (i.line === line || i.line === line - 1) && (i.rules.includes(rule) || i.rules.includes('all')));
}
