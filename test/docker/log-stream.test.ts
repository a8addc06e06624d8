import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logLines, type LogLine } from '../../src/docker/index.js';

function frame(stream: 1 | 2, text: string | Buffer): Buffer {
  const payload = typeof text === 'string' ? Buffer.from(text) : text;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function collect(chunks: Buffer[], tty: boolean): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  async function* source() {
    yield* chunks;
  }
  for await (const line of logLines(source(), tty)) lines.push(line);
  return lines;
}

/** Every way of cutting `bytes` in two, plus one byte at a time. */
function cuts(bytes: Buffer): Buffer[][] {
  const out: Buffer[][] = [[...bytes].map((b) => Buffer.from([b]))];
  for (let i = 1; i < bytes.length; i++) out.push([bytes.subarray(0, i), bytes.subarray(i)]);
  return out;
}

describe('logLines', () => {
  const multiplexed = Buffer.concat([
    frame(1, 'first line\nsecond '),
    frame(2, 'an error\n'),
    frame(1, 'line\r\nnaïve café ✓\n'),
    frame(2, 'no newline at the end'),
  ]);
  const expected: LogLine[] = [
    { stream: 'stdout', line: 'first line' },
    { stream: 'stderr', line: 'an error' },
    { stream: 'stdout', line: 'second line' },
    { stream: 'stdout', line: 'naïve café ✓' },
    { stream: 'stderr', line: 'no newline at the end' },
  ];

  it('demultiplexes stdout and stderr frames into lines', async () => {
    assert.deepEqual(await collect([multiplexed], false), expected);
  });

  it('gives the same lines however the frames are cut, even inside headers and UTF-8 sequences', async () => {
    for (const chunks of cuts(multiplexed)) assert.deepEqual(await collect(chunks, false), expected);
  });

  it('keeps a UTF-8 character split across two frames whole', async () => {
    const euro = Buffer.from('€\n');
    const lines = await collect([frame(1, euro.subarray(0, 1)), frame(1, euro.subarray(1))], false);
    assert.deepEqual(lines, [{ stream: 'stdout', line: '€' }]);
  });

  it('passes a TTY stream through raw, as stdout, header-looking bytes included', async () => {
    const raw = Buffer.concat([Buffer.from([1, 0, 0, 0]), Buffer.from('x\r\ny\n')]);
    assert.deepEqual(await collect([raw], true), [
      { stream: 'stdout', line: '\u0001\u0000\u0000\u0000x' },
      { stream: 'stdout', line: 'y' },
    ]);
  });

  it('does not strip frame headers from a TTY stream', async () => {
    const lines = await collect([frame(1, 'tty?\n')], true);
    assert.equal(lines.length, 1);
    assert.notEqual(lines[0]!.line, 'tty?');
  });

  it('yields nothing for an empty stream', async () => {
    assert.deepEqual(await collect([], false), []);
  });
});
