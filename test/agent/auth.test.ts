import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { keyChecker } from '../../src/agent/auth.js';
import { presentedKey } from '../../src/http/index.js';
import { checkRelativePath, isStackName } from '../../src/agent/names.js';

describe('presentedKey', () => {
  test('X-Server-Key first, then Authorization: Bearer', () => {
    assert.equal(presentedKey({ 'x-server-key': 'abc' }), 'abc');
    assert.equal(presentedKey({ authorization: 'Bearer abc' }), 'abc');
    assert.equal(presentedKey({ authorization: 'bearer   abc ' }), 'abc');
    assert.equal(presentedKey({ 'x-server-key': 'one', authorization: 'Bearer two' }), 'one');
  });

  test('no key, other schemes, a header sent twice', () => {
    assert.equal(presentedKey({}), undefined);
    assert.equal(presentedKey({ authorization: 'Basic YWJjOmRlZg==' }), undefined);
    assert.equal(presentedKey({ authorization: 'Bearer' }), undefined);
    assert.equal(presentedKey({ authorization: 'Bearer a b' }), undefined);
    assert.equal(presentedKey({ 'x-server-key': ['a', 'b'] as unknown as string }), undefined);
  });
});

describe('keyChecker', () => {
  const matches = keyChecker('the-right-server-key');
  test('only the exact key matches', () => {
    assert.equal(matches('the-right-server-key'), true);
    for (const wrong of [undefined, '', 'the-right-server-ke', 'the-right-server-key ', 'THE-RIGHT-SERVER-KEY', 'the-right-server-keyX']) {
      assert.equal(matches(wrong), false, String(wrong));
    }
  });
});

describe('names and paths', () => {
  test('stack names are compose project names', () => {
    for (const name of ['web', 'a', 'my_app-2', '550e8400-e29b-41d4-a716-446655440000']) assert.equal(isStackName(name), true, name);
    for (const name of ['', 'Web', '-x', '_x', '../x', 'a/b', 'a.b', 'x'.repeat(64), 'a b']) assert.equal(isStackName(name), false, name);
  });

  test('relative paths are normalized; traversal and absolute paths refused', () => {
    assert.deepEqual(checkRelativePath('a/./b//c'), { path: 'a/b/c' });
    assert.deepEqual(checkRelativePath('./compose.yaml'), { path: 'compose.yaml' });
    assert.deepEqual(checkRelativePath('dir/'), { path: 'dir' });
    const refused: [string, RegExp][] = [
      ['../x', /\.\./],
      ['a/../../x', /\.\./],
      ['a/..', /\.\./],
      ['/etc/passwd', /absolute/],
      ['C:/Windows', /absolute/],
      ['a\\..\\b', /backslash/],
      ['a\0b', /NUL/],
      ['.', /empty/],
      ['', /empty/],
    ];
    for (const [raw, message] of refused) {
      const result = checkRelativePath(raw);
      assert.ok('error' in result, `${JSON.stringify(raw)} should be refused`);
      assert.match(result.error, message);
    }
  });
});
