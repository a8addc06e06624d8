export { analyze, type AnalyzeOptions, type AnalyzeResult } from './analyze.js';
export { RULES, findRule, type RuleId } from './rules/index.js';
export { FORMATS, isFormat, render, type Format } from './report/index.js';
export { docsPath } from './rules/create-rule.js';
export type * from './report-types.js';
export type { Finding, Rule, RuleDocs, Severity, Category } from './types.js';
export { SEVERITIES } from './types.js';
