import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpusToNano, durationToNanoseconds, durationToSeconds, sizeToBytes } from '../../src/engine/units.js';

describe('units', () => {
  it('reads Go durations as compose prints them', () => {
    assert.equal(durationToNanoseconds('1m30s'), 90e9);
    assert.equal(durationToNanoseconds('1h0m0s'), 3600e9);
    assert.equal(durationToNanoseconds('1.5s'), 1.5e9);
    assert.equal(durationToNanoseconds('250ms'), 250e6);
    assert.equal(durationToNanoseconds('10µs'), 10e3);
    assert.equal(durationToNanoseconds('0s'), 0);
    assert.equal(durationToNanoseconds('30'), 30e9);
    assert.equal(durationToNanoseconds('soon'), undefined);
    assert.equal(durationToNanoseconds('1x'), undefined);
    assert.equal(durationToSeconds('1.2s'), 2);
    assert.equal(durationToSeconds(undefined), undefined);
  });

  it('reads memory sizes in binary units, case-insensitively', () => {
    assert.equal(sizeToBytes('512m'), 512 * 1024 ** 2);
    assert.equal(sizeToBytes('1.5G'), 1.5 * 1024 ** 3);
    assert.equal(sizeToBytes('64kb'), 65536);
    assert.equal(sizeToBytes('100'), 100);
    assert.equal(sizeToBytes(2048), 2048);
    assert.equal(sizeToBytes('lots'), undefined);
    assert.equal(sizeToBytes('5q'), undefined);
  });

  it('reads CPU counts', () => {
    assert.equal(cpusToNano('0.5'), 5e8);
    assert.equal(cpusToNano(2), 2e9);
    assert.equal(cpusToNano('many'), undefined);
    assert.equal(cpusToNano(''), undefined);
  });
});
