import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isInside, type FileGuard, type LoadResult, type Project } from '../compose/index.js';
import type { RuleContext } from './types.js';

export interface ContextInput {
  dir: string;
  environment: { name: string; files: string[] };
  load: LoadResult & { project: Project };
  base?: { project: Project; load: LoadResult };
  /**
   * The folders whose files Shipshape judges (the analyzed folder and the project's; default
   * `dir`), plus those the compose files reach by relative paths. Anything else is the deploy
   * host's (`/srv/data`, `~/.ssh`), see `hostDependent`.
   */
  roots?: readonly string[];
  /** Shared between the environments of one run, so a file is read once. */
  cache?: Map<string, string | undefined>;
  /**
   * Files the rules may look at; others read as unknown (a remote deploy's gate: a finding must
   * never carry, or hint at, a host file the package named).
   */
  confine?: FileGuard;
  allowedHostPaths?: readonly string[];
  untrusted?: boolean;
  projectBuilds?: RuleContext['projectBuilds'];
  images?: RuleContext['images'];
}

/**
 * A path outside the analyzed folders, or still written relative to a home (`~/…`), belongs to the
 * host the project is deployed on: the machine running the analysis says nothing about it, so it
 * is never read, listed or found missing here (docs/pipeline.md, "Host paths").
 */
export function hostDependent(path: string, roots: readonly string[]): boolean {
  if (!isAbsolute(path)) return true;
  return !roots.some((root) => isInside(path, root));
}

/**
 * The folders above a compose file that it reaches by relative paths (`context: ..`,
 * `../../docs/assets:/docs`): written relative, they are part of the checkout, not of the host,
 * and are judged like the project's own files.
 */
export function relativeRoots(files: readonly string[]): string[] {
  const roots = new Set<string>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/(?<![\w./~$-])((?:\.\.\/)*\.\.)(?=[/"'\s,\]}:]|$)/gm)) roots.add(resolve(dirname(file), m[1] ?? '..'));
  }
  return [...roots];
}

export function buildContext(input: ContextInput): RuleContext {
  const cache = input.cache ?? new Map<string, string | undefined>();
  const roots = [...(input.roots ?? [input.dir]), ...relativeRoots(input.environment.files)];
  // Rules ask for the same few files again and again (every finding's file, for its ignores).
  const readable = new Map<string, boolean>();
  const readText = (path: string): string | undefined => {
    let ok = readable.get(path);
    if (ok === undefined) {
      ok = !hostDependent(path, roots) && (!input.confine || input.confine(path));
      readable.set(path, ok);
    }
    if (!ok) return undefined;
    if (cache.has(path)) return cache.get(path);
    let text: string | undefined;
    try {
      text = statSync(path).isFile() ? readFileSync(path, 'utf8') : undefined;
    } catch {
      text = undefined;
    }
    cache.set(path, text);
    return text;
  };
  return {
    dir: input.dir,
    environment: input.environment,
    project: input.load.project,
    load: input.load,
    diagnostics: input.load.diagnostics,
    base: input.base,
    allowedHostPaths: input.allowedHostPaths,
    untrusted: input.untrusted,
    projectBuilds: input.projectBuilds,
    images: input.images,
    readText,
    exists: (path) => {
      // Outside the confinement nothing is claimed either way: host-path-escape reports the reference.
      if (input.confine && !input.confine(path)) return true;
      // Present as far as this machine can tell: the deploy host's paths are not judged here.
      if (hostDependent(path, roots)) return true;
      try {
        statSync(path);
        return true;
      } catch {
        return false;
      }
    },
    listDir: (path) => {
      if (input.confine && !input.confine(path)) return [];
      if (hostDependent(path, roots)) return [];
      try {
        return readdirSync(path);
      } catch {
        return [];
      }
    },
  };
}
