import { StringDecoder } from 'node:string_decoder';

export interface LogLine {
  stream: 'stdout' | 'stderr';
  line: string;
}

const HEADER_BYTES = 8;

/**
 * Turns the bytes of a logs or attach stream into lines. Without a TTY the engine multiplexes
 * stdout and stderr into frames, each behind an 8-byte header (stream type, three zero bytes,
 * big-endian payload length); with a TTY it sends the terminal's raw bytes, all of it stdout.
 * Frames split lines anywhere, even inside a UTF-8 sequence, so each stream keeps its own
 * decoder and unfinished line.
 */
export async function* logLines(source: AsyncIterable<Buffer | string>, tty: boolean): AsyncGenerator<LogLine> {
  const out = new LineSplitter('stdout');
  const err = new LineSplitter('stderr');
  let pending: Buffer = Buffer.alloc(0);
  for await (const raw of source) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    if (tty) {
      yield* out.push(chunk);
      continue;
    }
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= HEADER_BYTES) {
      const size = pending.readUInt32BE(4);
      if (pending.length < HEADER_BYTES + size) break;
      const payload = pending.subarray(HEADER_BYTES, HEADER_BYTES + size);
      // 2 is stderr; 0 (stdin, only with attach) and 1 are shown as stdout.
      yield* (pending[0] === 2 ? err : out).push(payload);
      pending = pending.subarray(HEADER_BYTES + size);
    }
  }
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
