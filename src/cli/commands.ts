import type { Command } from 'commander';

export type RegisterCommand = (program: Command, setExit: (code: number) => void) => void;
export type CommandTable = Readonly<Record<string, () => Promise<RegisterCommand>>>;

// Each command's module is imported only when it is needed: `config` then loads the compose model
// and nothing of the analyzer, which keeps its start-up short (docs/benchmarks.md).

/**
 * The commands that only read files (no engine, no server). A CI gate runs them on every change,
 * so they also have a bundle of their own (scripts/build-bundle.mjs, bin/shipshape.js).
 */
export const ANALYZER_COMMANDS: CommandTable = {
  config: async () => (await import('./config-command.js')).registerConfigCommand,
  analyze: async () => (await import('./analyze-command.js')).registerAnalyzeCommand,
};
