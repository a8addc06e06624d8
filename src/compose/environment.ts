import { join } from 'node:path';
import { readGuarded, type FileGuard } from './confine.js';
import { diagnostic, type Diagnostic, type Position } from './diagnostics.js';
import { parseDotenv } from './dotenv.js';
import type { Lookup } from './interpolate.js';

export interface ProjectEnvironment {
  /** Process environment first, then the env files: compose's precedence for interpolation. */
  lookup: Lookup;
  /** Values read from `.env` / `--env-file`, in order. */
  fromFiles: Map<string, string>;
  diagnostics: Diagnostic[];
}

/**
 * Reads `--env-file` files when given, else the project directory's `.env` when there is one.
 * A missing `--env-file` is an error; a missing `.env` is normal.
 */
export function loadEnvironment(
  projectDir: string,
  envFiles: readonly string[] | undefined,
  processEnv: Readonly<Record<string, string | undefined>>,
  referencedFrom?: Position,
  guard?: FileGuard,
): ProjectEnvironment {
  const diagnostics: Diagnostic[] = [];
  const fromFiles = new Map<string, string>();
  const fromProcess: Lookup = (name) => processEnv[name];
  const lookup: Lookup = (name) => processEnv[name] ?? fromFiles.get(name);
  const explicit = envFiles !== undefined && envFiles.length > 0;
  const files = explicit ? envFiles : [join(projectDir, '.env')];

  for (const file of files) {
    const { text, refused } = readGuarded(file, guard, referencedFrom ?? { file, line: 0, column: 0 }, diagnostics);
    if (text === undefined) {
      if (explicit && !refused) {
        diagnostics.push(
          diagnostic('file-not-found', `env file ${file} not found. Check the path.`, referencedFrom ?? { file, line: 0, column: 0 }),
        );
      }
      continue;
    }
    const parsed = parseDotenv(text, (name) => fromProcess(name) ?? fromFiles.get(name));
    for (const issue of parsed.issues) {
      diagnostics.push(diagnostic('env-file', issue.message, { file, line: issue.line, column: issue.column }));
    }
    for (const [k, v] of parsed.values) fromFiles.set(k, v);
  }
  return { lookup, fromFiles, diagnostics };
}
