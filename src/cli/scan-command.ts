import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { analyze, decide, DEFAULT_GATE, FORMATS, IMAGE_RULES, imageReport, isFormat, localPolicy, render, SEVERITIES, type GateThreshold, type ImageFindings, type Report } from '../analyze/index.js';
import { AdvisoryDatabaseError, loadAdvisories, scanSbom } from '../image/index.js';
import { EXIT, UsageError } from './exit.js';
import { imageTarget } from './image-targets.js';
import { readSboms } from './sbom-command.js';
import { VERSION } from './version.js';

const collect = (value: string, previous: string[]) => [...previous, value];
const FAIL_ON = [...SEVERITIES.filter((s) => s !== 'info'), 'never'] as const;

interface ScanOptions {
  advisories?: string;
  format: string;
  output?: string;
  failOn: string;
  file: string[];
  env: string[];
}

export function registerScanCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('scan')
    .description('Find known vulnerabilities (OSV advisories, offline) and secrets inside local images or a compose project\'s images')
    .argument('<target>', 'image reference, or a compose project directory or file')
    .option('--advisories <path>', 'OSV advisories: a folder of JSON files or a ZIP archive (required; nothing is downloaded)')
    .option('--format <format>', `output format: ${Object.keys(FORMATS).join(', ')}`, 'text')
    .option('-o, --output <file>', 'write the report to a file')
    .option('--fail-on <severity>', `exit 1 when a finding is at or above: ${FAIL_ON.join(', ')}`, DEFAULT_GATE)
    .option('-f, --file <file>', 'compose file (repeatable)', collect, [])
    .option('--env <name>', 'only this environment of the project (repeatable)', collect, [])
    .action(async (target: string, options: ScanOptions) => {
      if (!options.advisories) throw new UsageError('--advisories PATH is required: an OSV database you downloaded (docs/scan.md says how); scan never goes online');
      if (!isFormat(options.format)) throw new UsageError(`unknown --format "${options.format}"; use ${Object.keys(FORMATS).join(', ')}`);
      if (!(FAIL_ON as readonly string[]).includes(options.failOn)) throw new UsageError(`unknown --fail-on "${options.failOn}"; use ${FAIL_ON.join(', ')}`);
      const found = imageTarget(target, options);
      let database;
      try {
        database = await loadAdvisories(options.advisories);
      } catch (err) {
        if (err instanceof AdvisoryDatabaseError) throw new UsageError(err.message);
        throw err;
      }
      if (database.refusedCount > 0) {
        const first = database.refused[0]!;
        process.stderr.write(`shipshape: warning: ${database.refusedCount} advisory file(s) not read, e.g. ${first.file}: ${first.reason}\n`);
      }
      const sboms = await readSboms(found.kind === 'image' ? [found.ref] : found.images, setExit);
      if (!sboms) return;
      const images = new Map<string, ImageFindings>(sboms.map((sbom) => [sbom.image.name, scanSbom(sbom, database.index)]));
      let report: Report;
      if (found.kind === 'image') {
        report = imageReport(found.ref, images.get(found.ref)!, VERSION);
      } else {
        const result = analyze({ root: found.root, files: options.file.length > 0 ? options.file : undefined, environments: options.env, rules: IMAGE_RULES, version: VERSION, images });
        report = result.report;
      }
      const color = process.stdout.isTTY === true && !process.env.NO_COLOR && !options.output;
      const text = render(options.format, report, IMAGE_RULES, { color });
      if (options.output) writeFileSync(options.output, text);
      else process.stdout.write(text);
      const findings = report.projects.flatMap((p) => p.environments.flatMap((e) => e.findings));
      setExit(decide(findings, localPolicy(options.failOn as GateThreshold)).blocking.length > 0 ? EXIT.findings : EXIT.ok);
    });
}
