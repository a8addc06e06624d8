import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { formatDiagnostic, hasErrors, loadProject, type LoadResult, type Project } from '../compose/index.js';
import { createDockerClient, DockerError, type DockerClient } from '../docker/index.js';
import { EngineError, UnknownServiceError, UnsupportedConfigError } from '../engine/index.js';
import { EXIT, UsageError } from './exit.js';

/** Exit code of a run that failed on the engine's side (compose's own code for it). */
export const EXIT_FAILED = 1;

/** Exit code after Ctrl-C, as a shell reports a process ended by SIGINT. */
export const EXIT_INTERRUPTED = 130;

/** The project options `up`, `down`, `ps`, `logs` and `restart` share, as `config` spells them. */
export interface ProjectOptions {
  file: string[];
  envFile: string[];
  profile: string[];
  projectName?: string;
  projectDirectory?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function withProjectOptions(command: Command, fileFlag = '-f, --file <file>'): Command {
  return command
    .option(fileFlag, 'compose file (repeatable, merged in order)', collect, [])
    .option('-p, --project-name <name>', 'project name')
    .option('--env-file <file>', 'environment file instead of <dir>/.env (repeatable)', collect, [])
    .option('--profile <name>', 'activate a profile (repeatable)', collect, [])
    .option('--project-directory <dir>', 'project directory (default: the directory argument, else the first file’s)');
}

export interface LoadedProject {
  project: Project;
  positionOf: LoadResult['positionOf'];
}

/** Loads the project; bad input becomes exit 2 with every diagnostic printed at its file:line. */
export function loadForEngine(dir: string | undefined, options: ProjectOptions): LoadedProject {
  const explicitDir = options.projectDirectory ?? dir;
  if (explicitDir !== undefined && (!existsSync(explicitDir) || !statSync(explicitDir).isDirectory())) {
    throw new UsageError(`${explicitDir} is not a directory`);
  }
  const workingDir = explicitDir === undefined ? (options.file.length > 0 ? undefined : resolve('.')) : resolve(explicitDir);
  const loaded = loadProject({
    workingDir,
    files: options.file.length > 0 ? options.file : undefined,
    envFiles: options.envFile,
    profiles: options.profile,
    projectName: options.projectName,
  });
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  for (const d of loaded.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  if (!loaded.project || hasErrors(loaded.diagnostics)) {
    throw new UsageError(`the compose project could not be loaded (${errors.length} error${errors.length === 1 ? '' : 's'} above)`);
  }
  return { project: loaded.project, positionOf: loaded.positionOf };
}

/**
 * The project name alone, for commands that find everything by label (`ps`, `logs`): `-p` is
 * enough, as with `docker compose -p NAME ps`, so no compose file is needed then.
 */
export function projectNameOnly(dir: string | undefined, options: ProjectOptions): string {
  if (options.projectName && dir === undefined && options.file.length === 0 && options.projectDirectory === undefined) {
    return options.projectName;
  }
  return loadForEngine(dir, options).project.name;
}

/** A client for DOCKER_HOST; a malformed DOCKER_HOST is the user's to fix (exit 2). */
export function dockerClient(): DockerClient {
  try {
    return createDockerClient();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * Runs an engine command: engine and Docker failures become one message and exit 1, a model the
 * engine cannot run exit 2, never a stack trace. Anything else is left to main's internal-error path.
 */
export async function runEngineCommand(setExit: (code: number) => void, action: () => Promise<number | void>): Promise<void> {
  try {
    const code = await action();
    setExit(code ?? EXIT.ok);
  } catch (err) {
    if (err instanceof UnknownServiceError) {
      process.stderr.write(`shipshape: ${err.message}\n`);
      setExit(EXIT.usage);
      return;
    }
    if (err instanceof UnsupportedConfigError) {
      process.stderr.write(`${err.message}\n`);
      setExit(EXIT.usage);
      return;
    }
    if (err instanceof EngineError || err instanceof DockerError) {
      process.stderr.write(`shipshape: ${err.message}\n`);
      setExit(EXIT_FAILED);
      return;
    }
    throw err;
  }
}

/** Aborts on Ctrl-C or SIGTERM; `onSecond` runs if the user insists. */
export function interruptSignal(onSecond: () => void = () => process.exit(EXIT_INTERRUPTED)): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const handler = () => {
    if (controller.signal.aborted) onSecond();
    else controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
