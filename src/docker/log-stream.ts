import { StringDecoder } from 'node:string_decoder';
import { frames } from './frames.js';

export interface LogLine {
  stream: 'stdout' | 'stderr';
  line: string;
}

/**
 * Turns the bytes of a logs or attach stream into lines, stdout and stderr told apart (see
 * `frames`). Frames split lines anywhere, even inside a UTF-8 sequence, so each stream keeps its
 * own decoder and unfinished line.
 */
export async function* logLines(source: AsyncIterable<Buffer | string>, tty: boolean): AsyncGenerator<LogLine> {
  const out = new LineSplitter('stdout');
  const err = new LineSplitter('stderr');
  for await (const frame of frames(source, tty)) yield* (frame.stream === 'stderr' ? err : out).push(frame.data);
  yield* out.end();
  yield* err.end();
}

class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly stream: LogLine['stream']) {}

  *push(bytes: Buffer): Generator<LogLine> {
    const text = this.partial + this.decoder.write(bytes);
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) yield { stream: this.stream, line: line.replace(/\r$/, '') };
  }

  *end(): Generator<LogLine> {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest !== '') yield { stream: this.stream, line: rest.replace(/\r$/, '') };
  }
}
