import { relative } from 'node:path';
import type { Project } from '../compose/index.js';
import type { ProgressEvent } from '../contract/index.js';
import { EngineError, UnsupportedConfigError, type ProgressEvent as EngineProgress } from '../engine/index.js';
import { HttpError, unprocessable } from './errors.js';

/** How the agent finds, loads and reports on a stack's compose files (docs/agent.md). */

/** The compose model, loaded on the first stack operation: an idle agent does not need it. */
function composeModel(): Promise<typeof import('../compose/index.js')> {
  return import('../compose/index.js');
}

/** The project directory and compose files of a stack folder: the analyzer's deployFiles, which the manager checks too. */
export async function locateStack(stackDir: string): Promise<{ projectDir: string; files: string[] }> {
  const { deployFiles } = await import('../analyze/index.js');
  const located = deployFiles(stackDir);
  if ('error' in located) throw unprocessable(located.error, undefined, 'no_compose_file');
  return located;
}

/**
 * Loads a stack as the engine will run it. The agent's own environment (which holds
 * SERVER_KEY) never reaches interpolation: only the stack's `.env` does. The loader reads no
 * file outside the stack folder and the operator's allowed host paths.
 */
export async function loadStack(projectDir: string, files: string[], name: string, allowedHostPaths: readonly string[]): Promise<Project> {
  const { confinedTo, formatDiagnostic, hasErrors, loadProject } = await composeModel();
  const load = loadProject({ workingDir: projectDir, files, projectName: name, env: {}, confine: confinedTo([projectDir, ...allowedHostPaths]) });
  const errors = load.diagnostics.filter((d) => d.severity === 'error');
  if (!load.project || hasErrors(load.diagnostics)) {
    const shown = errors.slice(0, 10).map((d) => formatDiagnostic({ ...d, file: relative(projectDir, d.file) || d.file }));
    throw new HttpError(422, 'invalid_compose', `the compose files do not load: ${shown.join('; ') || 'no project'}`, { diagnostics: shown });
  }
  return load.project;
}

/** A project that only has a name: what runs under it is found by its labels (down's orphan removal). */
export function emptyProject(name: string, dir: string): Project {
  return { name, working_dir: dir, files: [], services: {}, networks: {}, volumes: {}, secrets: {}, configs: {}, disabled_services: {}, extensions: {} };
}

/** Services other services wait on to exit 0 (`service_completed_successfully`): one-shots by the compose file's own word. */
export function declaredOneShots(project: Project): string[] {
  const out = new Set<string>();
  for (const service of Object.values(project.services)) {
    for (const [dependency, d] of Object.entries(service.depends_on ?? {})) if (d.condition === 'service_completed_successfully') out.add(dependency);
  }
  return [...out].sort();
}

export function engineFailure(err: unknown, operation: string): unknown {
  if (err instanceof UnsupportedConfigError) {
    return new HttpError(422, 'unsupported', `the engine cannot run this stack: ${err.message}`, { issues: err.issues.map((i) => ({ ...i })) });
  }
  if (err instanceof EngineError) {
    return new HttpError(422, `${operation}_failed`, err.message, err.service ? { service: err.service } : undefined);
  }
  return err;
}

export function toProgress(event: EngineProgress): ProgressEvent {
  const detail = event.detail ? `: ${event.detail.trim()}` : '';
  return {
    type: 'progress',
    message: `${event.kind} ${event.name} ${event.action} ${event.status}${detail}`,
    ...(event.service ? { service: event.service } : {}),
  };
}
