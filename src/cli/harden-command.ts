import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { createDockerClient, type DockerClient } from '../docker/index.js';
import { defaultOverlayPath, HardenError, hardenProject, resolveTarget, type Assessment, type HardenPlan } from '../harden/index.js';
import { EXIT, UsageError } from './exit.js';
import { runEngineCommand, interruptSignal } from './engine-options.js';
import { createProgressRenderer } from './progress-renderer.js';

interface HardenCliOptions {
  file: string[];
  env?: string;
  output?: string;
  verify?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];
/** How every overlay harden writes begins: one it wrote may be replaced, any other file is left alone. */
const HEADER = '# Hardened overlay written by `shipshape harden`';

export function registerHardenCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('harden')
    .description('Write a hardened overlay (default compose.hardened.yml) that fixes the security findings; --verify proves it on the local engine')
    .argument('[dir]', 'project directory')
    .option('-f, --file <file>', 'compose file (repeatable, merged in order)', collect, [])
    .option('--env <name>', 'the environment to harden (base, dev, prod, …)')
    .option('-o, --output <file>', 'where to write the overlay (default: compose.hardened.yml beside the first compose file)')
    .option('--verify', 'run the stack with the overlay on the local engine, back off what breaks it, size the limits; removes everything it made')
    .action((dir: string | undefined, options: HardenCliOptions) =>
      runEngineCommand(setExit, async () => {
        try {
          return await harden(dir, options);
        } catch (err) {
          if (err instanceof HardenError) throw new UsageError(err.message);
          throw err;
        }
      }),
    );
}

async function harden(dir: string | undefined, options: HardenCliOptions): Promise<number> {
  const target = resolveTarget({ dir, files: options.file, env: options.env });
  const output = resolve(options.output ?? defaultOverlayPath(target));
  if (target.files.includes(output)) throw new UsageError(`${output} is one of the project's own files; harden never rewrites them (choose another -o)`);
  if (existsSync(output) && !readFileSync(output, 'utf8').startsWith(HEADER)) {
    throw new UsageError(`${output} exists and was not written by harden; remove it or choose another -o`);
  }
  const docker = engine(options.verify === true);
  const interrupt = interruptSignal();
  const color = process.stderr.isTTY === true && !process.env.NO_COLOR;
  const renderer = options.verify && process.stderr.isTTY ? createProgressRenderer(process.stderr, { title: 'Verifying', color }) : undefined;
  try {
    const outcome = await hardenProject({
      target,
      output,
      env: process.env,
      docker,
      verify: options.verify === true,
      onStep: (line) => process.stderr.write(`harden: ${line}\n`),
      onProgress: renderer ? (e) => renderer.onProgress(e) : undefined,
      signal: interrupt.signal,
    });
    const v = outcome.verification;
    if (v && !v.healthy) process.stderr.write(`harden: the stack was not healthy after ${v.attempts} attempts; the overlay keeps what was backed off so far\n`);
    process.stdout.write(summary(outcome.plan, outcome.assessment, relative(process.cwd(), output) || output));
    return v && !v.healthy ? EXIT.findings : EXIT.ok;
  } finally {
    renderer?.done();
    interrupt.dispose();
  }
}

/** The engine for --verify (required) or for reading local images (optional: the files alone decide without it). */
function engine(required: boolean): DockerClient | undefined {
  try {
    return createDockerClient();
  } catch (err) {
    if (required) throw new UsageError((err as Error).message);
    return undefined;
  }
}

function summary(plan: HardenPlan, a: Assessment, output: string): string {
  const changes = Object.values(plan.services).map((s) => Object.keys(s).filter((k) => k !== 'name' && k !== 'skipped').length);
  const lines = [
    `wrote ${output}: ${changes.reduce((x, y) => x + y, 0)} changes in ${changes.filter((n) => n > 0).length} services`,
    `findings: ${a.before.findings} → ${a.after.findings} (${a.fixed.length} fixed, ${a.pending.length} pending, ${a.added.length} new); security score ${a.before.scores.security} → ${a.after.scores.security}; overall ${a.before.scores.overall} → ${a.after.scores.overall}`,
  ];
  for (const s of Object.values(plan.services)) for (const k of s.skipped) lines.push(`  not applied: ${s.name}: ${k.kind}: ${k.reason}`);
  for (const r of a.remaining) lines.push(`  still reported: ${r.finding.rule} (${r.finding.services.join(', ') || 'project'}): ${r.reason}`);
  for (const p of a.pending) lines.push(`  to do: ${p.reason}`);
  for (const f of a.added) lines.push(`  new: ${f.rule} (${f.services.join(', ')}): ${f.message}`);
  const generated = Object.values(plan.secrets).filter((s) => s.file.startsWith('./secrets/'));
  if (generated.length > 0) lines.push(`secret files: ${generated.map((s) => s.file).join(', ')} (create missing ones with: shipshape secrets generate)`);
  if (plan.requiredVariables.length > 0) lines.push(`set in .env: ${plan.requiredVariables.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
