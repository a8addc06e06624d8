import type { CisId } from '../cis/index.js';
import type { Category, RawFinding, Rule, RuleContext, RuleDocs, RuleFix, Severity } from '../types.js';

export interface RuleDefinition<Id extends string> {
  id: Id;
  severity: Severity;
  category: Category;
  docs: RuleDocs;
  cis?: readonly CisId[];
  fix?: RuleFix;
  check(ctx: RuleContext): RawFinding[];
}

/** Every rule is made here, so that each one has the same shape, metadata and docs path. */
export function createRule<Id extends string>(definition: RuleDefinition<Id>): Rule & { id: Id } {
  return Object.freeze({ ...definition });
}

/** Where a rule's long documentation lives, derived from its id. */
export function docsPath(id: string): string {
  return `docs/rules/${id}.md`;
}
