import type { Command } from 'commander';
import { checkServiceNames, restart } from '../engine/index.js';
import { UsageError } from './exit.js';
import { dockerClient, interruptSignal, loadForEngine, runEngineCommand, withProjectOptions, type ProjectOptions } from './engine-options.js';
import { createProgressRenderer } from './progress-renderer.js';

interface RestartCliOptions extends ProjectOptions {
  timeout?: string;
}

export function registerRestartCommand(program: Command, setExit: (code: number) => void): void {
  withProjectOptions(
    program
      .command('restart')
      .description('Restart the containers of the services, as `docker compose restart` does')
      .argument('[service...]', 'only these services')
      .option('-t, --timeout <seconds>', 'stop timeout, instead of each service’s stop_grace_period'),
  ).action((services: string[], options: RestartCliOptions) =>
    runEngineCommand(setExit, async () => {
      const timeoutSeconds = options.timeout === undefined ? undefined : Number(options.timeout);
      if (timeoutSeconds !== undefined && (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 0)) {
        throw new UsageError(`--timeout must be a whole number of seconds, not "${options.timeout}"`);
      }
      const { project } = loadForEngine(undefined, options);
      checkServiceNames(project, services);
      const interrupt = interruptSignal();
      const renderer = createProgressRenderer(process.stderr, { title: 'Restarting', color: process.stderr.isTTY === true && !process.env.NO_COLOR });
      try {
        await restart(project, {
          docker: dockerClient(),
          services,
          ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
          onProgress: (e) => renderer.onProgress(e),
          signal: interrupt.signal,
        });
      } finally {
        renderer.done();
        interrupt.dispose();
      }
    }),
  );
}
