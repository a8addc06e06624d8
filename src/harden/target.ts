import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { analyze, RULES, serviceImageFacts, type EnvironmentReport } from '../analyze/index.js';
import { defaultServiceProbe, discoverProjects, formatDiagnostic, loadProject, readShipshapeConfig, type FileGuard, type LoadResult, type Project } from '../compose/index.js';
import { HardenError } from './errors.js';

/** The environment harden works on: its project folder, the base files, and its own files in merge order. */
export interface HardenTarget {
  dir: string;
  /** The base environment's files (what an overlay environment is compared to). */
  baseFiles: string[];
  files: string[];
  environment: string;
  /**
   * Someone else's package (the manager's harden routes): only files inside the guard are read,
   * and the package's own ignores and `.shipshape.yml` count for nothing, as in the deploy gate.
   */
  confine?: FileGuard;
}

export interface TargetOptions {
  dir?: string;
  files?: readonly string[];
  env?: string;
}

/** `harden [DIR] [-f FILE]... [--env NAME]` → the files to harden, as `analyze` would pick them. */
export function resolveTarget(options: TargetOptions): HardenTarget {
  const root = resolve(options.dir ?? '.');
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new HardenError(`${options.dir ?? '.'} is not a directory`);
  if (options.files && options.files.length > 0) {
    const files = options.files.map((f) => resolve(root, f));
    const missing = files.find((f) => !existsSync(f));
    if (missing) throw new HardenError(`${missing}: no such compose file`);
    if (options.env) throw new HardenError('give either -f files or --env, not both');
    return { dir: options.dir ? root : dirname(files[0]!), baseFiles: [files[0]!], files, environment: 'base' };
  }
  const { config, issue } = readShipshapeConfig(root);
  if (issue) throw new HardenError(`${issue.file}: ${issue.message}`);
  const found = discoverProjects(root, defaultServiceProbe, { config });
  const project = found.projects.find((p) => p.dir === root) ?? (found.projects.length === 1 ? found.projects[0] : undefined);
  if (!project) {
    const list = found.projects.map((p) => p.dir).join(', ');
    throw new HardenError(found.projects.length === 0 ? `no compose file found in ${root}` : `${root} holds several projects (${list}); run harden in one of them`);
  }
  const name = options.env ?? 'base';
  const environment = project.environments.find((e) => e.name === name);
  if (!environment) {
    throw new HardenError(`no environment "${name}" in ${project.dir} (found: ${project.environments.map((e) => e.name).join(', ') || 'none'})`);
  }
  const base = project.environments.find((e) => e.name === 'base') ?? environment;
  return { dir: project.dir, baseFiles: base.files, files: environment.files, environment: name };
}

/** Where the overlay goes by default: `compose.hardened.yml` beside the first compose file. */
export function defaultOverlayPath(target: HardenTarget): string {
  return join(dirname(target.files[0]!), 'compose.hardened.yml');
}

export interface LoadedTarget {
  /** The merged model (loaded even when the files have errors; `load.diagnostics` has them). */
  project: Project;
  load: LoadResult;
  base?: Project;
  report: EnvironmentReport;
}

/**
 * Loads the environment as the analyzer does and analyzes it, `env` filling the variables (the
 * CLI's process environment; harden never prints values). A project that does not load is the
 * user's to fix first.
 */
export function loadTarget(target: HardenTarget, env: Readonly<Record<string, string | undefined>>, overlay?: string): LoadedTarget {
  const files = overlay ? [...target.files, overlay] : target.files;
  const load = loadProject({ workingDir: target.dir, files, env, home: null, confine: target.confine });
  // Errors in the user's files do not stop an overlay (it fixes other things); they stop --verify.
  if (!load.project) {
    throw new HardenError(`the project does not load:\n${load.diagnostics.map((d) => formatDiagnostic(d)).join('\n')}`);
  }
  const isOverlay = target.files.length > target.baseFiles.length || overlay !== undefined;
  const base = isOverlay ? loadProject({ workingDir: target.dir, files: target.baseFiles, env, home: null, confine: target.confine }).project : undefined;
  const name = overlay ? 'hardened' : target.environment === 'base' ? 'base' : 'target';
  const { report, problems } = analyze({
    root: target.dir,
    environmentFiles: { base: target.baseFiles, ...(name === 'base' ? {} : { [name]: files }) },
    environments: [name],
    env,
    rules: RULES,
    version: 'harden',
    ...(target.confine ? { confine: target.confine, untrustedProject: true } : {}),
  });
  const environment = report.projects.find((p) => p.dir === '.')?.environments[0] ?? report.projects[0]?.environments[0];
  if (!environment) throw new HardenError(`the project could not be analyzed: ${problems.map((p) => p.message).join('; ') || 'no environment'}`);
  return { project: load.project, load, base, report: environment };
}

/** The analyzer's image facts for every service of a loaded environment. */
export function factsOfTarget(target: HardenTarget, loaded: LoadedTarget) {
  return serviceImageFacts({ dir: target.dir, files: target.files, load: { ...loaded.load, project: loaded.project } });
}

/** Reads a project file's text once per call site; undefined when it cannot be read. */
export function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export const overlayName = (path: string) => basename(path);
