import type { Command } from 'commander';
import { down } from '../engine/index.js';
import { UsageError } from './exit.js';
import { dockerClient, EXIT_INTERRUPTED, interruptSignal, loadForEngine, runEngineCommand, withProjectOptions, type ProjectOptions } from './engine-options.js';
import { createProgressRenderer } from './progress-renderer.js';

interface DownCliOptions extends ProjectOptions {
  volumes?: boolean;
  removeOrphans?: boolean;
  timeout?: string;
}

export function registerDownCommand(program: Command, setExit: (code: number) => void): void {
  withProjectOptions(
    program
      .command('down')
      .description('Stop and remove the containers and networks of the project, as `docker compose down` does')
      .argument('[dir]', 'project directory')
      .option('-v, --volumes', 'also remove the named volumes of the project and anonymous volumes of its containers')
      .option('--remove-orphans', 'also remove containers of services not in the project')
      .option('-t, --timeout <seconds>', 'stop timeout, instead of each service’s stop_grace_period'),
  ).action((dir: string | undefined, options: DownCliOptions) =>
    runEngineCommand(setExit, async () => {
      const timeoutSeconds = options.timeout === undefined ? undefined : Number(options.timeout);
      if (timeoutSeconds !== undefined && (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 0)) {
        throw new UsageError(`--timeout must be a whole number of seconds, not "${options.timeout}"`);
      }
      const { project } = loadForEngine(dir, options);
      const docker = dockerClient();
      const interrupt = interruptSignal();
      const renderer = createProgressRenderer(process.stderr, { title: 'Running', color: process.stderr.isTTY === true && !process.env.NO_COLOR });
      try {
        const result = await down(project, {
          docker,
          removeVolumes: options.volumes ?? false,
          removeOrphans: options.removeOrphans ?? false,
          ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
          onProgress: (e) => renderer.onProgress(e),
          signal: interrupt.signal,
        });
        renderer.done();
        for (const warning of result.warnings) process.stderr.write(`shipshape: warning: ${warning}\n`);
      } catch (err) {
        // Ctrl-C stops `down` where it is; what it had not removed yet is still there.
        if (!interrupt.signal.aborted) throw err;
        renderer.done();
        process.stderr.write('shipshape: down was cancelled; run it again to remove the rest\n');
        return EXIT_INTERRUPTED;
      } finally {
        renderer.done();
        interrupt.dispose();
      }
    }),
  );
}
