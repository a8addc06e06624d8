import type { EnvironmentReport, ProjectReport, Report } from '../report-types.js';
import type { Finding, Severity } from '../types.js';
import {
  SCORE_TITLES,
  cisLabel,
  countBySeverity,
  describeCounts,
  formatScore,
  groupByCis,
  groupByFile,
  place,
  type ScoreName,
  type SeverityCounts,
} from './derive.js';
import { CIS_BENCHMARK, cisTitle } from '../cis/index.js';
import type { RenderOptions, RuleInfo } from './types.js';

// The default format: what a person reads in a terminal or a CI log, in the manner of eslint's
// "stylish" output: per file, one aligned line per finding, the fix under it.

const SGR = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  underline: '\u001b[4m',
  red: '\u001b[31m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  cyan: '\u001b[36m',
  gray: '\u001b[90m',
} as const;

type Style = keyof typeof SGR;

const SEVERITY_STYLE: Readonly<Record<Severity, readonly Style[]>> = {
  critical: ['bold', 'red'],
  high: ['red'],
  medium: ['yellow'],
  low: ['cyan'],
  info: ['gray'],
};

/** Messages longer than this do not push every rule id further right. */
const MAX_MESSAGE_PAD = 90;

export function renderText(report: Report, _rules: readonly RuleInfo[], options: RenderOptions = {}): string {
  const paint = painter(options.color === true);
  const blocks: string[] = [];
  let environments = 0;
  const total: Finding[] = [];
  for (const project of report.projects) {
    // An overlay repeats every finding of its base: each is printed once, under the first
    // environment that has it.
    const printed = new Map<string, string>();
    for (const env of project.environments) {
      environments += 1;
      total.push(...env.findings);
      const fresh = env.findings.filter((f) => !printed.has(findingKey(f)));
      const repeated = env.findings.length - fresh.length;
      const from = [...new Set(env.findings.map((f) => printed.get(findingKey(f))).filter((e): e is string => e !== undefined))];
      blocks.push(environmentBlock(project, env, fresh, repeated > 0 ? { count: repeated, from } : undefined, paint, options.groupBy === 'cis'));
      for (const f of fresh) printed.set(findingKey(f), env.name);
    }
  }
  if (environments === 0) return `${paint('no compose project found', 'yellow')}\n`;
  if (environments > 1) {
    const counts = countBySeverity(total);
    const where = `${environments} environments in ${report.projects.length} project${report.projects.length === 1 ? '' : 's'}`;
    blocks.push(`${problemsLine(counts, paint)} in ${where}`);
  }
  return `${blocks.join('\n\n')}\n`;
}

type Paint = (text: string, ...styles: Style[]) => string;

function painter(color: boolean): Paint {
  return (text, ...styles) => (color && styles.length > 0 && text !== '' ? `${styles.map((s) => SGR[s]).join('')}${text}${SGR.reset}` : text);
}

/** The same problem at the same place, whichever environment reports it. */
function findingKey(f: Finding): string {
  return JSON.stringify([f.rule, f.severity, f.file, f.line, f.column, f.message]);
}

function environmentBlock(
  project: ProjectReport,
  env: EnvironmentReport,
  all: readonly Finding[],
  repeated: { count: number; from: string[] } | undefined,
  paint: Paint,
  byCis: boolean,
): string {
  const files = env.files.map(clean).join(', ');
  const lines = [`${paint(`${clean(project.dir)} · ${clean(env.name)}`, 'bold', 'underline')}${files ? paint(`  (${files})`, 'gray') : ''}`];
  // Grouped by file, a line needs only line:column; grouped by CIS id, it names its file too.
  const position = byCis ? (f: Finding) => clean(place(f)) || '-' : linePosition;
  const groups: [string, Finding[]][] = byCis
    ? groupByCis(all).map(([id, findings]) => [id === null ? `not in the ${CIS_BENCHMARK}` : `CIS ${cisTitle(id)}`, findings])
    : groupByFile(all).map(([file, findings]) => [file ? clean(file) : '(no file)', findings]);

  const placeWidth = Math.max(0, ...all.map((f) => position(f).length));
  const severityWidth = Math.max(0, ...all.map((f) => f.severity.length));
  const messageWidth = Math.min(MAX_MESSAGE_PAD, Math.max(0, ...all.map((f) => clean(f.message).length)));
  // Where the message starts, so that the fix lines up under it.
  const indent = ' '.repeat(2 + placeWidth + 2 + severityWidth + 2);

  for (const [title, findings] of groups) {
    lines.push('', paint(title, 'bold'));
    for (const finding of findings) {
      const message = clean(finding.message);
      const cis = byCis ? '' : cisLabel(finding);
      lines.push(
        `  ${position(finding).padStart(placeWidth)}  ${paint(finding.severity.padEnd(severityWidth), ...SEVERITY_STYLE[finding.severity])}  ` +
          `${message.padEnd(messageWidth)}  ${paint(clean(finding.rule), 'gray')}${cis ? paint(` · ${cis}`, 'gray') : ''}`,
      );
      if (finding.fix) lines.push(paint(`${indent}fix: ${clean(finding.fix)}`, 'dim'));
    }
  }
  if (repeated) {
    const from = repeated.from.map(clean).join(', ');
    lines.push('', paint(`  + ${repeated.count} finding${repeated.count === 1 ? '' : 's'} as in ${from}, not repeated`, 'gray'));
  }
  lines.push('', `${problemsLine(countBySeverity(env.findings), paint)}  ${paint('·', 'gray')}  ${scoresLine(env, paint)}`);
  return lines.join('\n');
}

/** `12:9`; a finding without a column or line shows what it has. */
function linePosition(finding: Finding): string {
  if (finding.line <= 0) return '-';
  return finding.column > 0 ? `${finding.line}:${finding.column}` : String(finding.line);
}

function problemsLine(counts: SeverityCounts, paint: Paint): string {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (total === 0) return paint('✔ no problems', 'green', 'bold');
  const worst = (['critical', 'high', 'medium', 'low', 'info'] as const).find((s) => counts[s] > 0) ?? 'info';
  return paint(`✖ ${total} problem${total === 1 ? '' : 's'} (${describeCounts(counts)})`, 'bold', ...SEVERITY_STYLE[worst].filter((s) => s !== 'bold'));
}

function scoresLine(env: EnvironmentReport, paint: Paint): string {
  const names: ScoreName[] = ['overall', 'security', 'production_readiness'];
  return names
    .map((name) => {
      const score = env.scores[name];
      const style: Style = score >= 8 ? 'green' : score >= 5 ? 'yellow' : 'red';
      return `${SCORE_TITLES[name].toLowerCase()} ${paint(`${formatScore(score)}/10`, style)}`;
    })
    .join(paint(' · ', 'gray'));
}

/**
 * Text from the analyzed files reaches the terminal: control characters (escape sequences that
 * could move the cursor or rewrite the title) and bidirectional overrides (which reorder what is
 * shown) are written as visible escapes, and line breaks as spaces, so one finding stays one line.
 */
export function clean(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\n' || char === '\r' || char === '\t') out += ' ';
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) out += `\\u${code.toString(16)}`;
    else out += char;
  }
  return out;
}
