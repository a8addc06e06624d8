import type { Command } from 'commander';
import { execInService } from '../engine/index.js';
import { dockerClient, runEngineCommand, withProjectOptions, type ProjectOptions } from './engine-options.js';
import { targetProject } from './project-target.js';
import { collect, envEntries, parseIndex, processStdio, wantsTty } from './terminal-io.js';

interface ExecCliOptions extends ProjectOptions {
  detach?: boolean;
  TTY: boolean;
  user?: string;
  workdir?: string;
  env: string[];
  index?: string;
  privileged?: boolean;
}

export function registerExecCommand(program: Command, setExit: (code: number) => void): void {
  withProjectOptions(
    program
      .command('exec')
      .description('Run a command in a running container of a service, as `docker compose exec` does; exits with its code')
      .argument('<service>', 'the service')
      .argument('<command...>', 'the command and its arguments')
      .option('-d, --detach', 'run the command in the background')
      .option('-T, --no-TTY', 'do not allocate a TTY (default: one when stdin and stdout are terminals)')
      .option('-u, --user <user>', 'run as this user')
      .option('-w, --workdir <dir>', 'working directory of the command')
      .option('-e, --env <KEY=VALUE>', 'set an environment variable (repeatable)', collect, [])
      .option('--index <n>', 'which replica of the service', undefined)
      .option('--privileged', 'give the command extended privileges')
      .passThroughOptions(),
  ).action((service: string, command: string[], options: ExecCliOptions) =>
    runEngineCommand(setExit, async () => {
      const index = parseIndex(options.index);
      const projectName = targetProject(options, [service]).name;
      const tty = wantsTty(!options.TTY);
      const { io, release } = processStdio(tty, !options.detach);
      try {
        return await execInService({
          docker: dockerClient(),
          projectName,
          service,
          command,
          tty,
          env: envEntries(options.env),
          io,
          ...(index !== undefined ? { index } : {}),
          ...(options.user ? { user: options.user } : {}),
          ...(options.workdir ? { workdir: options.workdir } : {}),
          ...(options.privileged ? { privileged: true } : {}),
          ...(options.detach ? { detach: true } : {}),
        });
      } finally {
        release();
      }
    }),
  );
}
