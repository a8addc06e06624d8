import { buildContext } from '../../src/analyze/context.js';
import type { RuleContext } from '../../src/analyze/types.js';
import { loadProject } from '../../src/compose/index.js';
import { writeTree } from '../helpers/tmp.js';

/** Loads a project from a directory as `analyze` does and returns the context rules and reports read. */
export function contextOfDir(dir: string, env: Record<string, string> = {}): RuleContext {
  const load = loadProject({ workingDir: dir, env });
  if (!load.project) throw new Error(`project in ${dir} did not load: ${JSON.stringify(load.diagnostics)}`);
  return buildContext({ dir, environment: { name: 'base', files: load.project.files }, load: { ...load, project: load.project } });
}

/** Writes a throwaway project (`{ 'compose.yaml': '…', 'nginx.conf': '…' }`) and loads it. */
export function contextOf(files: Record<string, string>, env: Record<string, string> = {}): RuleContext {
  return contextOfDir(writeTree(files), env);
}
