import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import type { Service } from '../../compose/index.js';
import {
  baseImage,
  buildStages,
  copyOperands,
  finalStage,
  parseDockerfile,
  stageChain,
  type BaseImage,
  type ParsedDockerfile,
  type Stage,
} from '../dockerfile/index.js';
import type { RuleContext } from '../types.js';

/**
 * The project's Dockerfiles, each read and parsed once per environment however many services
 * build it and rules ask about it. This is the only Dockerfile reader of the analyzer.
 */

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

/** The image a service builds from a Dockerfile it can read: the stage the build produces and what it starts from. */
export interface BuiltImage {
  /** Absolute path of the Dockerfile, or undefined for `dockerfile_inline`. */
  file?: string;
  /** Absolute build context, when local. */
  context?: string;
  /** The Dockerfile as the user knows it: `app/Dockerfile`, or `dockerfile_inline`. */
  label: string;
  stage: Stage;
  /** The produced stage and the earlier stages it starts from, the first one first. */
  chain: Stage[];
  base: BaseImage;
}

export interface DockerfileFacts {
  /** Every readable Dockerfile on disk the services build (inline ones are in `built` only). */
  uses: DockerfileUse[];
  /** Per service: the image it builds, when its Dockerfile can be read and has the wanted stage. */
  built: Map<string, BuiltImage>;
}

export function readDockerfiles(ctx: RuleContext): DockerfileFacts {
  const byPath = new Map<string, DockerfileUse>();
  const parsed = new Map<string, ParsedDockerfile | undefined>();
  const built = new Map<string, BuiltImage>();
  const parse = (key: string, text: () => string | undefined): ParsedDockerfile | undefined => {
    if (!parsed.has(key)) {
      const source = text();
      parsed.set(key, source === undefined ? undefined : parseDockerfile(source));
    }
    return parsed.get(key);
  };
  for (const [name, service] of Object.entries(ctx.project.services)) {
    // An image this environment pulls but another environment of the project builds: its facts are
    // that Dockerfile's, while the Dockerfile's own findings stay with the environment that builds it.
    const borrowed = !service.build && typeof service.image === 'string' ? ctx.projectBuilds?.get(service.image.trim()) : undefined;
    const build = service.build ?? borrowed;
    if (!build || typeof build.context !== 'string') continue;
    let file: string | undefined;
    let dockerfile: ParsedDockerfile | undefined;
    if (typeof build.dockerfile_inline === 'string') {
      const inline = build.dockerfile_inline;
      dockerfile = parse(`inline:${inline}`, () => inline);
    } else {
      if (!isAbsolute(build.context)) continue;
      const path = resolve(build.context, build.dockerfile ?? 'Dockerfile');
      file = path;
      dockerfile = parse(path, () => ctx.readText(path));
      if (dockerfile && !borrowed) {
        const use = byPath.get(path);
        if (use) use.services.push(name);
        else byPath.set(path, { path, context: build.context, services: [name], parsed: dockerfile });
      }
    }
    const stage = dockerfile ? finalStage(dockerfile, build.target) : undefined;
    if (!stage) continue;
    built.set(name, {
      file,
      context: isAbsolute(build.context) ? build.context : undefined,
      label: file ? relative(ctx.dir, file) || file : 'dockerfile_inline',
      stage,
      chain: stageChain(stage),
      base: baseImage(stage, build.args ?? {}),
    });
  }
  return { uses: [...byPath.values()], built };
}

/** An image a Dockerfile builds: the target stage (or the last one) and the services built from it. */
export interface StageImage {
  stage: Stage;
  services: string[];
}

/** The distinct images the services build from this Dockerfile; a target it lacks builds nothing here. */
export function builtImages(ctx: RuleContext, use: DockerfileUse): StageImage[] {
  const images: StageImage[] = [];
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
  const result = new Map<Stage, string[]>();
  for (const image of builtImages(ctx, use)) {
    for (const stage of buildStages(use.parsed, image.stage)) result.set(stage, [...(result.get(stage) ?? []), ...image.services]);
  }
  return new Map(use.parsed.stages.filter((s) => result.has(s)).map((s) => [s, result.get(s) ?? []]));
}

/** Programs that start a server as another user: an entrypoint calling one drops root. */
const DROP_PRIVILEGES = /\b(gosu|su-exec|s6-setuidgid|setpriv|chpst|runuser|setuidgid)\b/;

/**
 * Whether the built image's entrypoint drops root: its ENTRYPOINT/CMD or RUN lines call gosu,
 * su-exec, s6-setuidgid, setpriv…, or the entrypoint script it copies from the build context does.
 */
export function dropsPrivileges(ctx: RuleContext, image: BuiltImage, service: Service): boolean {
  const own = [service.entrypoint, service.command].flatMap((p) => (Array.isArray(p) ? p.map(String) : [])).join(' ');
  if (DROP_PRIVILEGES.test(own)) return true;
  const instructions = image.chain.flatMap((s) => s.instructions);
  const start = instructions.filter((i) => i.keyword === 'ENTRYPOINT' || i.keyword === 'CMD');
  if (start.some((i) => DROP_PRIVILEGES.test(i.json?.join(' ') ?? i.args))) return true;
  if (!image.context) return false;
  const programs = new Set(start.map((i) => basename((i.json?.[0] ?? i.args.split(/\s+/)[0] ?? '').trim())).filter((p) => p !== ''));
  for (const copy of instructions.filter((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && !i.flags.some((f) => f.name === 'from'))) {
    const operands = copyOperands(copy);
    for (const source of operands.slice(0, -1)) {
      if (!programs.has(basename(source))) continue;
      const text = ctx.readText(join(image.context, source));
      if (text !== undefined && DROP_PRIVILEGES.test(text)) return true;
    }
  }
  return false;
}
