import { join, relative } from 'node:path';
import type { Instruction } from '../../dockerfile/index.js';
import { builtImages, builtStages, factsOf, shippedStages, type DockerfileUse } from '../../facts/index.js';
import type { RawFinding, RuleContext } from '../../types.js';

/** The existing Dockerfiles of the environment's services, each parsed once (the facts layer reads them). */
export function dockerfilesOf(ctx: RuleContext): DockerfileUse[] {
  return factsOf(ctx).dockerfiles.uses;
}

export { builtImages, builtStages, shippedStages, type DockerfileUse };

/** The Dockerfile path as the user knows it, relative to the project directory. */
export function displayPath(ctx: RuleContext, use: DockerfileUse): string {
  return relative(ctx.dir, use.path) || use.path;
}

/** A finding located at an instruction of the Dockerfile. */
export function at(use: DockerfileUse, instruction: Instruction, service: string | null, message: string, fix: string): RawFinding {
  return { at: { file: use.path, line: instruction.line, column: instruction.column }, service, message, fix };
}

/**
 * Whether the build context has a `.dockerignore` (BuildKit also reads `<Dockerfile>.dockerignore`
 * next to the Dockerfile, and prefers it).
 */
export function hasDockerignore(ctx: RuleContext, use: DockerfileUse): boolean {
  return ctx.exists(`${use.path}.dockerignore`) || ctx.exists(join(use.context, '.dockerignore'));
}

/** A short form of an instruction for messages: `COPY . /code`, cut after 60 characters. */
export function quoteInstruction(instruction: Instruction): string {
  const flags = instruction.flags.map((f) => (f.value === null ? `--${f.name}` : `--${f.name}=${f.value}`));
  const text = [instruction.keyword, ...flags, instruction.args.replace(/\s+/g, ' ').trim()].join(' ');
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
