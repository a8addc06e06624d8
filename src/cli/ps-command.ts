import type { Command } from 'commander';
import { ps, type ContainerStatus } from '../engine/index.js';
import { UsageError } from './exit.js';
import { formatTable } from './table.js';
import { dockerClient, projectNameOnly, runEngineCommand, withProjectOptions, type ProjectOptions } from './engine-options.js';

interface PsCliOptions extends ProjectOptions {
  format: string;
  all?: boolean;
  quiet?: boolean;
}

export function registerPsCommand(program: Command, setExit: (code: number) => void): void {
  withProjectOptions(
    program
      .command('ps')
      .description('List the containers of the project, as `docker compose ps` does')
      .argument('[dir]', 'project directory')
      .option('--format <format>', 'table or json', 'table')
      .option('-a, --all', 'also list stopped containers')
      .option('-q, --quiet', 'only print container IDs'),
  ).action((dir: string | undefined, options: PsCliOptions) =>
    runEngineCommand(setExit, async () => {
      if (options.format !== 'table' && options.format !== 'json') {
        throw new UsageError(`unknown --format "${options.format}"; use table or json`);
      }
      const name = projectNameOnly(dir, options);
      const containers = await ps(dockerClient(), name, { all: options.all ?? false });
      if (options.quiet) process.stdout.write(containers.map((c) => `${c.id}\n`).join(''));
      else if (options.format === 'json') process.stdout.write(`${JSON.stringify(containers.map(toJson), null, 2)}\n`);
      else process.stdout.write(table(containers));
    }),
  );
}

/** The field names `docker compose ps --format json` uses. */
function toJson(c: ContainerStatus): Record<string, unknown> {
  return {
    ID: c.id,
    Name: c.name,
    Image: c.image,
    Command: c.command,
    Project: c.project,
    Service: c.service,
    Number: c.number,
    Created: c.created,
    State: c.state,
    Status: c.status,
    Health: c.health,
    ExitCode: c.exitCode ?? 0,
    Publishers: c.publishers.map((p) => ({ URL: p.url, TargetPort: p.targetPort, PublishedPort: p.publishedPort, Protocol: p.protocol })),
  };
}

export function table(containers: ContainerStatus[], now = Date.now()): string {
  const rows = [
    ['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'CREATED', 'STATUS', 'PORTS'],
    ...containers.map((c) => [
      c.name,
      c.image,
      JSON.stringify(c.command.length > 20 ? `${c.command.slice(0, 19)}…` : c.command),
      c.service,
      ago(c.created, now),
      c.status,
      c.publishers.map((p) => `${p.url}:${p.publishedPort}->${p.targetPort}/${p.protocol}`).join(', '),
    ]),
  ];
  return formatTable(rows);
}

function ago(createdSeconds: number, now: number): string {
  const seconds = Math.max(0, Math.round(now / 1000 - createdSeconds));
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'} ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'} ago`;
  return `${Math.round(hours / 24)} days ago`;
}
