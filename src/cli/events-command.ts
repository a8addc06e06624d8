import type { Command } from 'commander';
import { projectEvents } from '../engine/index.js';
import { dockerClient, interruptSignal, runEngineCommand, withProjectOptions, type ProjectOptions } from './engine-options.js';
import { targetProject } from './project-target.js';

export function registerEventsCommand(program: Command, setExit: (code: number) => void): void {
  withProjectOptions(
    program
      .command('events')
      .description('Print the container events of the project as they happen, as `docker compose events` does (Ctrl-C ends)')
      .argument('[service...]', 'only these services (default all)')
      .option('--json', 'one JSON object per event'),
  ).action((services: string[], options: ProjectOptions & { json?: boolean }) =>
    runEngineCommand(setExit, async () => {
      const { name } = targetProject(options, services);
      const interrupt = interruptSignal();
      try {
        for await (const e of projectEvents(dockerClient(), name, { services, signal: interrupt.signal })) {
          if (options.json) process.stdout.write(`${JSON.stringify(e)}\n`);
          else {
            const attributes = Object.entries(e.attributes)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, v]) => `${k}=${v}`)
              .join(', ');
            process.stdout.write(`${e.time} ${e.type} ${e.action} ${e.id}${attributes ? ` (${attributes})` : ''}\n`);
          }
        }
      } finally {
        interrupt.dispose();
      }
    }),
  );
}
