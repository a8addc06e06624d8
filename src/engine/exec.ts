import type { DockerClient } from '../docker/index.js';
import { EngineError } from './errors.js';
import { serviceContainer } from './select.js';
import { followTerminalSize, pipeStdio, type StdioStreams } from './stdio.js';

export interface ExecOptions {
  docker: DockerClient;
  projectName: string;
  service: string;
  command: string[];
  /** Replica number (`--index`); default the first. */
  index?: number;
  /** Allocate a TTY (compose's default on a terminal; `-T` turns it off). */
  tty: boolean;
  user?: string;
  workdir?: string;
  /** `KEY=VALUE` (or a bare `KEY`), as `-e` gives them. */
  env?: string[];
  privileged?: boolean;
  /** Start the command and return without waiting for it (`-d`). */
  detach?: boolean;
  io: StdioStreams;
  signal?: AbortSignal;
}

/**
 * `docker compose exec`: runs a command in a running container of the service and returns the
 * command's exit code, which the CLI exits with.
 */
export async function execInService(options: ExecOptions): Promise<number> {
  const { docker, signal } = options;
  const container = await serviceContainer(docker, options.projectName, options.service, { index: options.index, running: true }, { signal });
  const attach = !options.detach;
  const { id } = await docker.execs.create(
    container.id,
    {
      Cmd: options.command,
      AttachStdin: attach && options.io.stdin !== undefined,
      AttachStdout: attach,
      AttachStderr: attach,
      Tty: options.tty,
      ...(options.env?.length ? { Env: options.env } : {}),
      ...(options.user ? { User: options.user } : {}),
      ...(options.workdir ? { WorkingDir: options.workdir } : {}),
      ...(options.privileged ? { Privileged: true } : {}),
    },
    { signal },
  );
  const connection = await docker.execs.start(id, { tty: options.tty }, { signal });
  if (options.detach) {
    connection.destroy();
    return 0;
  }
  const stopResizing = options.tty ? followTerminalSize(options.io, (size) => docker.execs.resize(id, size)) : () => {};
  try {
    await pipeStdio(connection, options.tty, options.io, signal);
  } finally {
    stopResizing();
  }
  return exitCodeOf(docker, id, signal);
}

/** The stream ends as the command exits; the engine may record the code a moment later. */
async function exitCodeOf(docker: DockerClient, id: string, signal: AbortSignal | undefined): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const inspected = await docker.execs.inspect(id, { signal });
    if (!inspected.Running && inspected.ExitCode !== null) return inspected.ExitCode;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new EngineError('the command’s output ended but the engine did not report its exit code within 5 s');
}
