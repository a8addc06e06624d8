export interface Frame {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

const HEADER_BYTES = 8;

/**
 * The payloads of a logs, attach or exec stream. Without a TTY the engine multiplexes stdout and
 * stderr into frames, each behind an 8-byte header (stream type, three zero bytes, big-endian
 * payload length); with a TTY it sends the terminal's raw bytes, all of it stdout. A frame may
 * arrive split over chunks, so bytes wait here until their frame is whole.
 */
export async function* frames(source: AsyncIterable<Buffer | string>, tty: boolean): AsyncGenerator<Frame> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const raw of source) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    if (tty) {
      yield { stream: 'stdout', data: chunk };
      continue;
    }
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= HEADER_BYTES) {
      const size = pending.readUInt32BE(4);
      if (pending.length < HEADER_BYTES + size) break;
      // 2 is stderr; 0 (stdin, only with attach) and 1 are stdout.
      yield { stream: pending[0] === 2 ? 'stderr' : 'stdout', data: pending.subarray(HEADER_BYTES, HEADER_BYTES + size) };
      pending = pending.subarray(HEADER_BYTES + size);
    }
  }
}
