import type { Rule } from '../types.js';

/** What a formatter needs to know about a rule: its metadata and docs, not its check. */
export type RuleInfo = Pick<Rule, 'id' | 'severity' | 'category' | 'docs' | 'cis'>;

export interface RenderOptions {
  /** ANSI colors in the text format (the CLI turns them on for a TTY without `NO_COLOR`). */
  color?: boolean;
  /**
   * `cis`: text, Markdown and HTML list findings under the CIS Docker Benchmark recommendation
   * they fail, for an auditor (docs/reports.md, "Grouped by CIS id"); JSON and SARIF carry the ids.
   */
  groupBy?: 'cis';
}
