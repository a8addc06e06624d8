import type { Duplex } from 'node:stream';
import { frames } from '../docker/index.js';

/** The terminal side of an `exec` or `run`: where the command's stdio goes. */
export interface StdioStreams {
  /** Copied to the command's stdin when given; its end closes the command's stdin. */
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** With a TTY: the terminal's size now, and a way to hear when it changes. */
  terminal?: {
    size(): { rows: number; columns: number } | undefined;
    onResize(listener: () => void): () => void;
  };
}

/**
 * Copies a hijacked connection's output to stdout/stderr (demultiplexed unless `tty`) and stdin
 * into it, until the command closes its output. Stdin is let go of then, so a stdin that never
 * ends (a terminal, an open pipe) does not keep the process alive.
 */
export async function pipeStdio(connection: Duplex, tty: boolean, io: StdioStreams, signal?: AbortSignal): Promise<void> {
  // Writing to a command that has already exited fails with EPIPE; its exit code tells the story.
  connection.on('error', () => {});
  const stdin = io.stdin;
  const forward = (chunk: Buffer | string) => {
    if (!connection.writableEnded) connection.write(chunk);
  };
  const closeStdin = () => {
    if (!connection.writableEnded) connection.end();
  };
  if (stdin) {
    stdin.on('data', forward);
    stdin.once('end', closeStdin);
  }
  const onAbort = () => connection.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const frame of frames(connection, tty)) (frame.stream === 'stderr' ? io.stderr : io.stdout).write(frame.data);
  } catch (err) {
    if (!signal?.aborted) throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (stdin) {
      stdin.off('data', forward);
      stdin.off('end', closeStdin);
      stdin.pause();
    }
    connection.destroy();
  }
}

/** Keeps the engine's TTY as big as the user's terminal while the command runs. */
export function followTerminalSize(io: StdioStreams, resize: (size: { rows: number; columns: number }) => Promise<void>): () => void {
  const terminal = io.terminal;
  if (!terminal) return () => {};
  const apply = () => {
    const size = terminal.size();
    if (size) resize(size).catch(() => {});
  };
  apply();
  return terminal.onResize(apply);
}
