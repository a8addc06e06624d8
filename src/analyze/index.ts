export { analyze, type AnalyzeOptions, type AnalyzeResult } from './analyze.js';
export { IMAGE_RULES, RULES, findRule, type RuleId } from './rules/index.js';
export { FORMATS, isFormat, render, type Format } from './report/index.js';
export { docsPath } from './rules/create-rule.js';
export type * from './report-types.js';
export type { Finding, Rule, RuleDocs, Severity, Category, ImageFindings, ImageVulnerability, ImageLayerSecret } from './types.js';
export { SEVERITIES } from './types.js';
export * from './policy/index.js';
export { NOTES_MARK, pageNotes, ruleDocsPage } from './rules/docs-page.js';
export { factsOf, imageOf, knownImage, type Facts, type ImageFacts, type KnownImage } from './facts/index.js';
export { fileSecrets, type FileSecret } from './rules/security/secrets/file-secrets.js';
export { mask as maskSecret } from './rules/security/secrets/patterns.js';
export { imageReport } from './image-report.js';
/** Text from a hostile source, safe to print on a terminal (one line, escapes made visible). */
export { clean as terminalText } from './report/text.js';
