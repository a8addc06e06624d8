import type { Command } from 'commander';
import { copyFromContainer, copyToContainer, serviceContainer } from '../engine/index.js';
import { UsageError } from './exit.js';
import { dockerClient, interruptSignal, runEngineCommand, withProjectOptions, type ProjectOptions } from './engine-options.js';
import { targetProject } from './project-target.js';
import { parseIndex } from './terminal-io.js';

/** `SERVICE:PATH` → the service and the path; anything else is a path on this machine. */
function containerPath(arg: string): { service: string; path: string } | undefined {
  const match = /^([a-zA-Z0-9][a-zA-Z0-9._-]*):(.*)$/.exec(arg);
  // A Windows-like drive letter or a relative path with a colon later on is a local path.
  if (!match || arg.startsWith('.') || arg.startsWith('/')) return undefined;
  return { service: match[1]!, path: match[2]! };
}

export function registerCpCommand(program: Command, setExit: (code: number) => void): void {
  withProjectOptions(
    program
      .command('cp')
      .description('Copy files between a service container and this machine, as `docker compose cp` does')
      .argument('<source>', 'SERVICE:SRC_PATH or a local path')
      .argument('<dest>', 'a local path or SERVICE:DEST_PATH')
      .option('--index <n>', 'which replica of the service'),
  ).action((source: string, dest: string, options: ProjectOptions & { index?: string }) =>
    runEngineCommand(setExit, async () => {
      const from = containerPath(source);
      const to = containerPath(dest);
      if ((from && to) || (!from && !to)) throw new UsageError('cp copies between a container and this machine: one side must be SERVICE:PATH, the other a local path');
      const remote = (from ?? to)!;
      if (!remote.path.startsWith('/')) throw new UsageError(`the path in the container must be absolute: "${remote.path}"`);
      const index = parseIndex(options.index);
      const { name } = targetProject(options, [remote.service]);
      const docker = dockerClient();
      const interrupt = interruptSignal();
      try {
        const container = await serviceContainer(docker, name, remote.service, index !== undefined ? { index } : {}, { signal: interrupt.signal });
        if (from) await copyFromContainer(docker, container.id, from.path, dest, interrupt.signal);
        else await copyToContainer(docker, container.id, source, to!.path, interrupt.signal);
      } finally {
        interrupt.dispose();
      }
    }),
  );
}
