import type { Command } from 'commander';
import type { Project } from '../compose/index.js';
import type { DockerClient } from '../docker/index.js';
import { kill, logs, stop, up, waitUntilReady, type ServiceLogLine } from '../engine/index.js';
import { UsageError } from './exit.js';
import {
  dockerClient,
  EXIT_INTERRUPTED,
  interruptSignal,
  loadForEngine,
  runEngineCommand,
  withProjectOptions,
  type ProjectOptions,
} from './engine-options.js';
import { createProgressRenderer } from './progress-renderer.js';
import { logPrinter } from './log-printer.js';

interface UpCliOptions extends ProjectOptions {
  detach?: boolean;
  build?: boolean;
  keepOnFailure?: boolean;
  waitTimeout?: string;
  removeOrphans?: boolean;
  forceRecreate?: boolean;
  wait?: boolean;
}

export function registerUpCommand(program: Command, setExit: (code: number) => void): void {
  withProjectOptions(
    program
      .command('up')
      .description('Create and start the services, as `docker compose up` does')
      .argument('[dir]', 'project directory')
      .option('-d, --detach', 'start in the background and return')
      .option('--build', 'build images before starting, even when they exist')
      .option('--force-recreate', 'recreate containers even if their configuration is unchanged')
      .option('--remove-orphans', 'remove containers of services not in the project')
      .option('--keep-on-failure', 'leave what a failed run created in place')
      .option('--wait', 'wait until the services are running and healthy (implies -d); --wait-timeout limits it')
      .option('--wait-timeout <seconds>', 'limit for each wait on a healthy or completed dependency', '120'),
  ).action((dir: string | undefined, options: UpCliOptions) =>
    runEngineCommand(setExit, async () => {
      const waitSeconds = Number(options.waitTimeout);
      if (!Number.isFinite(waitSeconds) || waitSeconds <= 0) {
        throw new UsageError(`--wait-timeout must be a number of seconds, not "${options.waitTimeout}"`);
      }
      const { project, positionOf } = loadForEngine(dir, options);
      const docker = dockerClient();
      // A second Ctrl-C while `up` works exits at once (the next `up` converges from what is
      // left); while the attached stack is stopping gracefully, it kills the containers first.
      let gracefulStop = false;
      const interrupt = interruptSignal(() => (gracefulStop ? forceStop(project, docker) : process.exit(EXIT_INTERRUPTED)));
      const color = process.stderr.isTTY === true && !process.env.NO_COLOR;
      try {
        const renderer = createProgressRenderer(process.stderr, { title: 'Running', color });
        let result;
        try {
          result = await up(project, {
            docker,
            positionOf,
            build: options.build ?? false,
            forceRecreate: options.forceRecreate ?? false,
            keepOnFailure: options.keepOnFailure ?? false,
            removeOrphans: options.removeOrphans ?? false,
            waitTimeoutMs: waitSeconds * 1000,
            onProgress: (e) => renderer.onProgress(e),
            signal: interrupt.signal,
          });
        } finally {
          renderer.done();
        }
        for (const warning of result.warnings) process.stderr.write(`shipshape: warning: ${warning}\n`);
        if (options.wait) {
          const waiting = createProgressRenderer(process.stderr, { title: 'Waiting', color });
          try {
            await waitUntilReady(project, result.containers, { docker, timeoutMs: waitSeconds * 1000, onProgress: (e) => waiting.onProgress(e), signal: interrupt.signal });
          } finally {
            waiting.done();
          }
          return;
        }
        if (options.detach) return;

        // Attached, as compose: follow every container's output until they all stop or the user
        // presses Ctrl-C, then stop the stack (and do not remove it).
        const names = result.containers.map((c) => c.name).join(', ');
        process.stdout.write(`Attaching to ${names}\n`);
        const print = logPrinter(process.stdout, result.containers.map((c) => prefixFor(c.name, project.name)), color);
        const stream = logs(docker, project.name, { follow: true, signal: interrupt.signal });
        for await (const line of stream) print(prefixLine(line, project.name));
        if (interrupt.signal.aborted) {
          gracefulStop = true;
          process.stderr.write('Gracefully stopping... (press Ctrl+C again to force)\n');
          const stopping = createProgressRenderer(process.stderr, { title: 'Stopping', color });
          try {
            await stop(project, { docker, onProgress: (e) => stopping.onProgress(e) });
          } finally {
            stopping.done();
          }
        }
      } finally {
        interrupt.dispose();
      }
    }),
  );
}

let forcing = false;

/** The second Ctrl-C of an attached `up`: kill the project's containers, as compose does, and exit 130. A third exits at once. */
function forceStop(project: Project, docker: DockerClient): void {
  if (forcing) process.exit(EXIT_INTERRUPTED);
  forcing = true;
  process.stderr.write('Killing the containers...\n');
  void kill(project, { docker, signal: AbortSignal.timeout(KILL_LIMIT_MS) })
    .then((names) => process.stderr.write(`Killed ${names.join(', ')}\n`))
    .catch(() => {})
    .finally(() => process.exit(EXIT_INTERRUPTED));
}

/** How long the forced stop may take before the CLI exits anyway. */
const KILL_LIMIT_MS = 10_000;

/** `demo-web-1` → `web-1`, as compose v2 prefixes log lines. */
export function prefixFor(container: string, project: string): string {
  return container.startsWith(`${project}-`) ? container.slice(project.length + 1) : container;
}

function prefixLine(line: ServiceLogLine, project: string): { prefix: string; line: string } {
  return { prefix: prefixFor(line.container, project), line: line.line };
}
