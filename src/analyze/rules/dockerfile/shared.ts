import { isAbsolute, join, relative, resolve } from 'node:path';
import { buildStages, finalStage, parseDockerfile, stageChain, type Instruction, type ParsedDockerfile, type Stage } from '../../dockerfile/index.js';
import type { RawFinding, RuleContext } from '../../types.js';
import { services } from '../util.js';

/** A Dockerfile that services of the analyzed environment build. */
export interface DockerfileUse {
  /** Absolute path. */
  path: string;
  /** Absolute build context of the first service that uses it. */
  context: string;
  /** The services that build it, in file order. */
  services: string[];
  parsed: ParsedDockerfile;
}

const analyzed = new WeakMap<RuleContext, DockerfileUse[]>();

/**
 * The existing Dockerfiles of the environment's services (`build.context` + `build.dockerfile`),
 * each parsed once per environment however many services and rules use it. Remote contexts and
 * `dockerfile_inline` have no file to read and are left out.
 */
export function dockerfilesOf(ctx: RuleContext): DockerfileUse[] {
  const known = analyzed.get(ctx);
  if (known) return known;
  const byPath = new Map<string, DockerfileUse>();
  for (const [name, service] of services(ctx)) {
    const build = service.build;
    if (!build || typeof build.context !== 'string' || !isAbsolute(build.context) || build.dockerfile_inline !== undefined) continue;
    const path = resolve(build.context, build.dockerfile ?? 'Dockerfile');
    const use = byPath.get(path);
    if (use) {
      use.services.push(name);
      continue;
    }
    const text = ctx.readText(path);
    if (text !== undefined) byPath.set(path, { path, context: build.context, services: [name], parsed: parseDockerfile(text) });
  }
  const uses = [...byPath.values()];
  analyzed.set(ctx, uses);
  return uses;
}

/** An image a Dockerfile builds: the target stage (or the last one) and the services built from it. */
export interface BuiltImage {
  stage: Stage;
  services: string[];
}

/** The distinct images the services build from this Dockerfile; a target it lacks builds nothing here. */
export function builtImages(ctx: RuleContext, use: DockerfileUse): BuiltImage[] {
  const images: BuiltImage[] = [];
  for (const name of use.services) {
    const stage = finalStage(use.parsed, ctx.project.services[name]?.build?.target);
    if (!stage) continue;
    const image = images.find((i) => i.stage === stage);
    if (image) image.services.push(name);
    else images.push({ stage, services: [name] });
  }
  return images;
}

/** The stages whose layers end up in some image the services build. */
export function shippedStages(ctx: RuleContext, use: DockerfileUse): Set<Stage> {
  return new Set(builtImages(ctx, use).flatMap((image) => stageChain(image.stage)));
}

/**
 * Every stage some service's build runs (its target's chain and the stages that one copies or
 * mounts from), each with the services whose build runs it, in file order.
 */
export function builtStages(ctx: RuleContext, use: DockerfileUse): Map<Stage, string[]> {
  const built = new Map<Stage, string[]>();
  for (const image of builtImages(ctx, use)) {
    for (const stage of buildStages(use.parsed, image.stage)) built.set(stage, [...(built.get(stage) ?? []), ...image.services]);
  }
  return new Map(use.parsed.stages.filter((s) => built.has(s)).map((s) => [s, built.get(s) ?? []]));
}

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
