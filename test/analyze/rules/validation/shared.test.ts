import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editDistance } from '../../../../src/analyze/rules/validation/shared.js';

describe('validation/shared', () => {
  it('editDistance counts insertions, deletions and substitutions', () => {
    assert.equal(editDistance('databse', 'database'), 1);
    assert.equal(editDistance('redis', 'redis'), 0);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });
});
