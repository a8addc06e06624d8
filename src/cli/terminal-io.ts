import type { StdioStreams } from '../engine/index.js';
import { UsageError } from './exit.js';

/**
 * The process's stdio for `exec` and `run`. With a TTY the terminal goes raw, so keys (Ctrl-C
 * included) reach the command as bytes, and its size follows the window; `release` puts the
 * terminal back and lets go of stdin so the process can exit.
 */
export function processStdio(tty: boolean, attachStdin: boolean): { io: StdioStreams; release: () => void } {
  const stdin = process.stdin;
  const raw = tty && stdin.isTTY === true;
  if (raw) stdin.setRawMode(true);
  const io: StdioStreams = {
    ...(attachStdin ? { stdin } : {}),
    stdout: process.stdout,
    stderr: process.stderr,
    ...(tty
      ? {
          terminal: {
            size: () => (process.stdout.isTTY ? { rows: process.stdout.rows, columns: process.stdout.columns } : undefined),
            onResize: (listener: () => void) => {
              process.stdout.on('resize', listener);
              return () => process.stdout.off('resize', listener);
            },
          },
        }
      : {}),
  };
  return {
    io,
    release: () => {
      if (raw) stdin.setRawMode(false);
      if (attachStdin) stdin.destroy();
    },
  };
}

/** Whether compose would give the command a TTY: both ends are terminals and `-T` was not given. */
export function wantsTty(noTty: boolean | undefined): boolean {
  return !noTty && process.stdin.isTTY === true && process.stdout.isTTY === true;
}

/** `-e KEY=VALUE` as given; a bare `-e KEY` takes KEY's value from this environment, as compose does. */
export function envEntries(values: readonly string[]): string[] {
  return values.map((v) => {
    if (v.includes('=')) return v;
    const value = process.env[v];
    return value === undefined ? v : `${v}=${value}`;
  });
}

/** `--index N`: a replica number from 1. */
export function parseIndex(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--index must be a whole number from 1, not "${value}"`);
  return n;
}

export const collect = (value: string, previous: string[]) => [...previous, value];
