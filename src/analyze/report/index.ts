import type { Report } from '../report-types.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';
import type { RenderOptions, RuleInfo } from './types.js';

export type { RenderOptions, RuleInfo } from './types.js';
export { SARIF_LEVEL, fingerprint, toSarif, type SarifLog } from './sarif.js';

export type Formatter = (report: Report, rules: readonly RuleInfo[], options?: RenderOptions) => string;

/** The report formats of `shipshape analyze --format`; each a pure function of the report. */
export const FORMATS = {
  text: renderText,
  md: renderMarkdown,
  json: renderJson,
  sarif: renderSarif,
  html: renderHtml,
} as const satisfies Record<string, Formatter>;

export type Format = keyof typeof FORMATS;

export const FORMAT_NAMES = Object.keys(FORMATS) as Format[];

export function isFormat(name: string): name is Format {
  return Object.hasOwn(FORMATS, name);
}

/** The report in one format. `rules` is the catalogue (for SARIF's rule help and the verdicts). */
export function render(format: Format, report: Report, rules: readonly RuleInfo[], options: RenderOptions = {}): string {
  return FORMATS[format](report, rules, options);
}
