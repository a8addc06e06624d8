import { Command, CommanderError } from 'commander';
import { registerAnalyzeCommand } from './analyze-command.js';
import { registerConfigCommand } from './config-command.js';
import { EXIT, UsageError } from './exit.js';
import { VERSION } from './version.js';

/** Runs the CLI and returns the process exit code; never lets an exception reach the user raw. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('shipshape')
    .description('See, harden and run Docker compose stacks')
    .version(VERSION, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  let exitCode: number = EXIT.ok;
  const setExit = (code: number) => {
    exitCode = code;
  };
  registerConfigCommand(program, setExit);
  registerAnalyzeCommand(program, setExit);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`shipshape: ${err.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`shipshape: internal error: ${(err as Error)?.message ?? String(err)}\n`);
    if (process.env.SHIPSHAPE_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    return EXIT.internal;
  }
}
