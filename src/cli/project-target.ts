import { findDefaultComposeFiles, type Project } from '../compose/index.js';
import { checkServiceNames } from '../engine/index.js';
import { loadForEngine, type ProjectOptions } from './engine-options.js';

/**
 * The project a container command acts on. With only `-p NAME` no compose file is read (the
 * containers are found by label, as with `docker compose -p NAME exec`); otherwise the project
 * is loaded and every named service must be one of its services (else exit 2).
 */
export function targetProject(options: ProjectOptions, services: readonly string[]): { name: string; project?: Project } {
  const labelsOnly = options.projectName && options.file.length === 0 && options.projectDirectory === undefined;
  // As compose: `-p NAME` still reads the compose file of this directory when there is one.
  if (labelsOnly && findDefaultComposeFiles('.').length === 0) return { name: options.projectName! };
  const { project } = loadForEngine(undefined, options);
  checkServiceNames(project, services);
  return { name: project.name, project };
}
