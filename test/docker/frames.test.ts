import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frames, type Frame } from '../../src/docker/index.js';

function frame(type: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function collect(chunks: Buffer[], tty: boolean): Promise<[Frame['stream'], string][]> {
  const out: [Frame['stream'], string][] = [];
  for await (const f of frames((async function* () { yield* chunks; })(), tty)) out.push([f.stream, f.data.toString()]);
  return out;
}

describe('frames', () => {
  it('demultiplexes stdout and stderr frames, however the chunks split them', async () => {
    const bytes = Buffer.concat([frame(1, 'out\n'), frame(2, 'err'), frame(1, ''), frame(0, 'in')]);
    const expected: [Frame['stream'], string][] = [['stdout', 'out\n'], ['stderr', 'err'], ['stdout', ''], ['stdout', 'in']];
    assert.deepEqual(await collect([bytes], false), expected);
    // One byte at a time: headers and payloads split everywhere.
    assert.deepEqual(await collect([...bytes].map((b) => Buffer.from([b])), false), expected);
  });

  it('passes a TTY stream through as stdout', async () => {
    assert.deepEqual(await collect([Buffer.from('\x01raw'), Buffer.from('bytes')], true), [['stdout', '\x01raw'], ['stdout', 'bytes']]);
  });
});
