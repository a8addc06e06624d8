import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { analyze, CIS_BENCHMARK, cisTitle, decide, DEFAULT_GATE, findRule, FORMATS, isFormat, localPolicy, render, RULES, SEVERITIES, type GateThreshold, type Report } from '../analyze/index.js';
import { EXIT, UsageError } from './exit.js';
import { applyFixes } from './fix-files.js';
import { VERSION } from './version.js';

interface AnalyzeCliOptions {
  file: string[];
  env: string[];
  profile: string[];
  format: string;
  output?: string;
  failOn: string;
  config?: string;
  baseline?: string;
  explain?: string;
  groupBy?: string;
  fix?: boolean;
  dryRun?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];
const FAIL_ON = [...SEVERITIES.filter((s) => s !== 'info'), 'never'] as const;

export function registerAnalyzeCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('analyze')
    .description('Analyze compose projects: inventory, graph, validation, security and reliability findings, scores')
    .argument('[dir]', 'directory (searched recursively) or compose file', '.')
    .option('-f, --file <file>', 'compose file (repeatable, merged in order)', collect, [])
    .option('--env <name>', 'only this environment (repeatable)', collect, [])
    .option('--profile <name>', 'also analyze the services of this compose profile (repeatable)', collect, [])
    .option('--format <format>', `output format: ${Object.keys(FORMATS).join(', ')}`, 'text')
    .option('-o, --output <file>', 'write the report to a file')
    .option('--fail-on <severity>', `exit 1 when a finding is at or above: ${FAIL_ON.join(', ')}`, DEFAULT_GATE)
    .option('--config <file>', 'config file (default: <dir>/.shipshape.yml)')
    .option('--baseline <file>', 'hide the findings of a previous JSON report')
    .option('--group-by <key>', 'text, md and html: list findings under each CIS Docker Benchmark id ("cis")')
    .option('--fix', 'apply the fixes that change no behaviour, in place, after showing their diff (docs/fix.md)')
    .option('--dry-run', 'with --fix: show the diff only')
    .option('--explain <rule>', 'explain a rule ("all" lists them) and exit')
    .action((dir: string, options: AnalyzeCliOptions) => {
      if (options.explain) {
        process.stdout.write(explain(options.explain));
        return;
      }
      if (!isFormat(options.format)) {
        throw new UsageError(`unknown --format "${options.format}"; use ${Object.keys(FORMATS).join(', ')}`);
      }
      if (options.dryRun && !options.fix) throw new UsageError('--dry-run goes with --fix');
      if (options.fix && options.output) throw new UsageError('--fix writes the diff to the terminal; it takes no --output');
      if (options.groupBy !== undefined && options.groupBy !== 'cis') {
        throw new UsageError(`unknown --group-by "${options.groupBy}"; use cis`);
      }
      if (options.groupBy !== undefined && !['text', 'md', 'html'].includes(options.format)) {
        throw new UsageError(`--group-by applies to the text, md and html formats; --format ${options.format} carries the CIS ids in every finding`);
      }
      if (!(FAIL_ON as readonly string[]).includes(options.failOn)) {
        throw new UsageError(`unknown --fail-on "${options.failOn}"; use ${FAIL_ON.join(', ')}`);
      }
      const showProgress = process.stderr.isTTY === true;
      const { report, problems, fixes } = analyze({
        root: dir,
        files: options.file.length > 0 ? options.file : undefined,
        environments: options.env,
        profiles: options.profile,
        configFile: options.config,
        baseline: options.baseline ? readBaseline(options.baseline) : undefined,
        rules: RULES,
        version: VERSION,
        planFixes: options.fix === true,
        onProgress: showProgress
          ? (done, total, label) => {
              if (total > 1) process.stderr.write(`\r\x1b[K[${done}/${total}] ${label}${done === total ? '\n' : ''}`);
            }
          : undefined,
      });
      for (const p of problems) process.stderr.write(`${p.file}${p.line ? `:${p.line}:${p.column}` : ''}: error: ${p.message}\n`);
      if (problems.length > 0) {
        setExit(EXIT.usage);
        return;
      }
      if (fixes) {
        applyFixes(fixes, options.dryRun === true, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
        setExit(EXIT.ok);
        return;
      }
      const color = process.stdout.isTTY === true && !process.env.NO_COLOR && !options.output;
      const text = render(options.format, report, RULES, { color, groupBy: options.groupBy === 'cis' ? 'cis' : undefined });
      if (options.output) writeFileSync(options.output, text);
      else process.stdout.write(text);
      setExit(fails(report, options.failOn as GateThreshold) ? EXIT.findings : EXIT.ok);
    });
}

/** `--fail-on` is the deploy policy's decision for a local project (docs/security.md, "The deploy gate"). */
function fails(report: Report, failOn: GateThreshold): boolean {
  const findings = report.projects.flatMap((p) => p.environments.flatMap((e) => e.findings));
  return decide(findings, localPolicy(failOn)).blocking.length > 0;
}

function readBaseline(path: string): Report {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`baseline ${path} not found`);
  }
  try {
    const report = JSON.parse(text) as Report;
    if (report.version !== 1 || !Array.isArray(report.projects)) throw new Error('not a report');
    return report;
  } catch {
    throw new UsageError(`baseline ${path} is not a shipshape JSON report (write one with --format json)`);
  }
}

function explain(id: string): string {
  if (id === 'all') {
    const width = Math.max(...RULES.map((r) => r.id.length));
    const cis = (r: (typeof RULES)[number]) => (r.cis && r.cis.length > 0 ? `  (CIS ${r.cis.join(', ')})` : '');
    return RULES.map((r) => `${r.id.padEnd(width)}  ${r.severity.padEnd(8)}  ${r.category.padEnd(11)}  ${r.docs.summary}${cis(r)}\n`).join('');
  }
  const rule = findRule(id);
  if (!rule) throw new UsageError(`unknown rule "${id}"; run --explain all to list them`);
  const d = rule.docs;
  const cis = rule.cis && rule.cis.length > 0 ? `\n\n${CIS_BENCHMARK}: ${rule.cis.map(cisTitle).join('; ')}` : '';
  return `${rule.id} (${rule.category}, ${rule.severity})\n\n${d.summary}\n\nWhy: ${d.why}\n\nFix: ${d.fix}${cis}\n\nExample:\n${d.example.replace(/^/gm, '  ')}\n`;
}
