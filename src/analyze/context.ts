import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { LoadResult, Project } from '../compose/index.js';
import type { RuleContext } from './types.js';

export interface ContextInput {
  dir: string;
  environment: { name: string; files: string[] };
  load: LoadResult & { project: Project };
  base?: { project: Project; load: LoadResult };
  /** Shared between the environments of one run, so a file is read once. */
  cache?: Map<string, string | undefined>;
}

export function buildContext(input: ContextInput): RuleContext {
  const cache = input.cache ?? new Map<string, string | undefined>();
  const readText = (path: string): string | undefined => {
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
    readText,
    exists: (path) => {
      try {
        statSync(path);
        return true;
      } catch {
        return false;
      }
    },
    listDir: (path) => {
      try {
        return readdirSync(path);
      } catch {
        return [];
      }
    },
  };
}
