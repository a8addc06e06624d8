import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { terminalText } from '../analyze/index.js';
import { DockerError } from '../docker/index.js';
import { imageSbom, ImageArchiveError, ImageNotFoundError, renderCycloneDx, renderSbomTable, renderSpdx, type ImageSbom } from '../image/index.js';
import { dockerClient, interruptSignal } from './engine-options.js';
import { EXIT, UsageError } from './exit.js';
import { imageTarget } from './image-targets.js';
import { VERSION } from './version.js';

const FORMATS = ['cyclonedx', 'spdx', 'table'] as const;
const collect = (value: string, previous: string[]) => [...previous, value];

export function registerSbomCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('sbom')
    .description('List the packages inside an image of the local engine, or inside every image a compose project runs')
    .argument('<target>', 'image reference, or a compose project directory or file')
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'table')
    .option('-o, --output <file>', 'write to a file')
    .option('-f, --file <file>', 'compose file (repeatable)', collect, [])
    .option('--env <name>', 'only this environment of the project (repeatable)', collect, [])
    .action(async (target: string, options: { format: string; output?: string; file: string[]; env: string[] }) => {
      if (!(FORMATS as readonly string[]).includes(options.format)) throw new UsageError(`unknown --format "${options.format}"; use ${FORMATS.join(', ')}`);
      const sboms = await readSboms(imageRefs(target, options), setExit);
      if (!sboms) return;
      const text = sboms
        .map((sbom) => (options.format === 'cyclonedx' ? renderCycloneDx(sbom, VERSION) : options.format === 'spdx' ? renderSpdx(sbom, VERSION) : renderSbomTable(sbom)))
        .join(options.format === 'table' ? '\n' : '');
      if (options.output) writeFileSync(options.output, text);
      else process.stdout.write(text);
      setExit(EXIT.ok);
    });
}

export function imageRefs(target: string, options: { file: string[]; env: string[] }): string[] {
  const found = imageTarget(target, options);
  return found.kind === 'image' ? [found.ref] : found.images;
}

/**
 * Reads each image from the engine, with progress on a terminal; a failure is one message and
 * exit 1 (undefined is returned), never a stack trace.
 */
export async function readSboms(refs: string[], setExit: (code: number) => void): Promise<ImageSbom[] | undefined> {
  const docker = dockerClient();
  const interrupt = interruptSignal();
  const sboms: ImageSbom[] = [];
  try {
    for (const [i, ref] of refs.entries()) {
      if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K[${i + 1}/${refs.length}] reading ${ref}`);
      sboms.push(await imageSbom(docker, ref, interrupt.signal));
    }
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    return sboms;
  } catch (err) {
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    if (err instanceof ImageNotFoundError || err instanceof ImageArchiveError || err instanceof DockerError) {
      // The message may name a layer or file of the image, which its author chose.
      process.stderr.write(`shipshape: ${terminalText(err.message)}\n`);
      setExit(EXIT.findings);
      return undefined;
    }
    throw err;
  } finally {
    interrupt.dispose();
  }
}
