import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findDefaultComposeFiles } from '../../compose/index.js';

export type DeployFiles = { projectDir: string; files: string[] } | { error: string };

/**
 * The compose files a deploy runs from a package folder, the same on the agent (which runs
 * them) and the manager (which checks them first): compose's default files at the top of the
 * folder, or — for a package zipped with its folder, as most tools do — in the one folder it
 * holds. Nothing the package says (`.shipshape.yml`, COMPOSE_FILE in its `.env`) changes them.
 */
export function deployFiles(folder: string): DeployFiles {
  const top = findDefaultComposeFiles(folder);
  if (top.length > 0) return { projectDir: folder, files: top };
  let entries: string[];
  try {
    entries = readdirSync(folder).filter((e) => e !== '__MACOSX' && e !== '.DS_Store');
  } catch {
    entries = [];
  }
  const only = entries.length === 1 ? join(folder, entries[0]!) : undefined;
  if (only && isDirectory(only)) {
    const inner = findDefaultComposeFiles(only);
    if (inner.length > 0) return { projectDir: only, files: inner };
  }
  return { error: 'no compose file (compose.yaml, compose.yml, docker-compose.yaml or docker-compose.yml) at the top of the stack' };
}

/** A real folder; a link is not followed. */
function isDirectory(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}
