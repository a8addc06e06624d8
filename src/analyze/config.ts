import { LineCounter, parseDocument } from 'yaml';
import { SEVERITIES, type Severity } from './types.js';

export type RuleSetting = Severity | 'off';

/** The analyzer's part of `.shipshape.yml`: `rules: { <id>: off | critical | high | medium | low | info }`. */
export interface AnalyzerConfig {
  rules: Map<string, RuleSetting>;
}

export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export function parseAnalyzerConfig(
  text: string,
  file: string,
  knownRules: ReadonlySet<string>,
): { config: AnalyzerConfig; problems: ConfigProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const problems: ConfigProblem[] = doc.errors.map((e) => {
    const p = lineCounter.linePos(e.pos[0]);
    return { file, line: p.line, column: p.col, message: e.message.split('\n')[0]! };
  });
  const config: AnalyzerConfig = { rules: new Map() };
  const rules = doc.get('rules', true) as { items?: { key: { value: unknown; range?: number[] }; value: { value?: unknown } | null }[] } | undefined;
  for (const item of rules?.items ?? []) {
    const id = String(item.key.value);
    const setting = String(item.value?.value ?? '');
    const at = lineCounter.linePos(item.key.range?.[0] ?? 0);
    const where = { file, line: at.line, column: at.col };
    if (!knownRules.has(id)) {
      problems.push({ ...where, message: `unknown rule "${id}"; run shipshape analyze --explain to list the rules` });
    } else if (setting !== 'off' && !(SEVERITIES as readonly string[]).includes(setting)) {
      problems.push({ ...where, message: `rules.${id} must be off or one of ${SEVERITIES.join(', ')}, not "${setting}"` });
    } else {
      config.rules.set(id, setting as RuleSetting);
    }
  }
  return { config, problems };
}
