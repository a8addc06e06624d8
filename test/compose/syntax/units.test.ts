import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatDuration, parseBytes, parseDuration, type Parsed } from '../../../src/compose/syntax/index.js';

function valueOf<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) assert.fail(`expected success, got error: ${parsed.error}`);
  return parsed.value;
}

function errorOf<T>(parsed: Parsed<T>): string {
  if (parsed.ok) assert.fail(`expected an error, got ${JSON.stringify(parsed.value)}`);
  return parsed.error;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe('parseDuration', () => {
  const valid: [string | number, number][] = [
    ['1m30s', 90 * SECOND],
    ['1h', HOUR],
    ['1h0m0s', HOUR],
    ['2h45m', 2 * HOUR + 45 * MINUTE],
    ['500ms', 500],
    ['300ms', 300],
    ['10us', 0.01],
    ['10\u00b5s', 0.01],
    ['10\u03bcs', 0.01],
    ['1ns', 0.000001],
    ['1.5s', 1500],
    ['.5s', 500],
    ['5.s', 5000],
    ['1m0.5s', 60500],
    ['1.5h', 90 * MINUTE],
    ['30s', 30 * SECOND],
    ['1s500ms', 1500],
    ['-1.5h', -90 * MINUTE],
    ['+5s', 5000],
    ['0', 0],
    ['-0', 0],
    [0, 0],
    ['0s', 0],
    // go-str2duration, which compose-go uses, adds days and weeks
    ['1d', 24 * HOUR],
    ['1w', 7 * 24 * HOUR],
    ['1w2d', 9 * 24 * HOUR],
    ['9223372036854775807ns', Number(9223372036854775807n) / 1e6],
  ];
  for (const [input, expected] of valid) {
    it(`parses ${JSON.stringify(input)}`, () => {
      assert.strictEqual(valueOf(parseDuration(input)), expected);
    });
  }

  const invalid: [unknown, RegExp][] = [
    // compose refuses plain numbers: they have no unit (only 0 is allowed)
    ['30', /^invalid duration "30": a unit is missing; expected a duration such as 30s, 1m30s or 500ms \(units ns, us, ms, s, m, h, d, w\)$/],
    [30, /^invalid duration 30: a unit is missing/],
    [1.5, /^invalid duration 1.5: a unit is missing/],
    ['1.5', /a unit is missing/],
    ['1h30', /a unit is missing/],
    ['5x', /^invalid duration "5x": "x" is not a unit/],
    ['1 s', /" s" is not a unit/],
    ['1S', /"S" is not a unit/],
    ['1sec', /"sec" is not a unit/],
    ['', /^invalid duration "": it is not a duration/],
    ['-', /it is not a duration/],
    ['s', /it is not a duration/],
    ['.s', /it is not a duration/],
    ['1h-5m', /"h-" is not a unit/],
    [' 1s', /it is not a duration/],
    ['10000000h', /it is too long/],
    ['9223372036854775808ns', /it is too long/],
    ['99999999999999999999s', /it is too long/],
    [null, /^invalid duration: expected a string such as "30s", not null/],
    [true, /not boolean/],
  ];
  for (const [input, expected] of invalid) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      assert.match(errorOf(parseDuration(input as string)), expected);
    });
  }
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [-0, '0s'],
    [90 * SECOND, '1m30s'],
    [500, '500ms'],
    [100, '100ms'],
    [HOUR, '1h0m0s'],
    [1500, '1.5s'],
    [9900, '9.9s'],
    [SECOND, '1s'],
    [MINUTE, '1m0s'],
    [60500, '1m0.5s'],
    [HOUR + 2 * MINUTE + 3004, '1h2m3.004s'],
    [24 * HOUR, '24h0m0s'],
    [-90 * SECOND, '-1m30s'],
    [0.01, '10\u00b5s'],
    [0.0015, '1.5\u00b5s'],
    [0.0005, '500ns'],
    [0.000001, '1ns'],
    [1.000001, '1.000001ms'],
    [1.5, '1.5ms'],
    [SECOND + 0.000001, '1.000000001s'],
  ];
  for (const [ms, expected] of cases) {
    it(`prints ${ms} ms as ${expected}`, () => {
      assert.strictEqual(formatDuration(ms), expected);
    });
  }
});

describe('formatDuration(parseDuration(x))', () => {
  const canonical = [
    '0s',
    '1ns',
    '999ns',
    '1\u00b5s',
    '1.5\u00b5s',
    '10\u00b5s',
    '1ms',
    '1.000001ms',
    '500ms',
    '999.999999ms',
    '1s',
    '1.5s',
    '30s',
    '1m0s',
    '1m30s',
    '1m0.5s',
    '1h0m0s',
    '1h2m3.004s',
    '2h45m0s',
    '24h0m0s',
    '168h0m0s',
    '-1m30s',
    '-500ms',
  ];
  for (const text of canonical) {
    it(`round-trips ${text}`, () => {
      assert.strictEqual(formatDuration(valueOf(parseDuration(text))), text);
    });
  }

  const rewritten: [string, string][] = [
    ['1h', '1h0m0s'],
    ['90s', '1m30s'],
    ['1d', '24h0m0s'],
    ['1w', '168h0m0s'],
    ['10us', '10\u00b5s'],
    ['10\u03bcs', '10\u00b5s'],
    ['0', '0s'],
    ['1.50s', '1.5s'],
    ['1000ms', '1s'],
    ['+2m', '2m0s'],
  ];
  for (const [input, expected] of rewritten) {
    it(`prints ${input} as ${expected}`, () => {
      assert.strictEqual(formatDuration(valueOf(parseDuration(input))), expected);
    });
  }

  it('parses back whatever it prints, to the nanosecond', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e15, max: 1e15 }), (ns) => {
        const ms = ns / 1e6;
        assert.strictEqual(valueOf(parseDuration(formatDuration(ms))), ms);
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseBytes', () => {
  const KiB = 1024;
  const MiB = 1024 * KiB;
  const GiB = 1024 * MiB;
  const valid: [string | number, number][] = [
    ['512m', 512 * MiB],
    ['1g', GiB],
    ['1gb', GiB],
    ['1GB', GiB],
    ['1GiB', GiB],
    ['1.5G', 1610612736],
    ['100k', 100 * KiB],
    ['32K', 32 * KiB],
    ['32kb', 32 * KiB],
    ['32Kib', 32 * KiB],
    ['32KIB', 32 * KiB],
    ['32Mb', 32 * MiB],
    ['32Tb', 32 * 1024 * GiB],
    ['32P', 36028797018963968],
    ['32PB', 36028797018963968],
    ['2048', 2048],
    [2048, 2048],
    ['32b', 32],
    ['32B', 32],
    ['32 MB', 32 * MiB],
    ['32.3', 32],
    ['32.3 mb', Math.trunc(32.3 * MiB)],
    ['0.3MB', Math.trunc(0.3 * MiB)],
    ['.5k', 512],
    ['32.', 32],
    ['1e3', 1000],
    ['0', 0],
    ['0 ', 0],
    ['-0b', 0],
    ['+5', 5],
    // an integer is taken as is, so memswap_limit: -1 (unlimited) passes
    ['-1', -1],
    [-1, -1],
    ['-32', -32],
  ];
  for (const [input, expected] of valid) {
    it(`parses ${JSON.stringify(input)}`, () => {
      assert.strictEqual(valueOf(parseBytes(input)), expected);
    });
  }

  const invalid: [unknown, RegExp][] = [
    ['', /^invalid size "": it has no number; expected a number of bytes with an optional unit b, k, m, g, t or p/],
    ['hello', /^invalid size "hello": it has no number/],
    ['1x', /^invalid size "1x": "x" is not a unit; expected a number of bytes/],
    ['32bm', /"bm" is not a unit/],
    ['32kbb', /"kbb" is not a unit/],
    ['32kibb', /"kibb" is not a unit/],
    ['32kab', /"kab" is not a unit/],
    ['32m b', /"32m" is not a number/],
    [' 32 ', /"" is not a number/],
    ['32  b', /" b" is not a unit/],
    ['12 345', /"345" is not a unit/],
    ['-32k', /a size cannot be negative/],
    ['1_000', /"1_000" is not a number/],
    ['inf', /it has no number/],
    ['9223372036854775808', /it is too large/],
    ['9999999p', /it is too large/],
    [1.5, /^invalid size 1.5: a number of bytes must be a whole number/],
    [null, /^invalid size: expected a number of bytes .*, not null/],
  ];
  for (const [input, expected] of invalid) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      assert.match(errorOf(parseBytes(input as string)), expected);
    });
  }
});
