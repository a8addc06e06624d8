import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { kill, pause, removable, remove, start, stop, unpause, type LifecycleOptions, type ProgressEvent } from '../engine/index.js';
import { UsageError } from './exit.js';
import { dockerClient, interruptSignal, loadForEngine, runEngineCommand, withProjectOptions, type ProjectOptions } from './engine-options.js';
import { createProgressRenderer } from './progress-renderer.js';
import { checkServiceNames } from '../engine/index.js';

type SetExit = (code: number) => void;

/** Loads the project, checks the service names and runs `work` with a progress display and Ctrl-C handling. */
async function withServices<T>(
  title: string,
  services: string[],
  options: ProjectOptions,
  work: (project: ReturnType<typeof loadForEngine>['project'], common: LifecycleOptions & { onProgress: (e: ProgressEvent) => void }) => Promise<T>,
): Promise<T> {
  const { project } = loadForEngine(undefined, options);
  checkServiceNames(project, services);
  const interrupt = interruptSignal();
  const renderer = createProgressRenderer(process.stderr, { title, color: process.stderr.isTTY === true && !process.env.NO_COLOR });
  try {
    return await work(project, { docker: dockerClient(), services, onProgress: (e) => renderer.onProgress(e), signal: interrupt.signal });
  } finally {
    renderer.done();
    interrupt.dispose();
  }
}

function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--timeout must be a whole number of seconds, not "${value}"`);
  return n;
}

function serviceCommand(program: Command, name: string, description: string, fileFlag?: string): Command {
  return withProjectOptions(program.command(name).description(description).argument('[service...]', 'only these services (default all)'), fileFlag);
}

export function registerStopCommand(program: Command, setExit: SetExit): void {
  serviceCommand(program, 'stop', 'Stop the services’ containers without removing them, as `docker compose stop` does')
    .option('-t, --timeout <seconds>', 'stop timeout, instead of each service’s stop_grace_period')
    .action((services: string[], options: ProjectOptions & { timeout?: string }) =>
      runEngineCommand(setExit, async () => {
        const timeoutSeconds = parseTimeout(options.timeout);
        await withServices('Stopping', services, options, (project, common) =>
          stop(project, { ...common, ...(services.length ? {} : { services: undefined }), ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}) }),
        );
      }),
    );
}

export function registerStartCommand(program: Command, setExit: SetExit): void {
  serviceCommand(program, 'start', 'Start the services’ existing containers, as `docker compose start` does').action(
    (services: string[], options: ProjectOptions) =>
      runEngineCommand(setExit, async () => {
        await withServices('Starting', services, options, (project, common) => start(project, common));
      }),
  );
}

export function registerKillCommand(program: Command, setExit: SetExit): void {
  serviceCommand(program, 'kill', 'Send a signal (default SIGKILL) to the services’ running containers, as `docker compose kill` does')
    .option('-s, --signal <signal>', 'the signal to send', 'SIGKILL')
    .action((services: string[], options: ProjectOptions & { signal: string }) =>
      runEngineCommand(setExit, async () => {
        if (!/^(SIG)?[A-Z0-9+-]+$|^\d+$/i.test(options.signal)) throw new UsageError(`"${options.signal}" is not a signal name or number`);
        await withServices('Killing', services, options, (project, common) => kill(project, { ...common, signalName: options.signal }));
      }),
    );
}

export function registerPauseCommand(program: Command, setExit: SetExit): void {
  serviceCommand(program, 'pause', 'Pause the services’ running containers, as `docker compose pause` does').action(
    (services: string[], options: ProjectOptions) =>
      runEngineCommand(setExit, async () => {
        await withServices('Pausing', services, options, (project, common) => pause(project, common));
      }),
  );
}

export function registerUnpauseCommand(program: Command, setExit: SetExit): void {
  serviceCommand(program, 'unpause', 'Unpause the services’ paused containers, as `docker compose unpause` does').action(
    (services: string[], options: ProjectOptions) =>
      runEngineCommand(setExit, async () => {
        await withServices('Unpausing', services, options, (project, common) => unpause(project, common));
      }),
  );
}

interface RmCliOptions extends ProjectOptions {
  force?: boolean;
  stop?: boolean;
  volumes?: boolean;
}

export function registerRmCommand(program: Command, setExit: SetExit): void {
  // `-f` is compose's --force here, so the compose file is given with --file.
  serviceCommand(program, 'rm', 'Remove the services’ stopped containers, as `docker compose rm` does', '--file <file>')
    .option('-f, --force', 'do not ask for confirmation')
    .option('-s, --stop', 'stop the containers first if they are running')
    .option('-v, --volumes', 'also remove their anonymous volumes')
    .action((services: string[], options: RmCliOptions) =>
      runEngineCommand(setExit, async () => {
        await withServices('Removing', services, options, async (project, common) => {
          const containers = await removable(project, { ...common, stop: options.stop ?? false });
          if (containers.length === 0) {
            process.stderr.write('No stopped containers\n');
            return;
          }
          if (!options.force) {
            const names = containers.map((c) => c.name).join(', ');
            if (!process.stdin.isTTY) throw new UsageError(`rm would remove ${names}; confirm with -f when stdin is not a terminal`);
            const prompt = createInterface({ input: process.stdin, output: process.stderr });
            const answer = await prompt.question(`Going to remove ${names}\n? Are you sure? (y/N) `).finally(() => prompt.close());
            if (!/^y(es)?$/i.test(answer.trim())) return;
          }
          await remove(containers, { ...common, volumes: options.volumes ?? false });
        });
      }),
    );
}
