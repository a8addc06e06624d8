import { Command, CommanderError } from 'commander';
import { EXIT, UsageError } from './exit.js';
import { VERSION } from './version.js';

type RegisterCommand = (program: Command, setExit: (code: number) => void) => void;

/**
 * Each command's module, imported only when it is needed: `config` then loads the compose model
 * and nothing of the analyzer, which keeps its start-up short (docs/benchmarks.md).
 */
const COMMANDS: Readonly<Record<string, () => Promise<RegisterCommand>>> = {
  config: async () => (await import('./config-command.js')).registerConfigCommand,
  analyze: async () => (await import('./analyze-command.js')).registerAnalyzeCommand,
  harden: async () => (await import('./harden-command.js')).registerHardenCommand,
  agent: async () => (await import('./agent-command.js')).registerAgentCommand,
  up: async () => (await import('./up-command.js')).registerUpCommand,
  down: async () => (await import('./down-command.js')).registerDownCommand,
  ps: async () => (await import('./ps-command.js')).registerPsCommand,
  logs: async () => (await import('./logs-command.js')).registerLogsCommand,
  restart: async () => (await import('./restart-command.js')).registerRestartCommand,
  manager: async () => (await import('./manager-command.js')).registerManagerCommand,
  exec: async () => (await import('./exec-command.js')).registerExecCommand,
  run: async () => (await import('./run-command.js')).registerRunCommand,
  stop: async () => (await import('./lifecycle-commands.js')).registerStopCommand,
  start: async () => (await import('./lifecycle-commands.js')).registerStartCommand,
  kill: async () => (await import('./lifecycle-commands.js')).registerKillCommand,
  rm: async () => (await import('./lifecycle-commands.js')).registerRmCommand,
  pause: async () => (await import('./lifecycle-commands.js')).registerPauseCommand,
  unpause: async () => (await import('./lifecycle-commands.js')).registerUnpauseCommand,
  build: async () => (await import('./build-command.js')).registerBuildCommand,
  ls: async () => (await import('./ls-command.js')).registerLsCommand,
  top: async () => (await import('./inspect-commands.js')).registerTopCommand,
  port: async () => (await import('./inspect-commands.js')).registerPortCommand,
  images: async () => (await import('./inspect-commands.js')).registerImagesCommand,
  wait: async () => (await import('./inspect-commands.js')).registerWaitCommand,
  cp: async () => (await import('./cp-command.js')).registerCpCommand,
  events: async () => (await import('./events-command.js')).registerEventsCommand,
};

/**
 * The commands to register for this command line: the one it names, or all of them when it
 * names none or an unknown one (help lists them all, and a typo gets a suggestion). The program's
 * own options take no value, so the first word that is not an option is the command.
 */
function commandsFor(argv: readonly string[]): string[] {
  const named = argv.find((arg) => !arg.startsWith('-'));
  return named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
}

/** Runs the CLI and returns the process exit code; never lets an exception reach the user raw. */
export async function main(argv: readonly string[]): Promise<number> {
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
    for (const name of commandsFor(argv)) (await COMMANDS[name]!())(program, setExit);
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
