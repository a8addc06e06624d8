import { dirname, resolve } from 'node:path';
import { applyDefaults, projectNameFor } from './defaults.js';
import type { FileGuard } from './confine.js';
import { diagnostic, type Diagnostic, type Position } from './diagnostics.js';
import { findDefaultComposeFiles } from './discover.js';
import { loadEnvironment } from './environment.js';
import { resolveExtends } from './extends.js';
import { applyIncludes, type IncludeRequest } from './include.js';
import type { Lookup } from './interpolate.js';
import { loadComposeFile, positionFor, type FileContext } from './load-file.js';
import { mergeNodes } from './merge.js';
import type { Project, Service } from './model.js';
import { mapNode, pointer, toPlain, type MapNode, type SourceMap } from './node.js';
import { activeProfiles, disabledByProfiles } from './profiles.js';
import { checkReferences } from './references.js';
import { resolveServiceEnvironment } from './service-env.js';

export interface LoadOptions {
  /** Compose files in merge order (the CLI's `-f`); default: compose's file names in `workingDir`. */
  files?: readonly string[];
  /** Project directory; default: the first file's directory, else the current directory. */
  workingDir?: string;
  projectName?: string;
  /** `--env-file` files; default: `.env` in the project directory. */
  envFiles?: readonly string[];
  /** Process environment; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  profiles?: readonly string[];
  /**
   * Files the loader may read (compose files, include and extends files, `.env`, env_file);
   * a refused one is an `outside-project` diagnostic and is never opened. All when absent.
   */
  confine?: FileGuard;
  /**
   * What `~` in a path means; default the environment's HOME, as compose does. null leaves `~` as
   * written: the analyzer judges a project for the host it is deployed on, not the scanning user's.
   */
  home?: string | null;
}

export interface LoadResult {
  /** Present whenever any file could be read, even with errors, so analysis can go on. */
  project: Project | undefined;
  diagnostics: Diagnostic[];
  /** JSON pointer (`/services/web/ports/0`) → where that value was written. */
  sourceMap: SourceMap;
  /** Position of a model path, or of its nearest located ancestor. */
  positionOf(path: readonly (string | number)[]): Position | undefined;
}

const MAX_INCLUDE_DEPTH = 16;

/**
 * Loads a compose project as `docker compose config` does. The phases, in order, are described in
 * docs/pipeline.md; this function only calls them. It never throws on bad input.
 */
export function loadProject(options: LoadOptions = {}): LoadResult {
  const env = options.env ?? process.env;
  const workingDir = resolve(options.workingDir ?? (options.files?.[0] ? dirname(resolve(options.files[0])) : '.'));
  const environment = loadEnvironment(workingDir, options.envFiles, env, undefined, options.confine);
  const diagnostics = [...environment.diagnostics];
  const files = composeFiles(options.files, workingDir, environment.lookup);
  if (files.length === 0) {
    diagnostics.push(
      diagnostic('no-compose-file', `no compose file found in ${workingDir}; pass one with -f or add compose.yaml`, {
        file: workingDir,
        line: 0,
        column: 0,
      }),
    );
    return result(undefined, diagnostics, new Map());
  }

  const ctx: FileContext = { lookup: environment.lookup, diagnostics, cache: new Map(), guard: options.confine, home: options.home };
  const tree = loadTree(files, workingDir, ctx, []);
  if (!tree) return result(undefined, diagnostics, new Map());

  const name = projectNameFor(options.projectName, tree, environment.lookup('COMPOSE_PROJECT_NAME'), workingDir);
  const profiles = activeProfiles(options.profiles ?? [], environment.lookup('COMPOSE_PROFILES'));
  const disabled = disabledByProfiles(tree, profiles, diagnostics);
  resolveServiceEnvironment(tree, environment.lookup, diagnostics, options.confine);
  applyDefaults(tree, name);
  checkReferences(tree, disabled, diagnostics);

  const sourceMap: SourceMap = new Map();
  const plain = toPlain(tree, sourceMap) as Record<string, unknown>;
  return result(toProject(plain, name, workingDir, files, disabled), diagnostics, sourceMap);
}

/** Files → one merged tree, with each file's includes and extends applied first. */
function loadTree(
  files: readonly string[],
  projectDir: string,
  ctx: FileContext,
  chain: string[],
  referencedFrom?: Position,
): MapNode | undefined {
  let merged: MapNode | undefined;
  for (const file of files) {
    const tree = loadComposeFile(file, projectDir, ctx, referencedFrom);
    if (!tree) continue;
    applyIncludes(tree, file, {
      diagnostics: ctx.diagnostics,
      loadSubproject: (request) => loadIncluded(request, ctx, [...chain, file]),
    });
    resolveExtends(tree, file, {
      diagnostics: ctx.diagnostics,
      loadFile: (path, at) => loadComposeFile(path, dirname(path), ctx, at),
    });
    merged = merged ? ((mergeNodes(merged, tree) as MapNode | undefined) ?? mapNode(tree.pos)) : tree;
  }
  return merged;
}

function loadIncluded(request: IncludeRequest, parent: FileContext, chain: string[]): MapNode | undefined {
  const loop = request.files.find((f) => chain.includes(f));
  if (loop || chain.length >= MAX_INCLUDE_DEPTH) {
    parent.diagnostics.push(
      diagnostic('include', `include cycle: ${[...chain, loop ?? request.files[0]].join(' → ')}`, request.at),
    );
    return undefined;
  }
  const environment = loadEnvironment(request.projectDir, request.envFiles, {}, request.at, parent.guard);
  parent.diagnostics.push(...environment.diagnostics);
  const lookup: Lookup = (name) => parent.lookup(name) ?? environment.lookup(name);
  const ctx: FileContext = { lookup, diagnostics: parent.diagnostics, cache: new Map(), guard: parent.guard, home: parent.home };
  return loadTree(request.files, request.projectDir, ctx, chain, request.at);
}

function composeFiles(explicit: readonly string[] | undefined, workingDir: string, lookup: Lookup): string[] {
  if (explicit && explicit.length > 0) return explicit.map((f) => resolve(f));
  const fromEnv = lookup('COMPOSE_FILE');
  if (fromEnv) {
    const separator = lookup('COMPOSE_PATH_SEPARATOR') ?? ':';
    return fromEnv.split(separator).filter(Boolean).map((f) => resolve(workingDir, f));
  }
  return findDefaultComposeFiles(workingDir);
}

function toProject(
  plain: Record<string, unknown>,
  name: string,
  workingDir: string,
  files: string[],
  disabled: Set<string>,
): Project {
  const section = <T>(key: string) => (plain[key] ?? {}) as Record<string, T>;
  const services: Record<string, Service> = {};
  const disabledServices: Record<string, Service> = {};
  for (const [serviceName, raw] of Object.entries(section<Record<string, unknown>>('services'))) {
    const service = { ...(raw ?? {}), name: serviceName } as Service;
    (disabled.has(serviceName) ? disabledServices : services)[serviceName] = service;
  }
  const extensions = Object.fromEntries(Object.entries(plain).filter(([k]) => k.startsWith('x-')));
  return {
    name,
    working_dir: workingDir,
    files,
    services,
    networks: section('networks'),
    volumes: section('volumes'),
    secrets: section('secrets'),
    configs: section('configs'),
    disabled_services: disabledServices,
    extensions,
  };
}

function result(project: Project | undefined, diagnostics: Diagnostic[], sourceMap: SourceMap): LoadResult {
  return {
    project,
    diagnostics,
    sourceMap,
    positionOf: (path) => positionFor(sourceMap, pointer(path)),
  };
}
