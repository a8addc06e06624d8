import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { interpolate, MAX_ISSUES, MAX_NESTING, type Lookup } from '../../src/compose/interpolate.js';
import { fixturePath } from '../helpers/fixtures.js';

/** compose-go's own test mapping (template_test.go). */
const ENV: Record<string, string> = { FOO: 'first', BAR: '', JSON: '{"json":2}' };
const lookup: Lookup = (name) => (Object.hasOwn(ENV, name) ? ENV[name] : undefined);

function run(input: string, env: Lookup = lookup) {
  return interpolate(input, env);
}

/**
 * Runs `f` and fails when it takes `ms` or more: hostile inputs must stay linear-ish, not merely
 * end. The limit is generous for a loaded machine; a quadratic version takes far longer at these sizes.
 */
function timed<T>(ms: number, f: () => T): T {
  const start = performance.now();
  const result = f();
  const elapsed = performance.now() - start;
  assert.ok(elapsed < ms, `took ${elapsed.toFixed(0)} ms (limit ${ms} ms)`);
  return result;
}

describe('interpolate: forms', () => {
  // [input, value, unset]
  const cases: [string, string, string[]][] = [
    // no expression at all
    ['', '', []],
    ['foo', 'foo', []],
    // $VAR and ${VAR}
    ['This $FOO var', 'This first var', []],
    ['This ${FOO} var', 'This first var', []],
    ['$FOO-bar', 'first-bar', []],
    ['$FOO.bar', 'first.bar', []],
    ['$FOObar', '', ['FOObar']],
    ['${FOO}bar', 'firstbar', []],
    ['$FOO$FOO', 'firstfirst', []],
    ['This ${missing} var', 'This  var', ['missing']],
    ['This ${BAR} var', 'This  var', []],
    ['$_under_score1', '', ['_under_score1']],
    ['$foo', '', ['foo']],
    // $$ and lone dollars
    ['$${foo}', '${foo}', []],
    ['$$FOO', '$FOO', []],
    ['$$$FOO', '$first', []],
    ['$$$$', '$$', []],
    ['a $ string', 'a $ string', []],
    ['^REGEX$', '^REGEX$', []],
    ['$}', '$}', []],
    ['$', '$', []],
    ['$1', '$1', []],
    ['$-x', '$-x', []],
    ['cost: 5$', 'cost: 5$', []],
    // ${VAR:-default}: unset or empty
    ['ok ${missing:-def}', 'ok def', []],
    ['ok ${BAR:-def}', 'ok def', []],
    ['ok ${FOO:-def}', 'ok first', []],
    ['ok ${missing:-}', 'ok ', []],
    ['ok ${BAR:-/non:-alphanumeric}', 'ok /non:-alphanumeric', []],
    // ${VAR-default}: only unset
    ['ok ${missing-def}', 'ok def', []],
    ['ok ${BAR-def}', 'ok ', []],
    ['ok ${FOO-def}', 'ok first', []],
    ['${missing-myerror?msg}', 'myerror?msg', []],
    // ${VAR:+alt} and ${VAR+alt}
    ['ok ${FOO:+presence_value}', 'ok presence_value', []],
    ['ok ${BAR:+presence_value}', 'ok ', []],
    ['ok ${missing:+presence_value}', 'ok ', []],
    ['ok ${FOO+presence_value}', 'ok presence_value', []],
    ['ok ${BAR+presence_value}', 'ok presence_value', []],
    ['ok ${missing+presence_value}', 'ok ', []],
    // ${VAR:?err} and ${VAR?err} when the value is there
    ['ok ${FOO:?err}', 'ok first', []],
    ['ok ${FOO?err}', 'ok first', []],
    ['ok ${BAR?err}', 'ok ', []],
    // nested expressions in defaults and alternatives
    ['ok ${missing-$FOO}', 'ok first', []],
    ['ok ${missing-${FOO}}', 'ok first', []],
    ['ok ${missing-${FOO} ${FOO}}', 'ok first first', []],
    ['ok ${BAR:-$FOO}', 'ok first', []],
    ['ok ${BAR:-${FOO}}', 'ok first', []],
    ['ok ${BAR+$FOO}', 'ok first', []],
    ['ok ${BAR+$FOO ${FOO:+second}}', 'ok first second', []],
    ['${A:-${B:-x}}', 'x', []],
    ['${A:-${B:-${C:-${FOO}}}}', 'first', []],
    ['${A:-prefix-$FOO}', 'prefix-first', []],
    ['${A:-prefix-$B}', 'prefix-', ['B']],
    ['${A:-${B}}', '', ['B']],
    ['${A:-$$}', '$', []],
    ['${A:-$${FOO}}', '${FOO}', []],
    ['+ok ${UNSET:-${BAR-defaultValue}}', '+ok ', []],
    // compose-go's interference cases: operators outside the expression are plain text
    [':?ok ${BAR:-defaultValue}', ':?ok defaultValue', []],
    ['?ok ${BAR:-defaultValue}', '?ok defaultValue', []],
    [':-ok ${UNSET-defaultValue}', ':-ok defaultValue', []],
    // braces in defaults: every `{` counts towards the closing `}`
    ['ok ${missing:-{"json":1}}', 'ok {"json":1}', []],
    ['ok ${missing-{"json":1}}', 'ok {"json":1}', []],
    ['ok ${JSON:-{"json":1}}', 'ok {"json":2}', []],
    ['${A:-x}}', 'x}', []],
    ['${A-x}}', 'x}', []],
    ['${A:-{}}}', '{}}', []],
    ['${FOO:-{}}}', 'first', []],
    ['${A:-a}-${B:-b}', 'a-b', []],
    ['${A:-x} $$ ${FOO}', 'x $ first', []],
    // lines: an expression with an operator closes on its own line
    ['a\n${FOO}\nb', 'a\nfirst\nb', []],
    ['${A:-x}\r', 'x\r', []],
    ['${A:-x}\n}', 'x\n}', []],
    // Go's case-insensitive name pattern folds these two into [a-z]
    ['$\u017f', '', ['\u017f']],
    ['${\u212a}', '', ['\u212a']],
  ];
  for (const [input, value, unset] of cases) {
    it(JSON.stringify(input), () => {
      const r = run(input);
      assert.deepEqual(r.issues, []);
      assert.equal(r.value, value);
      assert.deepEqual(r.unset, unset);
    });
  }
});

describe('interpolate: issues', () => {
  // [input, kind, message, offset]
  const cases: [string, 'required' | 'syntax', string, number][] = [
    ['not ok ${UNSET_VAR:?Mandatory Variable Unset}', 'required', 'required variable UNSET_VAR is missing a value: Mandatory Variable Unset', 7],
    ['not ok ${BAR:?Mandatory Variable Empty}', 'required', 'required variable BAR is missing a value: Mandatory Variable Empty', 7],
    ['not ok ${UNSET_VAR:?}', 'required', 'required variable UNSET_VAR is missing a value', 7],
    ['not ok ${UNSET_VAR?Mandatory Variable Unset}', 'required', 'required variable UNSET_VAR is missing a value: Mandatory Variable Unset', 7],
    ['not ok ${UNSET_VAR?}', 'required', 'required variable UNSET_VAR is missing a value', 7],
    ['${UNSET_VAR?bar-baz}', 'required', 'required variable UNSET_VAR is missing a value: bar-baz', 0],
    ['${U:?Mandatory Variable ${FOO}}', 'required', 'required variable U is missing a value: Mandatory Variable first', 0],
    ['${U?Mandatory Variable ${FOO}}', 'required', 'required variable U is missing a value: Mandatory Variable first', 0],
    ['x ${A:-${B:?inner}}', 'required', 'required variable B is missing a value: inner', 7],
    ['${', 'syntax', 'invalid interpolation format for "${"', 0],
    ['${}', 'syntax', 'invalid interpolation format for "${}"', 0],
    ['${ }', 'syntax', 'invalid interpolation format for "${ }"', 0],
    ['a ${ foo}', 'syntax', 'invalid interpolation format for "a ${ foo}"', 2],
    ['${foo }', 'syntax', 'invalid interpolation format for "${foo }"', 0],
    ['${foo!}', 'syntax', 'invalid interpolation format for "${foo!}"', 0],
    ['${VAR:x}', 'syntax', 'invalid interpolation format for "${VAR:x}"', 0],
    ['${VAR:}', 'syntax', 'invalid interpolation format for "${VAR:}"', 0],
    ['${A.B}', 'syntax', 'invalid interpolation format for "${A.B}"', 0],
    ['${1A}', 'syntax', 'invalid interpolation format for "${1A}"', 0],
    ['ab ${FOO', 'syntax', 'invalid interpolation format for "ab ${FOO"', 3],
    ['${A:-x', 'syntax', 'invalid interpolation format for "${A:-x"', 0],
    // the closing brace must be on the same line
    ['${A:-x\n}', 'syntax', 'invalid interpolation format for "${A:-x\\n}"', 0],
    // an evaluated default is interpolated, and so are its errors (with their own offsets)
    ['x ${UNSET:-${}}', 'syntax', 'invalid interpolation format for "x ${UNSET:-${}}"', 11],
    // an error inside the message of a required variable replaces the missing-variable error
    ['${U:?need ${ }}', 'syntax', 'invalid interpolation format for "${U:?need ${ }}"', 10],
  ];
  for (const [input, kind, message, offset] of cases) {
    it(JSON.stringify(input), () => {
      const r = run(input);
      assert.deepEqual(r.issues, [{ kind, message, offset }]);
      assert.equal(input[offset], '$');
    });
  }

  it('does not evaluate, warn about or fail on the branch that is not used', () => {
    assert.deepEqual(run('${FOO:-${}}'), { value: 'first', issues: [], unset: [], changed: true });
    assert.deepEqual(run('${FOO?${MISSING}}'), { value: 'first', issues: [], unset: [], changed: true });
    assert.deepEqual(run('${A:+${A},}B'), { value: 'B', issues: [], unset: [], changed: true });
    assert.deepEqual(run('${FOO:-${X:?boom}}').issues, []);
  });

  it('reports every issue of a string, in order, and keeps scanning after a bad ${', () => {
    const r = run('${ a} ${U:?one} $FOO ${V?two}');
    assert.deepEqual(
      r.issues.map((i) => [i.kind, i.offset]),
      [['syntax', 0], ['required', 6], ['required', 21]],
    );
    // compose drops the bad `${` and keeps the rest as text
    assert.equal(r.value, ' a}  first ');
  });

  it('quotes a long input only in part', () => {
    const input = `${'x'.repeat(300)}\${`;
    const [issue] = run(input).issues;
    assert.ok(issue && issue.message.length < 200, issue?.message);
    assert.equal(issue.offset, 300);
  });

  it('bounds nesting with a syntax issue at the expression that goes too deep', () => {
    const ok = '${A:-'.repeat(MAX_NESTING) + 'x' + '}'.repeat(MAX_NESTING);
    assert.deepEqual(run(ok), { value: 'x', issues: [], unset: [], changed: true });
    const deep = '${A:-'.repeat(MAX_NESTING + 1) + 'x' + '}'.repeat(MAX_NESTING + 1);
    const r = run(deep);
    assert.equal(r.issues.length, 1);
    assert.equal(r.issues[0]!.kind, 'syntax');
    assert.match(r.issues[0]!.message, /nest more than 32 levels deep/);
    assert.equal(r.issues[0]!.offset, MAX_NESTING * 5);
    // when the outer variable is set, nothing nested is evaluated and nothing is reported
    assert.deepEqual(run(deep, (n) => (n === 'A' ? 'a' : undefined)).issues, []);
  });
});

describe('interpolate: unset and changed', () => {
  it('lists each unset variable once, in order of first use', () => {
    assert.deepEqual(run('$B ${A} $B ${C:-x} ${D-x} ${E:+x} $A').unset, ['B', 'A']);
  });

  it('counts an empty value as set', () => {
    assert.deepEqual(run('$BAR${BAR}').unset, []);
  });

  it('tells whether any $ expression was processed', () => {
    const changed = (s: string) => run(s).changed;
    assert.equal(changed('plain'), false);
    assert.equal(changed('a $ b $'), false);
    assert.equal(changed('$1 $}'), false);
    assert.equal(changed('$$'), true);
    assert.equal(changed('$FOO'), true);
    assert.equal(changed('${missing}'), true);
    assert.equal(changed('${'), true);
  });

  it('asks lookup only for names it needs', () => {
    const asked: string[] = [];
    run('${A:-$B} ${C:+$D} $$E', (n) => {
      asked.push(n);
      return n === 'A' ? 'a' : undefined;
    });
    assert.deepEqual(asked, ['A', 'C']);
  });
});

describe('interpolate: compose-go conformance', () => {
  interface Recorded {
    input: string;
    value: string | null;
    error: string | null;
    unset: string[] | null;
  }
  const fixture = JSON.parse(readFileSync(fixturePath('oracle', 'compose-go-interpolation.json'), 'utf8')) as {
    env: Record<string, string>;
    template: Recorded[];
  };
  const env: Lookup = (name) => (Object.hasOwn(fixture.env, name) ? fixture.env[name] : undefined);

  it(`matches compose-go on ${fixture.template.length} recorded templates`, () => {
    assert.ok(fixture.template.length > 400);
    for (const c of fixture.template) {
      const r = interpolate(c.input, env);
      const label = JSON.stringify(c.input);
      if (c.error === null) {
        assert.deepEqual(r.issues, [], label);
        assert.equal(r.value, c.value, label);
        assert.deepEqual(r.unset, c.unset, label);
      } else {
        const first = r.issues[0];
        assert.ok(first, `${label}: compose-go fails with ${c.error}`);
        if (c.error.startsWith('Invalid template')) assert.equal(first.kind, 'syntax', label);
        else assert.deepEqual([first.kind, first.message], ['required', c.error], label);
      }
    }
  });
});

describe('interpolate: hostile input', () => {
  const none: Lookup = () => undefined;

  it('100k "${" finish fast, with a bounded list of issues', () => {
    const r = timed(2000, () => interpolate('${'.repeat(100_000), none));
    assert.equal(r.issues.length, MAX_ISSUES);
    assert.equal(r.value, '');
  });

  it('10k levels of nesting neither overflow the stack nor take long', () => {
    const input = '${A:-'.repeat(10_000) + 'x' + '}'.repeat(10_000);
    const r = timed(2000, () => interpolate(input, none));
    assert.equal(r.issues.length, 1);
    assert.equal(r.issues[0]!.kind, 'syntax');
    const set = timed(2000, () => interpolate(input, () => 'v'));
    assert.deepEqual(set.issues, []);
    assert.equal(set.value, 'v');
  });

  it('unbalanced braces, unclosed expressions and long lines stay linear', () => {
    timed(2000, () => interpolate('${A:-{'.repeat(20_000) + '}', none));
    timed(2000, () => interpolate('${A:-x'.repeat(50_000), none));
    timed(2000, () => interpolate('${A:-x}'.repeat(50_000) + 'y'.repeat(200_000), none));
    timed(2000, () => interpolate('${A:?${B:?x}}'.repeat(20_000), none));
    timed(2000, () => interpolate('$'.repeat(200_001), none));
  });
});

describe('interpolate: properties', () => {
  const text = fc.string({ unit: fc.constantFrom('$', '{', '}', ':', '-', '+', '?', 'A', 'B', 'x', ' ', '\n'), maxLength: 40 });
  const env: Lookup = (n) => (n === 'A' ? 'a' : n === 'B' ? '' : undefined);

  it('never throws, and every issue points at a $', () => {
    fc.assert(
      fc.property(text, (s) => {
        const r = interpolate(s, env);
        for (const issue of r.issues) assert.equal(s[issue.offset], '$');
      }),
      { numRuns: 2000 },
    );
  });

  it('gives back any text whose dollars are doubled', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        const r = interpolate(s.replaceAll('$', () => '$$'), env);
        assert.deepEqual([r.value, r.issues, r.unset], [s, [], []]);
      }),
      { numRuns: 500 },
    );
  });
});
