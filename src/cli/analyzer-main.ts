import { ANALYZER_COMMANDS } from './commands.js';
import { runCli } from './run-cli.js';

/**
 * The CLI with `analyze` and `config` only: the entry of the analyzer's bundle
 * (dist/shipshape-analyzer.cjs), which bin/shipshape.js runs for those two commands. Without the
 * engine, the image reader and the servers it is a fifth smaller, and starts sooner.
 */
export function main(argv: readonly string[]): Promise<number> {
  return runCli(argv, ANALYZER_COMMANDS);
}
