import type { Command } from 'commander';
import { clean } from '../analyze/index.js';
import { relative } from 'node:path';
import { describeChange, replaceWeakCredentials } from './env-credentials.js';
import { EXIT } from './exit.js';
import { shownPath } from './safe-write.js';
import { createSecretFile, describeRefusal, planSecretFiles, type ProjectSelection } from './secret-files.js';

interface GenerateOptions {
  file: string[];
  env: string[];
  envFile?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** `shipshape secrets generate` (docs/secrets.md). Values are never printed: only files and names. */
export function registerSecretsCommand(program: Command, setExit: (code: number) => void): void {
  const secrets = program.command('secrets').description('Generate the secret files a compose project names');
  secrets
    .command('generate')
    .description('Create every missing `secrets: <name>: file:` with a strong random value (mode 0600); with --env-file, replace the weak values default-credential flags there')
    .argument('[dir]', 'directory (searched recursively) or compose file', '.')
    .option('-f, --file <file>', 'compose file (repeatable, merged in order)', collect, [])
    .option('--env <name>', 'only this environment (repeatable)', collect, [])
    .option('--env-file <file>', 'also replace the values default-credential flags in this .env (a backup is kept)')
    .action((dir: string, options: GenerateOptions) => {
      const selection: ProjectSelection = {
        root: dir,
        files: options.file.length > 0 ? options.file : undefined,
        environments: options.env.length > 0 ? options.env : undefined,
      };
      const plans = planSecretFiles(selection);
      // A refused secret changes nothing: every problem is reported, then nothing is created.
      const refused = plans.flatMap((p) => p.refused.map((r) => describeRefusal(r, p.dir)));
      if (refused.length > 0) {
        for (const line of refused) process.stderr.write(`${clean(line)}\n`);
        setExit(EXIT.usage);
        return;
      }
      const lines: string[] = [];
      for (const plan of plans) {
        for (const s of plan.files) {
          const file = shownPath(s.file);
          if (s.state === 'exists') {
            lines.push(`kept    ${file} (secret "${s.secret}"): it exists and is never overwritten`);
            continue;
          }
          createSecretFile(plan.dir, s.file);
          lines.push(`created ${file} (secret "${s.secret}"): 43 random characters, mode 0600`);
        }
      }
      if (plans.every((p) => p.files.length === 0)) lines.push(`no secret here names a file (${plans.map((p) => relative(process.cwd(), p.dir) || '.').join(', ')})`);
      if (options.envFile !== undefined) lines.push(...describeChange(replaceWeakCredentials(selection, plans, options.envFile)));
      // Names and paths come from the compose file: control characters are shown, never obeyed.
      process.stdout.write(`${lines.map((line) => clean(line)).join('\n')}\n`);
      setExit(EXIT.ok);
    });
}
