import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  discoverProjects,
  defaultServiceProbe,
  formatDiagnostic,
  hasErrors,
  loadProject,
  readShipshapeConfig,
  type Project,
} from '../compose/index.js';
import { EXIT, UsageError } from './exit.js';
import { renderConfig } from './render-config.js';

interface ConfigOptions {
  file: string[];
  envFile: string[];
  profile: string[];
  projectName?: string;
  environment?: string;
  format: string;
  quiet?: boolean;
  services?: boolean;
  volumes?: boolean;
  profiles?: boolean;
  hash?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerConfigCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('config')
    .description('Print the resolved compose project, as `docker compose config` does')
    .argument('[dir]', 'project directory', '.')
    .option('-f, --file <file>', 'compose file (repeatable, merged in order)', collect, [])
    .option('--env-file <file>', 'environment file instead of <dir>/.env (repeatable)', collect, [])
    .option('--profile <name>', 'activate a profile (repeatable)', collect, [])
    .option('-p, --project-name <name>', 'project name')
    .option('-e, --environment <name>', 'an environment found in the directory (base, dev, prod, …)')
    .option('--format <format>', 'yaml or json', 'yaml')
    .option('-q, --quiet', 'only validate; print nothing on success')
    .option('--services', 'print the service names, one per line')
    .option('--volumes', 'print the volume names, one per line')
    .option('--profiles', 'print the profile names the services use, one per line')
    .option('--hash <services>', 'print "SERVICE HASH" for these services (comma-separated, or "*" for all)')
    .action(async (dir: string, options: ConfigOptions) => {
      if (options.format !== 'yaml' && options.format !== 'json') {
        throw new UsageError(`unknown --format "${options.format}"; use yaml or json`);
      }
      const workingDir = resolve(dir);
      const files = options.file.length > 0 ? options.file : environmentFiles(workingDir, options.environment);
      const loaded = loadProject({
        workingDir: options.file.length > 0 && dir === '.' ? undefined : workingDir,
        files,
        envFiles: options.envFile,
        profiles: options.profile,
        projectName: options.projectName,
      });
      for (const d of loaded.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
      if (!loaded.project || hasErrors(loaded.diagnostics)) {
        setExit(EXIT.usage);
        return;
      }
      if (options.quiet) return;
      if (options.hash !== undefined) {
        process.stdout.write(await hashes(loaded.project, options.hash));
        return;
      }
      process.stdout.write(output(loaded.project, options));
    });
}

function output(project: Project, options: ConfigOptions): string {
  if (options.services) return Object.keys(project.services).map((s) => `${s}\n`).join('');
  if (options.volumes) return Object.keys(project.volumes).map((v) => `${v}\n`).join('');
  if (options.profiles) {
    const all = [...Object.values(project.services), ...Object.values(project.disabled_services)].flatMap((s) => s.profiles ?? []);
    return [...new Set(all)].sort().map((p) => `${p}\n`).join('');
  }
  return renderConfig(project, options.format === 'json' ? 'json' : 'yaml');
}

/**
 * `--hash`: each service's `com.docker.compose.config-hash`, the value `up` compares to decide on
 * a recreate. The engine is loaded only here, which keeps plain `config` quick to start.
 */
async function hashes(project: Project, selection: string): Promise<string> {
  const { checkServiceNames, serviceHash } = await import('../engine/index.js');
  const names = selection.trim() === '*' ? Object.keys(project.services) : selection.split(',').map((s) => s.trim()).filter(Boolean);
  try {
    checkServiceNames(project, names);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return names.map((n) => `${n} ${serviceHash(project.services[n] ?? project.disabled_services[n]!)}\n`).join('');
}

/** Files of a named environment (docs/pipeline.md); undefined lets the loader use compose's defaults. */
function environmentFiles(dir: string, name: string | undefined): string[] | undefined {
  if (!name) return undefined;
  const { config, issue } = readShipshapeConfig(dir);
  if (issue) throw new UsageError(`${issue.file}: ${issue.message}`);
  const found = discoverProjects(dir, defaultServiceProbe, { config });
  const project = found.projects.find((p) => resolve(p.dir) === dir);
  const environment = project?.environments.find((e) => e.name === name);
  if (!environment) {
    const known = project?.environments.map((e) => e.name).join(', ') || 'none';
    throw new UsageError(`no environment "${name}" in ${dir} (found: ${known})`);
  }
  return environment.files;
}
