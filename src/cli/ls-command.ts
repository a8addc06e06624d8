import type { Command } from 'commander';
import { listProjects } from '../engine/index.js';
import { UsageError } from './exit.js';
import { dockerClient, runEngineCommand } from './engine-options.js';
import { formatTable } from './table.js';

export function registerLsCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('ls')
    .description('List the compose projects on this engine, as `docker compose ls` does')
    .option('-a, --all', 'also list projects whose containers are all stopped')
    .option('--format <format>', 'table or json', 'table')
    .option('-q, --quiet', 'only print the project names')
    .action((options: { all?: boolean; format: string; quiet?: boolean }) =>
      runEngineCommand(setExit, async () => {
        if (options.format !== 'table' && options.format !== 'json') throw new UsageError(`unknown --format "${options.format}"; use table or json`);
        const projects = await listProjects(dockerClient(), { all: options.all ?? false });
        if (options.quiet) process.stdout.write(projects.map((p) => `${p.name}\n`).join(''));
        else if (options.format === 'json') {
          process.stdout.write(`${JSON.stringify(projects.map((p) => ({ Name: p.name, Status: p.status, ConfigFiles: p.configFiles })))}\n`);
        } else process.stdout.write(formatTable([['NAME', 'STATUS', 'CONFIG FILES'], ...projects.map((p) => [p.name, p.status, p.configFiles])]));
      }),
    );
}
