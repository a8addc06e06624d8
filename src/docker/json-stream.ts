import { StringDecoder } from 'node:string_decoder';

/** One message of the engine's JSON progress streams (pull, build, import). */
export interface ProgressMessage {
  /** Pull/import: what happens to a layer or the image (`Downloading`, `Pull complete`). */
  status?: string;
  /** The layer a pull message is about. */
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  /** Build: a piece of the build's output. */
  stream?: string;
  /** Build: `{ ID: 'sha256:…' }` once the image exists. */
  aux?: { ID?: string };
  error?: string;
  errorDetail?: { message?: string; code?: number };
}

/** Newline-separated JSON objects, as the engine writes them, parsed one by one. */
export async function* jsonMessages(source: AsyncIterable<Buffer | string>): AsyncGenerator<ProgressMessage> {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  for await (const chunk of source) {
    const text = partial + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const message = parse(line);
      if (message) yield message;
    }
  }
  const message = parse(partial + decoder.end());
  if (message) yield message;
}

function parse(line: string): ProgressMessage | undefined {
  const trimmed = line.trim();
  if (trimmed === '') return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return typeof value === 'object' && value !== null ? (value as ProgressMessage) : undefined;
  } catch {
    // A proxy or an old engine may interleave plain text; it is output, not a protocol error.
    return { stream: `${trimmed}\n` };
  }
}

/** The engine reports a failed pull or build inside a 200 stream; this finds that error. */
export function messageError(message: ProgressMessage): string | undefined {
  return message.errorDetail?.message ?? message.error;
}
