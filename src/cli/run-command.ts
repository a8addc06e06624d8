import type { Command } from 'commander';
import { splitShellWords } from '../compose/index.js';
import { runOneOff } from '../engine/index.js';
import { UsageError } from './exit.js';
import { dockerClient, interruptSignal, loadForEngine, runEngineCommand, withProjectOptions, type ProjectOptions } from './engine-options.js';
import { createProgressRenderer } from './progress-renderer.js';
import { collect, envEntries, processStdio, wantsTty } from './terminal-io.js';

interface RunCliOptions extends ProjectOptions {
  detach?: boolean;
  rm?: boolean;
  deps: boolean;
  TTY: boolean;
  interactive: boolean;
  entrypoint?: string;
  env: string[];
  volume: string[];
  user?: string;
  workdir?: string;
  name?: string;
  servicePorts?: boolean;
}

export function registerRunCommand(program: Command, setExit: (code: number) => void): void {
  withProjectOptions(
    program
      .command('run')
      .description('Run a one-off command in a new container of a service, as `docker compose run` does; exits with its code')
      .argument('<service>', 'the service')
      .argument('[command...]', 'the command and its arguments (default: the service’s)')
      .option('-d, --detach', 'run the container in the background and print its name')
      .option('--rm', 'remove the container when it exits')
      .option('--no-deps', 'do not start the services it depends on')
      .option('-T, --no-TTY', 'do not allocate a TTY (default: one when stdin and stdout are terminals)')
      .option('-i, --interactive', 'keep stdin open (the default)', true)
      .option('--entrypoint <command>', 'replace the image’s entrypoint')
      .option('-e, --env <KEY=VALUE>', 'set an environment variable (repeatable)', collect, [])
      .option('-v, --volume <SOURCE:TARGET[:MODE]>', 'bind-mount a path or mount a project volume (repeatable)', collect, [])
      .option('-u, --user <user>', 'run as this user')
      .option('-w, --workdir <dir>', 'working directory in the container')
      .option('--name <name>', 'container name instead of <project>-<service>-run-<id>')
      .option('--service-ports', 'publish the service’s ports')
      .passThroughOptions(),
  ).action((service: string, command: string[], options: RunCliOptions) =>
    runEngineCommand(setExit, async () => {
      if (options.detach && options.rm) throw new UsageError('--rm and -d cannot be combined');
      let entrypoint: string[] | undefined;
      if (options.entrypoint !== undefined) {
        entrypoint = splitShellWords(options.entrypoint);
        if (!entrypoint) throw new UsageError(`--entrypoint "${options.entrypoint}" has an unclosed quote`);
      }
      const env: Record<string, string | null> = {};
      for (const entry of envEntries(options.env)) {
        const eq = entry.indexOf('=');
        if (eq === 0) throw new UsageError(`-e "${entry}" has no variable name`);
        if (eq < 0) env[entry] = null;
        else env[entry.slice(0, eq)] = entry.slice(eq + 1);
      }
      const { project } = loadForEngine(undefined, options);
      const tty = !options.detach && wantsTty(!options.TTY);
      const interrupt = interruptSignal();
      const renderer = createProgressRenderer(process.stderr, { title: 'Running', color: process.stderr.isTTY === true && !process.env.NO_COLOR });
      const { io, release } = processStdio(tty, !options.detach && options.interactive);
      try {
        const result = await runOneOff(project, {
          docker: dockerClient(),
          service,
          command,
          env,
          volumes: options.volume,
          tty,
          interactive: options.interactive,
          io,
          noDeps: !options.deps,
          remove: options.rm ?? false,
          detach: options.detach ?? false,
          servicePorts: options.servicePorts ?? false,
          onProgress: (e) => renderer.onProgress(e),
          beforeAttach: () => renderer.done(),
          signal: interrupt.signal,
          ...(entrypoint !== undefined ? { entrypoint } : {}),
          ...(options.user ? { user: options.user } : {}),
          ...(options.workdir ? { workdir: options.workdir } : {}),
          ...(options.name ? { name: options.name } : {}),
        });
        if (options.detach) process.stdout.write(`${result.container}\n`);
        return result.exitCode;
      } finally {
        renderer.done();
        release();
        interrupt.dispose();
      }
    }),
  );
}
