import type { Report } from '../report-types.js';
import type { RenderOptions, RuleInfo } from './types.js';

/** The JSON report, format version 1: the contract exactly, nothing added (docs/architecture.md). */
export function renderJson(report: Report, _rules: readonly RuleInfo[] = [], _options: RenderOptions = {}): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
