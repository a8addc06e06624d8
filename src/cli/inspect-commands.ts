import type { Command } from 'commander';
import { containerImages, publishedPort, top, waitServices } from '../engine/index.js';
import { UsageError } from './exit.js';
import { dockerClient, interruptSignal, runEngineCommand, withProjectOptions, type ProjectOptions } from './engine-options.js';
import { targetProject } from './project-target.js';
import { formatTable } from './table.js';
import { parseIndex } from './terminal-io.js';

type SetExit = (code: number) => void;

export function registerTopCommand(program: Command, setExit: SetExit): void {
  withProjectOptions(
    program
      .command('top')
      .description('Show the processes of the services’ running containers, as `docker compose top` does')
      .argument('[service...]', 'only these services (default all)'),
  ).action((services: string[], options: ProjectOptions) =>
    runEngineCommand(setExit, async () => {
      const { name } = targetProject(options, services);
      const listed = await top(dockerClient(), name, services);
      process.stdout.write(listed.map((c) => `${c.container}\n${formatTable([c.top.Titles, ...c.top.Processes])}`).join('\n'));
    }),
  );
}

export function registerPortCommand(program: Command, setExit: SetExit): void {
  withProjectOptions(
    program
      .command('port')
      .description('Print the host address a container port of the service is published on, as `docker compose port` does')
      .argument('<service>', 'the service')
      .argument('<private_port>', 'the port inside the container')
      .option('--protocol <protocol>', 'tcp or udp', 'tcp')
      .option('--index <n>', 'which replica of the service'),
  ).action((service: string, privatePort: string, options: ProjectOptions & { protocol: string; index?: string }) =>
    runEngineCommand(setExit, async () => {
      const port = Number(privatePort);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`"${privatePort}" is not a port number`);
      if (options.protocol !== 'tcp' && options.protocol !== 'udp' && options.protocol !== 'sctp') {
        throw new UsageError(`unknown --protocol "${options.protocol}"; use tcp or udp`);
      }
      const index = parseIndex(options.index);
      const { name } = targetProject(options, [service]);
      const address = await publishedPort(dockerClient(), name, service, port, { protocol: options.protocol, ...(index !== undefined ? { index } : {}) });
      process.stdout.write(`${address}\n`);
    }),
  );
}

export function registerImagesCommand(program: Command, setExit: SetExit): void {
  withProjectOptions(
    program
      .command('images')
      .description('List the images of the services’ containers, as `docker compose images` does')
      .argument('[service...]', 'only these services (default all)')
      .option('--format <format>', 'table or json', 'table')
      .option('-q, --quiet', 'only print the image IDs'),
  ).action((services: string[], options: ProjectOptions & { format: string; quiet?: boolean }) =>
    runEngineCommand(setExit, async () => {
      if (options.format !== 'table' && options.format !== 'json') throw new UsageError(`unknown --format "${options.format}"; use table or json`);
      const { name } = targetProject(options, services);
      const images = await containerImages(dockerClient(), name, services);
      if (options.quiet) process.stdout.write([...new Set(images.map((i) => i.id))].map((id) => `${id}\n`).join(''));
      else if (options.format === 'json') {
        const json = images.map((i) => ({ ID: i.id, ContainerName: i.container, Repository: i.repository, Tag: i.tag, Size: i.size }));
        process.stdout.write(`${JSON.stringify(json)}\n`);
      } else {
        const rows = images.map((i) => [i.container, i.repository, i.tag, i.id.replace(/^sha256:/, '').slice(0, 12), humanSize(i.size)]);
        process.stdout.write(formatTable([['CONTAINER', 'REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE'], ...rows]));
      }
    }),
  );
}

export function registerWaitCommand(program: Command, setExit: SetExit): void {
  withProjectOptions(
    program
      .command('wait')
      .description('Wait until the services’ containers stop; exits with the first non-zero exit code, as `docker compose wait` does')
      .argument('<service...>', 'the services'),
  ).action((services: string[], options: ProjectOptions) =>
    runEngineCommand(setExit, async () => {
      const { name } = targetProject(options, services);
      const interrupt = interruptSignal();
      try {
        return await waitServices(dockerClient(), name, services, interrupt.signal);
      } finally {
        interrupt.dispose();
      }
    }),
  );
}

/** Sizes as the docker CLI prints them: decimal units, three significant digits. */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toPrecision(3))}${units[unit]}`;
}
