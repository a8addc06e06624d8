import type { Command } from 'commander';
import { buildServices, type ProgressEvent } from '../engine/index.js';
import { dockerClient, interruptSignal, loadForEngine, runEngineCommand, withProjectOptions, type ProjectOptions } from './engine-options.js';
import { createProgressRenderer } from './progress-renderer.js';

interface BuildCliOptions extends ProjectOptions {
  noCache?: boolean;
  pull?: boolean;
  quiet?: boolean;
}

export function registerBuildCommand(program: Command, setExit: (code: number) => void): void {
  withProjectOptions(
    program
      .command('build')
      .description('Build the services’ images through the Engine build API, as `docker compose build` does')
      .argument('[service...]', 'only these services (default every service with a build section)')
      .option('--no-cache', 'do not use the layer cache')
      .option('--pull', 'pull newer versions of the base images')
      .option('-q, --quiet', 'print nothing but errors'),
  ).action((services: string[], options: BuildCliOptions & { cache: boolean }) =>
    runEngineCommand(setExit, async () => {
      const { project } = loadForEngine(undefined, options);
      const interrupt = interruptSignal();
      const tty = process.stderr.isTTY === true;
      const renderer = createProgressRenderer(process.stderr, { title: 'Building', color: tty && !process.env.NO_COLOR });
      // On a terminal the progress block shows each build's latest line; elsewhere the builds'
      // own output is printed as it comes, prefixed with the service, as compose's plain progress.
      const onProgress = (e: ProgressEvent) => {
        if (options.quiet) return;
        if (tty) renderer.onProgress(e);
        else if (e.status === 'working' && e.detail) process.stderr.write(`${e.service ?? e.name}  ${e.detail}\n`);
        else renderer.onProgress(e);
      };
      try {
        await buildServices(project, {
          docker: dockerClient(),
          services,
          noCache: !options.cache,
          pull: options.pull ?? false,
          onProgress,
          signal: interrupt.signal,
        });
      } finally {
        renderer.done();
        interrupt.dispose();
      }
    }),
  );
}
