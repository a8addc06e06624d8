import type { Command } from 'commander';
import { logs } from '../engine/index.js';
import { UsageError } from './exit.js';
import { dockerClient, interruptSignal, projectNameOnly, runEngineCommand, withProjectOptions, type ProjectOptions } from './engine-options.js';
import { logPrinter } from './log-printer.js';
import { prefixFor } from './up-command.js';

interface LogsCliOptions extends ProjectOptions {
  follow?: boolean;
  tail?: string;
  timestamps?: boolean;
  color: boolean;
  logPrefix: boolean;
}

export function registerLogsCommand(program: Command, setExit: (code: number) => void): void {
  // `-f` follows, as in `docker compose logs -f`; the compose file is `--file` here.
  withProjectOptions(
    program
      .command('logs')
      .description('Show the output of the services, as `docker compose logs` does')
      .argument('[service...]', 'only these services')
      .option('-f, --follow', 'keep printing new output')
      .option('-n, --tail <lines>', 'lines from the end of each container’s output')
      .option('-t, --timestamps', 'show timestamps')
      .option('--no-color', 'no colours')
      .option('--no-log-prefix', 'no `service-1 |` prefix'),
    '--file <file>',
  ).action((services: string[], options: LogsCliOptions) =>
    runEngineCommand(setExit, async () => {
      const tail = options.tail === undefined || options.tail === 'all' ? undefined : Number(options.tail);
      if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) {
        throw new UsageError(`--tail must be a number of lines or "all", not "${options.tail}"`);
      }
      const name = projectNameOnly(undefined, options);
      const interrupt = interruptSignal();
      const color = options.color && process.stdout.isTTY === true && !process.env.NO_COLOR;
      const print = logPrinter(process.stdout, [], color);
      try {
        for await (const line of logs(dockerClient(), name, {
          services,
          follow: options.follow ?? false,
          timestamps: options.timestamps ?? false,
          ...(tail !== undefined ? { tail } : {}),
          signal: interrupt.signal,
        })) {
          if (options.logPrefix) print({ prefix: prefixFor(line.container, name), line: line.line });
          else process.stdout.write(`${line.line}\n`);
        }
      } finally {
        interrupt.dispose();
      }
    }),
  );
}
