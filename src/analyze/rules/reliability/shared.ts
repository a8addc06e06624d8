import { isAbsolute, relative, resolve } from 'node:path';
import type { Service } from '../../../compose/index.js';
import { baseImage, finalStage, parseDockerfile, stageChain, type BaseImage, type ParsedDockerfile, type Stage } from '../../dockerfile/index.js';
import type { RuleContext } from '../../types.js';
import { services } from '../util.js';

/**
 * A job that runs to completion rather than a long-running service: another service waits for
 * it with `service_completed_successfully`, or it says `restart: "no"` (or a `none` restart
 * condition) and gives its own command. Health checks, restart policies and log rotation are
 * about long-running services.
 */
export function isOneShot(ctx: RuleContext, name: string, service: Service): boolean {
  const awaited = services(ctx).some(([, s]) => s.depends_on?.[name]?.condition === 'service_completed_successfully');
  if (awaited) return true;
  const condition = (service.deploy?.['restart_policy'] as { condition?: string } | undefined)?.condition;
  const noRestart = service.restart === 'no' || condition === 'none';
  const ownCommand = (service.command?.length ?? 0) > 0 || (service.entrypoint?.length ?? 0) > 0;
  return noRestart && ownCommand;
}

/** The image a service builds from a local Dockerfile: the stage the build produces and what it starts from. */
export interface BuiltImage {
  /** Absolute path of the Dockerfile, or undefined for `dockerfile_inline`. */
  file?: string;
  /** The Dockerfile as the user knows it: `app/Dockerfile`, or `dockerfile_inline`. */
  label: string;
  stage: Stage;
  /** The produced stage and the earlier stages it starts from, the first one first. */
  chain: Stage[];
  base: BaseImage;
}

const parsed = new WeakMap<RuleContext, Map<string, ParsedDockerfile | undefined>>();

/** Reads and parses the Dockerfile a service builds (once per analysis); undefined without a readable one. */
export function builtImage(ctx: RuleContext, service: Service): BuiltImage | undefined {
  const build = service.build;
  if (!build || typeof build.context !== 'string') return undefined;
  let file: string | undefined;
  let text: string | undefined;
  if (typeof build.dockerfile_inline === 'string') text = build.dockerfile_inline;
  else {
    if (!isAbsolute(build.context)) return undefined;
    file = resolve(build.context, build.dockerfile ?? 'Dockerfile');
  }
  const cache = parsed.get(ctx) ?? new Map<string, ParsedDockerfile | undefined>();
  parsed.set(ctx, cache);
  const key = file ?? `inline:${text}`;
  if (!cache.has(key)) {
    const source = text ?? (file ? ctx.readText(file) : undefined);
    cache.set(key, source === undefined ? undefined : parseDockerfile(source));
  }
  const dockerfile = cache.get(key);
  const stage = dockerfile ? finalStage(dockerfile, build.target) : undefined;
  if (!stage) return undefined;
  const args = build.args ?? {};
  return {
    file,
    label: file ? relative(ctx.dir, file) || file : 'dockerfile_inline',
    stage,
    chain: stageChain(stage),
    base: baseImage(stage, args),
  };
}

/** The model path of a service, located at its name. */
export function servicePath(name: string): string[] {
  return ['services', name];
}
