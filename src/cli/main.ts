import { ANALYZER_COMMANDS } from './commands.js';
import { ENGINE_COMMANDS } from './engine-commands.js';
import { runCli } from './run-cli.js';

/** Runs the whole CLI and returns the process exit code. */
export function main(argv: readonly string[]): Promise<number> {
  return runCli(argv, { ...ANALYZER_COMMANDS, ...ENGINE_COMMANDS });
}
