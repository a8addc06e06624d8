import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseDockerfile, type Instruction } from '../../../src/analyze/dockerfile/index.js';

/** `line:column KEYWORD args` of each instruction, for compact assertions. */
const summary = (instructions: Instruction[]): string[] => instructions.map((i) => `${i.line}:${i.column} ${i.keyword} ${i.args}`);

describe('parseDockerfile', () => {
  it('joins continuation lines, skipping comment and blank lines inside them', () => {
    const parsed = parseDockerfile(
      'FROM debian:12\n' +
        'RUN apt-get update \\\n' +
        '  # a comment inside the instruction\n' +
        '\n' +
        '  && apt-get install -y curl \\  \n' +
        '  && true\n' +
        '  # a comment of its own\n' +
        '  cmd ["x"]\n',
    );
    assert.deepEqual(summary(parsed.instructions), [
      '1:1 FROM debian:12',
      '2:1 RUN apt-get update   && apt-get install -y curl   && true',
      '8:3 CMD ["x"]',
    ]);
    assert.equal(parsed.instructions[1]?.endLine, 6);
    assert.deepEqual(parsed.issues, []);
  });

  it('reads the escape directive: a backtick continues lines and a backslash is a plain character', () => {
    const parsed = parseDockerfile('# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY app C:\\\nRUN dir C:\\ `\n  && echo done\n');
    assert.equal(parsed.escape, '`');
    assert.deepEqual(summary(parsed.instructions), [
      '2:1 FROM mcr.microsoft.com/windows/servercore:ltsc2022',
      '3:1 COPY app C:\\',
      '4:1 RUN dir C:\\   && echo done',
    ]);
  });

  it('ignores directives after the first line that is not one, and reports a bad escape', () => {
    assert.equal(parseDockerfile('# syntax=docker/dockerfile:1\n# escape=`\nFROM x:1\n').escape, '`');
    assert.equal(parseDockerfile('# hello\n# escape=`\nFROM x:1\n').escape, '\\');
    assert.equal(parseDockerfile('\n# escape=`\nFROM x:1\n').escape, '\\');
    assert.deepEqual(parseDockerfile('# escape=x\nFROM x:1\n').issues, [{ line: 1, column: 1, message: 'invalid escape character "x": use \\ or `' }]);
  });

  it('reads here-documents after RUN, COPY and ADD, with <<-, quotes and several per line', () => {
    const parsed = parseDockerfile(
      'FROM alpine:3.20\n' +
        'RUN <<EOF\n' +
        'apk add curl\n' +
        'echo "<<NOT" done\n' +
        'EOF\n' +
        'RUN <<-"END" bash\n' +
        '\techo $HOME\n' +
        '\tEND\n' +
        'COPY <<a.txt <<b.txt /dst/\n' +
        'A\n' +
        'a.txt\n' +
        'B\n' +
        'b.txt\n' +
        'RUN echo "<<EOF" > /x\n' +
        'CMD ["sh"]\n',
    );
    assert.deepEqual(summary(parsed.instructions), [
      '1:1 FROM alpine:3.20',
      '2:1 RUN <<EOF',
      '6:1 RUN <<-"END" bash',
      '9:1 COPY <<a.txt <<b.txt /dst/',
      '14:1 RUN echo "<<EOF" > /x',
      '15:1 CMD ["sh"]',
    ]);
    const [, first, second, copy, quoted] = parsed.instructions;
    assert.deepEqual(first?.heredocs, [{ name: 'EOF', body: 'apk add curl\necho "<<NOT" done', line: 3, quoted: false }]);
    assert.equal(first?.endLine, 5);
    assert.deepEqual(second?.heredocs, [{ name: 'END', body: 'echo $HOME', line: 7, quoted: true }]);
    assert.deepEqual(copy?.heredocs.map((h) => [h.name, h.body, h.line]), [['a.txt', 'A', 10], ['b.txt', 'B', 12]]);
    assert.deepEqual(quoted?.heredocs, []);
    assert.deepEqual(parsed.issues, []);
  });

  it('reports a here-document that is never closed', () => {
    const parsed = parseDockerfile('FROM alpine:3.20\nRUN <<EOF\necho hi\n');
    assert.deepEqual(parsed.issues, [{ line: 2, column: 1, message: 'here-document "EOF" is never closed' }]);
    assert.equal(parsed.instructions[1]?.heredocs[0]?.body, 'echo hi\n');
  });

  it('tells the exec (JSON) form from the shell form', () => {
    const parsed = parseDockerfile(
      'FROM node:20\nCMD ["node", "a.js"]\nCMD [node, a.js]\nENTRYPOINT node a.js\nRUN ["sh", "-c", "make"]\nHEALTHCHECK --interval=5s CMD ["curl", "-f", "http://localhost/"]\nHEALTHCHECK CMD curl -f http://localhost/\nENV X=["a"]\n',
    );
    assert.deepEqual(
      parsed.instructions.map((i) => i.json),
      [null, ['node', 'a.js'], null, null, ['sh', '-c', 'make'], ['curl', '-f', 'http://localhost/'], null, null],
    );
    assert.deepEqual(parsed.instructions[5]?.flags, [{ name: 'interval', value: '5s' }]);
  });

  it('reads flags, and leaves them out of the arguments', () => {
    const parsed = parseDockerfile('FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN --mount=type=cache,target=/root/.cache --network=none go build\nCOPY --from=build --link /out /app\n');
    assert.deepEqual(
      parsed.instructions.map((i) => [i.flags, i.args]),
      [
        [[{ name: 'platform', value: '$BUILDPLATFORM' }], 'golang:1.22 AS build'],
        [[{ name: 'mount', value: 'type=cache,target=/root/.cache' }, { name: 'network', value: 'none' }], 'go build'],
        [[{ name: 'from', value: 'build' }, { name: 'link', value: null }], '/out /app'],
      ],
    );
  });

  it('splits stages, names them, links FROM <earlier stage> case-insensitively and keeps global ARGs', () => {
    const parsed = parseDockerfile(
      'ARG BASE=node\nARG TAG\nFROM ${BASE}:${TAG} AS Build\nRUN make\nFROM build as test\nRUN make test\nFROM scratch\nCOPY --from=build /out /\nFROM test2\n',
    );
    assert.deepEqual(
      parsed.stages.map((s) => [s.index, s.name, s.image, s.parent?.index ?? null, s.from.line, s.instructions.map((i) => i.line)]),
      [
        [0, 'Build', '${BASE}:${TAG}', null, 3, [4]],
        [1, 'test', 'build', 0, 5, [6]],
        [2, null, 'scratch', null, 7, [8]],
        [3, null, 'test2', null, 9, []],
      ],
    );
    assert.deepEqual(parsed.stages[0]?.globalArgs, [{ name: 'BASE', value: 'node' }, { name: 'TAG', value: null }]);
    assert.deepEqual(parsed.instructions.map((i) => i.stage), [-1, -1, 0, 0, 1, 1, 2, 2, 3]);
  });

  it('locates instructions with leading blanks and any keyword case', () => {
    const parsed = parseDockerfile('\n\n   from alpine:3.20\n\trun echo hi\n');
    assert.deepEqual(summary(parsed.instructions), ['3:4 FROM alpine:3.20', '4:2 RUN echo hi']);
  });

  it('reports unknown instructions, instructions before FROM and a file without FROM, and goes on', () => {
    assert.deepEqual(parseDockerfile('RUN echo\nFROM x:1\nBOGUS y\nUSER app\n').issues, [
      { line: 3, column: 1, message: 'unknown instruction "BOGUS"' },
      { line: 1, column: 1, message: 'RUN before the first FROM' },
    ]);
    assert.deepEqual(parseDockerfile('# only a comment\nARG A=1\n').issues, [{ line: 1, column: 1, message: 'no FROM instruction' }]);
    assert.deepEqual(parseDockerfile('').instructions, []);
  });

  it('accepts CRLF line ends and a byte order mark', () => {
    const parsed = parseDockerfile('\uFEFFFROM alpine:3.20\r\nRUN echo a \\\r\n  b\r\n');
    assert.deepEqual(summary(parsed.instructions), ['1:1 FROM alpine:3.20', '2:1 RUN echo a   b']);
  });

  it('never throws, and locates every instruction inside the file, in order, on any input', () => {
    const piece = fc.constantFrom('FROM a AS b', 'RUN <<EOF', 'EOF', '\\', '`', '# escape=`', '#', '', ' ', 'COPY <<-"x" /y', '\tx', 'USER 0', '["a",', 'ARG A=${B:-c}', 'run x \\');
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string()), { maxLength: 30 }), (parts) => {
        const text = parts.join('\n');
        const parsed = parseDockerfile(text);
        const lines = text.split(/\r?\n/).length;
        let previous = 0;
        for (const i of parsed.instructions) {
          assert.ok(i.line > previous && i.line <= i.endLine && i.endLine <= lines && i.column >= 1, JSON.stringify(i));
          previous = i.endLine;
        }
      }),
      { numRuns: 300 },
    );
  });
});
