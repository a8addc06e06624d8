import { loadProject, type LoadResult, type Project } from '../../src/compose/index.js';
import { writeTree } from '../helpers/tmp.js';

/** Loads a compose file written to a temporary directory; fails the test on loader errors. */
export function load(compose: string, name = 'demo', extra: Record<string, string> = {}): LoadResult & { project: Project; dir: string } {
  const dir = writeTree({ 'compose.yaml': compose, ...extra });
  const result = loadProject({ workingDir: dir, projectName: name, env: {} });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (!result.project || errors.length > 0) throw new Error(`fixture does not load: ${errors.map((d) => d.message).join('; ')}`);
  return { ...result, project: result.project, dir };
}
