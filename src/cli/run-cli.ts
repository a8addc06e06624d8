import { Command, CommanderError } from 'commander';
import type { CommandTable } from './commands.js';
import { EXIT, UsageError } from './exit.js';
import { VERSION } from './version.js';

/**
 * The commands to register for this command line: the one it names, or all of them when it
 * names none or an unknown one (help lists them all, and a typo gets a suggestion). The program's
 * own options take no value, so the first word that is not an option is the command.
 */
function commandsFor(argv: readonly string[], commands: CommandTable): string[] {
  const named = argv.find((arg) => !arg.startsWith('-'));
  return named !== undefined && Object.hasOwn(commands, named) ? [named] : Object.keys(commands);
}

/**
 * Runs the CLI with the commands of `commands` and returns the process exit code; never lets an
 * exception reach the user raw.
 */
export async function runCli(argv: readonly string[], commands: CommandTable): Promise<number> {
  const program = new Command('shipshape')
    .description('See, harden and run Docker compose stacks')
    .version(VERSION, '-v, --version')
    // Program options count only before the command, as in compose: `down -v` means volumes.
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  let exitCode: number = EXIT.ok;
  const setExit = (code: number) => {
    exitCode = code;
  };
  try {
    for (const name of commandsFor(argv, commands)) (await commands[name]!())(program, setExit);
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
