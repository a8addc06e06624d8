import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseDotenv, type DotenvResult } from '../../src/compose/dotenv.js';
import { fixturePath } from '../helpers/fixtures.js';

type Env = Record<string, string>;

const lookupIn =
  (env: Env) =>
  (name: string): string | undefined =>
    Object.hasOwn(env, name) ? env[name] : undefined;

function values(r: DotenvResult): Env {
  return Object.fromEntries(r.values);
}

/** Parses and expects no issues. */
function parseClean(source: string, env: Env = {}): Env {
  const r = parseDotenv(source, lookupIn(env));
  assert.deepEqual(r.issues, [], JSON.stringify(source));
  return values(r);
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

describe('parseDotenv: statements and values', () => {
  // [source, key, value] — most from compose-go's dotenv tests (TestParsing and friends)
  const cases: [string, string, string][] = [
    // unquoted
    ['FOO=bar', 'FOO', 'bar'],
    ['FOO =bar', 'FOO', 'bar'],
    ['FOO= bar', 'FOO', 'bar'],
    ['FOO = bar ', 'FOO', 'bar'],
    ['FOO=bar baz', 'FOO', 'bar baz'],
    ['FOO=foobar=', 'FOO', 'foobar='],
    ['OPTION_A=1:B', 'OPTION_A', '1:B'],
    ['FOO=a\\tb', 'FOO', 'a\\tb'],
    ['FOO=', 'FOO', ''],
    ['FOO=\n', 'FOO', ''],
    ['FOO = \n', 'FOO', ''],
    // yaml style
    ['OPTION_A: 1', 'OPTION_A', '1'],
    ['OPTION_A: Foo=bar', 'OPTION_A', 'Foo=bar'],
    // export
    ['export OPTION_A=2', 'OPTION_A', '2'],
    ["export OPTION_B='\\n'", 'OPTION_B', '\\n'],
    ['export exportFoo=2', 'exportFoo', '2'],
    ['exportFOO=2', 'exportFOO', '2'],
    ['export_FOO =2', 'export_FOO', '2'],
    ['export.FOO= 2', 'export.FOO', '2'],
    ['export\tOPTION_A=2', 'OPTION_A', '2'],
    ['  export OPTION_A=2', 'OPTION_A', '2'],
    ['\texport OPTION_A=2', 'OPTION_A', '2'],
    ['export OPTION_A="export A"', 'OPTION_A', 'export A'],
    // names
    ['FOO.BAR=foobar', 'FOO.BAR', 'foobar'],
    ['VAR-WITH-DASHES=dashes', 'VAR-WITH-DASHES', 'dashes'],
    ['a[1]=c', 'a[1]', 'c'],
    ['árvíztűrő-TÜKÖRFÚRÓGÉP=ÁRVÍZTŰRŐ-tükörfúrógép', 'árvíztűrő-TÜKÖRFÚRÓGÉP', 'ÁRVÍZTŰRŐ-tükörfúrógép'],
    [' KEY =value', 'KEY', 'value'],
    ['\tKEY=value', 'KEY', 'value'],
    // comments
    ['FOO=bar # this is foo', 'FOO', 'bar'],
    ['FOO=bar #this is foo', 'FOO', 'bar'],
    ['FOO=bar #', 'FOO', 'bar'],
    ['FOO=123#not-an-inline-comment', 'FOO', '123#not-an-inline-comment'],
    ['FOO=bar\t#tab is not a comment start', 'FOO', 'bar\t#tab is not a comment start'],
    ['FOO= #value', 'FOO', '#value'],
    ['FOO="bar#baz"', 'FOO', 'bar#baz'],
    ['FOO="bar#baz"#', 'FOO', 'bar#baz'],
    ['FOO="bar#baz" # comment', 'FOO', 'bar#baz'],
    ["FOO='bar#baz' # comment", 'FOO', 'bar#baz'],
    ['FOO="bar#baz#bang" # comment', 'FOO', 'bar#baz#bang'],
    // single quotes: literal
    ["FOO='bar'", 'FOO', 'bar'],
    ["FOO=''", 'FOO', ''],
    ["FOO='\\n'", 'FOO', '\\n'],
    ["FOO='Let\\'s go!'", 'FOO', "Let's go!"],
    ["FOO='a\\\\b'", 'FOO', 'a\\\\b'],
    ["BAR='quote $FOO'", 'BAR', 'quote $FOO'],
    ["FOO='first line\nsecond line'", 'FOO', 'first line\nsecond line'],
    // double quotes: escapes
    ['FOO="bar"', 'FOO', 'bar'],
    ['FOO=""', 'FOO', ''],
    ['FOO="escaped\\"bar"', 'FOO', 'escaped"bar'],
    ['FOO="\\"quoted\\""', 'FOO', '"quoted"'],
    [`FOO="'d'"`, 'FOO', "'d'"],
    ['FOO="bar\\nbaz"', 'FOO', 'bar\nbaz'],
    ['FOO="a\\tb"', 'FOO', 'a\tb'],
    ['KEY="Z\\aZ\\bZ\\fZ\\nZ\\rZ\\tZ\\vZ\\\\Z\\0123Z"', 'KEY', 'Z\x07Z\bZ\fZ\nZ\rZ\tZ\vZ\\ZSZ'],
    ['FOO="bar\\n\\ b\\az"', 'FOO', 'bar\n\\ b\x07z'],
    ['FOO="bar\\\\\\n\\ b\\az"', 'FOO', 'bar\\\n\\ b\x07z'],
    ['FOO="bar\\\\r\\ b\\az"', 'FOO', 'bar\\r\\ b\x07z'],
    ['FOO="bar\\nbaz\\\\"', 'FOO', 'bar\nbaz\\'],
    ['KEY="\\0123"', 'KEY', 'S'],
    ['KEY="\\0351"', 'KEY', 'é'],
    // `\0` without three octal digits: compose keeps its rewrite without the 0
    ['KEY="\\012"', 'KEY', '\\12'],
    ['KEY="\\0"', 'KEY', '\\'],
    ['KEY="\\0400"', 'KEY', '\\400'],
    ['KEY="\\x07"', 'KEY', '\\x07'],
    ['KEY="\\u12e4"', 'KEY', '\\u12e4'],
    ['KEY="\\c"', 'KEY', '\\c'],
    ['FOO="foo\\$BAR"', 'FOO', 'foo$BAR'],
    ['FOO="foo\\${BAR}"', 'FOO', 'foo${BAR}'],
    ['FOO="a\nb"', 'FOO', 'a\nb'],
    [
      'TEST_URLS="stratum+tcp://stratum.antpool.com:3333\nstratum+tcp://stratum.antpool.com:443"',
      'TEST_URLS',
      'stratum+tcp://stratum.antpool.com:3333\nstratum+tcp://stratum.antpool.com:443',
    ],
    // interpolation
    ['BAR=$FOO', 'BAR', ''],
    ['BAR="${FOO:-d}"', 'BAR', 'd'],
    ["BAR='${FOO:-d}'", 'BAR', '${FOO:-d}'],
    ['BAR=$$FOO', 'BAR', '$FOO'],
    ['BAR=${FOO:-{"json":1}}', 'BAR', '{"json":1}'],
  ];
  for (const [source, key, value] of cases) {
    it(JSON.stringify(source), () => {
      assert.deepEqual(parseClean(source), { [key]: value });
    });
  }

  it('reads every statement of a file, skipping blank lines and comments', () => {
    const source = ['# some comments', '', 'A=1', '\t # indented comment', '   ', 'B=2', '#C=3', 'D=4'].join('\n');
    assert.deepEqual(parseClean(source), { A: '1', B: '2', D: '4' });
  });

  it('reads compose-go\'s fixtures', () => {
    const plain = 'OPTION_A=1\nOPTION_B=2\nOPTION_C= 3\nOPTION_D =4\nOPTION_E = 5\nOPTION_F = \nOPTION_G=\nOPTION_H = my string # Inline comment\n';
    assert.deepEqual(parseClean(plain), {
      OPTION_A: '1', OPTION_B: '2', OPTION_C: '3', OPTION_D: '4', OPTION_E: '5', OPTION_F: '', OPTION_G: '', OPTION_H: 'my string',
    });
    const quoted = [
      "OPTION_A='1'", "OPTION_B='2'", "OPTION_C=''", "OPTION_D='\\n'", 'OPTION_E="1"', 'OPTION_F="2"', 'OPTION_G=""',
      'OPTION_H="\\n"', `OPTION_I = "echo 'asd'" # Inline comment`, "OPTION_J = 'first line", 'second line', 'third line',
      "and so on'", "OPTION_K='Let\\'s go!'", 'OPTION_Z = "last value"', '',
    ].join('\n');
    assert.deepEqual(parseClean(quoted), {
      OPTION_A: '1', OPTION_B: '2', OPTION_C: '', OPTION_D: '\\n', OPTION_E: '1', OPTION_F: '2', OPTION_G: '', OPTION_H: '\n',
      OPTION_I: "echo 'asd'", OPTION_J: 'first line\nsecond line\nthird line\nand so on', OPTION_K: "Let's go!",
      OPTION_Z: 'last value',
    });
    const unquoted = 'OPTION_A = "some quoted phrase"\nOPTION_B=first one with an unquoted phrase\nOPTION_D = special è char\n';
    assert.deepEqual(parseClean(unquoted), {
      OPTION_A: 'some quoted phrase', OPTION_B: 'first one with an unquoted phrase', OPTION_D: 'special è char',
    });
    const equals = "export OPTION_A='postgres://localhost:5432/database?sslmode=disable'\n\n";
    assert.deepEqual(parseClean(equals), { OPTION_A: 'postgres://localhost:5432/database?sslmode=disable' });
  });

  it('reads what follows a closing quote as the next statement, as compose does', () => {
    assert.deepEqual(parseClean('A="x"B=2\n'), { A: 'x', B: '2' });
    assert.deepEqual(parseClean("A='x' B=2"), { A: 'x', B: '2' });
  });

  it('ignores a UTF-8 byte order mark', () => {
    const r = parseDotenv('\uFEFFOPTION_A=1\nOPTION_B=2\n');
    assert.deepEqual(values(r), { OPTION_A: '1', OPTION_B: '2' });
    assert.deepEqual(parseDotenv('\uFEFF1BAD=x').issues, [{ line: 1, column: 1, message: 'variable name "1BAD" must not start with a digit' }]);
  });

  it('reads \\r\\n line endings, keeping a \\r\\n inside quotes as compose does', () => {
    const r = parseDotenv('A=1\r\nB = two words \r\nC="x"\r\nD\r\nE="multi\r\nline"\r\n# c\r\nF=\r\n', lookupIn({ D: 'd' }));
    assert.deepEqual(r.issues, []);
    assert.deepEqual(values(r), { A: '1', B: 'two words', C: 'x', D: 'd', E: 'multi\r\nline', F: '' });
    assert.deepEqual(Object.fromEntries(r.lines), { A: 1, B: 2, C: 3, D: 4, E: 5, F: 8 });
  });
});

describe('parseDotenv: bare keys and lookup', () => {
  it('takes a bare KEY from lookup, and leaves it out when lookup has nothing', () => {
    const source = 'foo=bar\nVAR_TO_BE_LOADED_FROM_OS_ENV\nbar=baz\nVARIABLE_NOT_FOUND\n';
    const asked: string[] = [];
    const r = parseDotenv(source, (name) => {
      asked.push(name);
      return name === 'VAR_TO_BE_LOADED_FROM_OS_ENV' ? 'SOME_RANDOM_VALUE' : undefined;
    });
    assert.deepEqual(r.issues, []);
    assert.deepEqual(values(r), { foo: 'bar', VAR_TO_BE_LOADED_FROM_OS_ENV: 'SOME_RANDOM_VALUE', bar: 'baz' });
    assert.deepEqual(asked, ['VAR_TO_BE_LOADED_FROM_OS_ENV', 'VARIABLE_NOT_FOUND']);
    assert.deepEqual(values(parseDotenv(source)), { foo: 'bar', bar: 'baz' });
  });

  it('reads a bare KEY on the last line without a newline as a lookup too', () => {
    assert.deepEqual(parseClean('A=1\nX', { X: 'x' }), { A: '1', X: 'x' });
    assert.deepEqual(parseClean('export X', { X: 'x' }), { X: 'x' });
    assert.deepEqual(parseClean('A="q"X', { X: 'x' }), { A: 'q', X: 'x' });
  });

  it('keeps an earlier value of a bare KEY that lookup does not know', () => {
    const r = parseDotenv('A=1\nA\n');
    assert.deepEqual([values(r), Object.fromEntries(r.lines)], [{ A: '1' }, { A: 1 }]);
    const overridden = parseDotenv('A=1\nA\n', lookupIn({ A: 'env' }));
    assert.deepEqual([values(overridden), Object.fromEntries(overridden.lines)], [{ A: 'env' }, { A: 2 }]);
  });

  it('interpolates with earlier keys of the file', () => {
    assert.deepEqual(parseClean('FOO=test\nBAR=$FOO'), { FOO: 'test', BAR: 'test' });
    assert.deepEqual(parseClean('FOO=test\nBAR=${FOO}bar'), { FOO: 'test', BAR: 'testbar' });
    assert.deepEqual(parseClean('FOO=test\nBAR="quote $FOO"'), { FOO: 'test', BAR: 'quote test' });
    assert.deepEqual(parseClean('FOO=test\nBAR="foo\\${FOO} ${FOO}"'), { FOO: 'test', BAR: 'foo${FOO} test' });
    assert.deepEqual(parseClean('BAR=$FOO\nFOO=later'), { BAR: '', FOO: 'later' });
    assert.deepEqual(parseClean('TEST=$ME', { ME: 'YES' }), { TEST: 'YES' });
  });

  it('gives lookup precedence over the file, as compose does', () => {
    const substitutions = 'OPTION_A=1\nOPTION_B=${OPTION_A}\nOPTION_C=$OPTION_B\nOPTION_D=${OPTION_A}_${OPTION_B}\nOPTION_E=${OPTION_NOT_DEFINED}\n';
    assert.deepEqual(parseClean(substitutions), { OPTION_A: '1', OPTION_B: '1', OPTION_C: '1', OPTION_D: '1_1', OPTION_E: '' });
    assert.deepEqual(parseClean(substitutions, { OPTION_A: '5' }), {
      OPTION_A: '1', OPTION_B: '5', OPTION_C: '5', OPTION_D: '5_5', OPTION_E: '',
    });
    const defaults = substitutions.replace('OPTION_A=1', 'OPTION_A=${OPTION_A:-1}');
    assert.deepEqual(parseClean(defaults, { OPTION_A: '5' }), {
      OPTION_A: '5', OPTION_B: '5', OPTION_C: '5', OPTION_D: '5_5', OPTION_E: '',
    });
    assert.deepEqual(parseClean(defaults), { OPTION_A: '1', OPTION_B: '1', OPTION_C: '1', OPTION_D: '1_1', OPTION_E: '' });
    // an empty value in lookup is a value
    assert.deepEqual(parseClean('A=1\nB=${A-unset}', { A: '' }), { A: '1', B: '' });
  });

  it('interpolates every form of compose-go\'s expansion tests', () => {
    const env = { EMPTY_VAR: '', TEST_VAR: 'Test Value' };
    const cases: [string, string][] = [
      ['RESULT=${UNSET_VAR:-Default Value}', 'Default Value'],
      ['RESULT=${EMPTY_VAR:-Default Value}', 'Default Value'],
      ['RESULT=${TEST_VAR:-Default Value}', 'Test Value'],
      ['RESULT=${UNSET_VAR-Default Value}', 'Default Value'],
      ['RESULT=${EMPTY_VAR-Default Value}', ''],
      ['RESULT=${TEST_VAR-Default Value}', 'Test Value'],
      ['RESULT=${TEST_VAR:?Default Value}', 'Test Value'],
      ['RESULT=${EMPTY_VAR?Test error}', ''],
      ['RESULT=${TEST_VAR:+alt}', 'alt'],
      ['RESULT=${EMPTY_VAR+alt}', 'alt'],
      ['RESULT=${EMPTY_VAR:+alt}', ''],
    ];
    for (const [source, value] of cases) assert.deepEqual(parseClean(source, env), { RESULT: value }, source);
  });
});

describe('parseDotenv: positions', () => {
  it('records the line of every key', () => {
    const source = '# comment\nA=1\n\nexport B=2\nC="multi\nline"\n  D\nA: 3\n';
    const r = parseDotenv(source, lookupIn({ D: 'd' }));
    assert.deepEqual(r.issues, []);
    assert.deepEqual(values(r), { A: '3', B: '2', C: 'multi\nline', D: 'd' });
    assert.deepEqual(Object.fromEntries(r.lines), { A: 8, B: 4, C: 5, D: 7 });
    assert.deepEqual([...r.values.keys()], [...r.lines.keys()]);
  });

  // [source, issues as [line, column, message], values parsed around them]
  const cases: [string, [number, number, string][], Env][] = [
    ['1BAD=x\nGOOD=y', [[1, 1, 'variable name "1BAD" must not start with a digit']], { GOOD: 'y' }],
    ['456 = ABC\nA=1', [[1, 1, 'variable name "456" must not start with a digit']], { A: '1' }],
    ['A=1\nKEY with space=x\nB=2', [[2, 4, 'key cannot contain a space']], { A: '1', B: '2' }],
    ['# c\nfoo="\n  a\n  multine\n  value\n"\nINVALID LINE\nzot=qix', [[7, 8, 'key cannot contain a space']], { foo: '\n  a\n  multine\n  value\n', zot: 'qix' }],
    ['KEY\twith=x', [[1, 4, 'key cannot contain a space']], {}],
    ['lol$wut\nA=1', [[1, 4, 'unexpected character "$" in variable name "lol$wut"']], { A: '1' }],
    ['%!(EXTRA string)=foo', [[1, 1, 'unexpected character "%" in variable name "%!(EXTRA string)=foo"']], {}],
    ['"KEY"=1\r\nA=2', [[1, 1, 'unexpected character "\\"" in variable name "\\"KEY\\"=1"']], { A: '2' }],
    ['=value\nA=1', [[1, 1, 'missing variable name before "="']], { A: '1' }],
    ['A=1\nexport ', [[2, 1, 'missing variable name after "export"']], { A: '1' }],
    ['A="value\nB=2', [[1, 3, 'unterminated quoted value "value']], { B: '2' }],
    ['A=1\nB = "', [[2, 5, 'unterminated quoted value "']], { A: '1' }],
    ['A="value\\"', [[1, 3, 'unterminated quoted value "value\\"']], {}],
    ["A='value\"", [[1, 3, 'unterminated quoted value \'value"']], {}],
    ["A='value\\'", [[1, 3, "unterminated quoted value 'value\\'"]], {}],
    ['A=1\nB=x ${ C}', [[2, 5, 'invalid interpolation format for "x ${ C}"']], { A: '1', B: 'x  C}' }],
    ['A="line1\nx ${B:?need}"\nC=3', [[2, 3, 'required variable B is missing a value: need']], { A: 'line1\nx ', C: '3' }],
    ['A="\\t\\t${ }"', [[1, 8, 'invalid interpolation format for "\\t\\t${ }"']], { A: '\t\t }' }],
    ['A=${B:?need it}', [[1, 3, 'required variable B is missing a value: need it']], { A: '' }],
    ['1A="unclosed\nB=${', [[1, 1, 'variable name "1A" must not start with a digit'], [1, 4, 'unterminated quoted value "unclosed'], [2, 3, 'invalid interpolation format for "${"']], { B: '' }],
  ];
  for (const [source, issues, expected] of cases) {
    it(JSON.stringify(source), () => {
      const r = parseDotenv(source);
      assert.deepEqual(
        r.issues.map((i) => [i.line, i.column, i.message]),
        issues,
      );
      assert.deepEqual(values(r), expected);
    });
  }
});

describe('parseDotenv: corpus .env files', () => {
  const cases: [string[], Env][] = [
    [['cli', 'testdata', 'simple', '.env'], { PUBLIC_PORT: '8000' }],
    [['cli', 'testdata', 'env-file', '.env'], { COMPOSE_FILE: 'compose-with-env-file.yaml', COMPOSE_PROJECT_NAME: 'my_project_from_dot_env', PORT: '8000' }],
    [['cli', 'testdata', 'env-file', 'override.env'], { PORT: '9000' }],
    [['loader', 'testdata', 'subdir', 'extra.env'], { SOURCE: 'extends' }],
  ];
  for (const [segments, expected] of cases) {
    it(segments.join('/'), () => {
      const file = fixturePath('corpus', 'compose-go', ...segments);
      const r = parseDotenv(readFileSync(file, 'utf8'));
      assert.deepEqual(r.issues, []);
      assert.deepEqual(values(r), expected);
      assert.deepEqual([...r.lines.values()], Object.keys(expected).map((_, i) => i + 1));
    });
  }
});

describe('parseDotenv: compose-go conformance', () => {
  interface Recorded {
    input: string;
    values: Env | null;
    error: string | null;
  }
  const fixture = JSON.parse(readFileSync(fixturePath('oracle', 'compose-go-interpolation.json'), 'utf8')) as {
    env: Env;
    dotenv: Recorded[];
  };

  it(`matches compose-go on ${fixture.dotenv.length} recorded inputs`, () => {
    assert.ok(fixture.dotenv.length > 300);
    for (const c of fixture.dotenv) {
      const r = parseDotenv(c.input, lookupIn(fixture.env));
      const label = JSON.stringify(c.input);
      if (c.error === null) {
        assert.deepEqual(r.issues, [], label);
        assert.deepEqual(values(r), c.values, label);
      } else {
        assert.ok(r.issues.length > 0, `${label}: compose-go fails with ${c.error}`);
      }
    }
  });
});

describe('parseDotenv: hostile input', () => {
  it('long files, long values and many bad lines stay linear', () => {
    const chain = Array.from({ length: 5_000 }, (_, i) => `K${i + 1}=\${K${i}:+set}-${i} # note`).join('\n');
    const r = timed(2000, () => parseDotenv(chain));
    assert.equal(r.values.size, 5_000);
    assert.deepEqual([r.values.get('K1'), r.values.get('K2'), r.values.get('K3')], ['-0', 'set-1', 'set-2']);
    timed(2000, () => parseDotenv(`A="${'x\\n$A'.repeat(30_000)}"`));
    assert.equal(timed(2000, () => parseDotenv('lol$wut\n'.repeat(10_000))).issues.length, 10_000);
    timed(2000, () => parseDotenv(`A="${'\\"x'.repeat(50_000)}`));
    timed(2000, () => parseDotenv('export '.repeat(50_000)));
    timed(2000, () => parseDotenv(`A${' '.repeat(200_000)}`));
    timed(2000, () => parseDotenv('${'.repeat(50_000)));
    timed(2000, () => parseDotenv(`A=${'${'.repeat(50_000)}`));
  });
});

describe('parseDotenv: properties', () => {
  it('never throws, and every issue is inside the input', () => {
    const unit = fc.constantFrom('A', 'b', '1', '=', ':', ' ', '\t', '#', '"', "'", '\\', '\n', '\r', '$', '{', '}', 'é', 'export ');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 50 }), (source) => {
        const lines = source.split('\n');
        for (const issue of parseDotenv(source).issues) {
          assert.ok(issue.line >= 1 && issue.line <= lines.length, JSON.stringify(issue));
          assert.ok(issue.column >= 1 && issue.column <= lines[issue.line - 1]!.length + 1, JSON.stringify(issue));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('reads back any map written as single-quoted KEY=VALUE lines', () => {
    const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.]{0,10}$/);
    const value = fc.string({ maxLength: 20 }).filter((v) => !v.includes("'") && !v.includes('\\'));
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 8 }), (env) => {
        const source = Object.entries(env).map(([k, v]) => `${k}='${v}'`).join('\n');
        const r = parseDotenv(source);
        assert.deepEqual(r.issues, []);
        assert.deepEqual(r.values, new Map(Object.entries(env)));
      }),
      { numRuns: 200 },
    );
  });
});
