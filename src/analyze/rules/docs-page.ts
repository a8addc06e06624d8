import { CIS_BENCHMARK, cisTitle } from '../cis/index.js';
import type { Rule } from '../types.js';

/**
 * A rule's prose is written once, in its metadata (`createRule({ docs })`), which `--explain`, the
 * reports and SARIF show. Its page `docs/rules/<id>.md` is generated from that metadata by
 * `npm run build` (scripts/build-rule-docs.mjs); only what follows `NOTES_MARK` is written by hand
 * and kept. docs/rules/README.md describes it.
 */
export const NOTES_MARK = '<!-- Hand-written notes (kept by the build) go below this line. -->';

/** The generated page of a rule, followed by its hand-written notes. */
export function ruleDocsPage(rule: Pick<Rule, 'id' | 'category' | 'severity' | 'docs' | 'cis' | 'fix'>, notes: string): string {
  const language = rule.category === 'dockerfile' ? 'dockerfile' : 'yaml';
  const example = rule.docs.example.replace(/\n+$/, '');
  const fence = '`'.repeat(Math.max(3, ...[...example.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  const trimmed = notes.trim();
  return [
    `# ${rule.id}`,
    '',
    `**Category:** ${rule.category} · **Default severity:** ${rule.severity}`,
    '',
    ...(rule.cis && rule.cis.length > 0 ? [`**${CIS_BENCHMARK}:** ${rule.cis.map(cisTitle).join('; ')}`, ''] : []),
    ...(rule.fix?.safe ? [`**Fixed by \`shipshape analyze --fix\`:** ${rule.fix.note}`, ''] : []),
    `<!-- Generated from the metadata of src/analyze/rules/${rule.category}/${rule.id}.ts by npm run build: edit the text there. -->`,
    '',
    rule.docs.summary,
    '',
    '## Why it matters',
    '',
    rule.docs.why,
    '',
    '## How to fix',
    '',
    rule.docs.fix,
    '',
    '## Example (reported)',
    '',
    `${fence}${language}`,
    example,
    fence,
    '',
    NOTES_MARK,
    ...(trimmed === '' ? [] : ['', trimmed]),
    '',
  ].join('\n');
}

/** The hand-written part of a page: what follows `NOTES_MARK`; nothing for a page without it. */
export function pageNotes(page: string | undefined): string {
  const at = page?.indexOf(NOTES_MARK) ?? -1;
  return page === undefined || at < 0 ? '' : page.slice(at + NOTES_MARK.length).trim();
}
