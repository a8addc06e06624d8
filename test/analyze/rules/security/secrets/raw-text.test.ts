import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dotenvEntries, fallbackValue, hasReference, rawScalarAt } from '../../../../../src/analyze/rules/security/secrets/raw-text.js';

describe('secrets/raw-text', () => {
  it('hasReference: compose interpolation, not its $$ escape', () => {
    assert.equal(hasReference('${DB_PASSWORD}'), true);
    assert.equal(hasReference('pre-$DB_PASSWORD'), true);
    assert.equal(hasReference('pa$$word'), false);
    assert.equal(hasReference('$$(cat /run/secrets/db)'), false);
    assert.equal(hasReference('cost: 5$'), false);
  });

  it('fallbackValue: what the text becomes with no variable set', () => {
    assert.equal(fallbackValue('${DB_PASSWORD:-postgres}'), 'postgres');
    assert.equal(fallbackValue('${A-${B:-nested}}'), 'nested');
    assert.equal(fallbackValue('postgres://u:${PW}@db'), 'postgres://u:@db');
    assert.equal(fallbackValue('${PW:?required}'), '');
    assert.equal(fallbackValue('$$HOME and $USER'), '$HOME and ');
  });

  it('rawScalarAt: plain, quoted, flow and block scalars as written', () => {
    const lines = [
      'a: ${X:-d} # note',
      'b: "say \\"hi\\" ${Y}"',
      "c: ['it''s', plain, x]",
      'd: |',
      '  line one',
      '  line two',
      'e: next',
    ];
    assert.equal(rawScalarAt(lines, 1, 4), '${X:-d}');
    assert.equal(rawScalarAt(lines, 2, 4), 'say "hi" ${Y}');
    assert.equal(rawScalarAt(lines, 3, 5), "it's");
    assert.equal(rawScalarAt(lines, 3, 14), 'plain');
    assert.equal(rawScalarAt(lines, 4, 4), 'line one\nline two');
    assert.equal(rawScalarAt(lines, 7, 20), undefined);
  });

  it('dotenvEntries: keys, raw values and value columns', () => {
    const entries = dotenvEntries("# c\nexport A=1\nB='lit$x' # keep\nC=\"q ${D}\"\nE: v # note\n");
    assert.deepEqual(
      entries.map((e) => [e.key, e.raw, e.line, e.column, e.literal]),
      [
        ['A', '1', 2, 10, false],
        ['B', 'lit$x', 3, 3, true],
        ['C', 'q ${D}', 4, 3, false],
        ['E', 'v', 5, 4, false],
      ],
    );
  });
});
