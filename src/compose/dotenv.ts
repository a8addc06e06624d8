/**
 * `.env`, `--env-file` and `env_file:` parsing, as `docker compose` v2 does it (compose-go's
 * `dotenv` package, commit e70e961):
 *
 * - A statement is `KEY=VALUE`, `KEY: VALUE` or a bare `KEY` (its value comes from `lookup`; the
 *   key is left as it was when `lookup` has nothing). An optional `export ` prefix is dropped.
 *   Keys may hold letters and digits of any script, `_`, `.`, `-`, `[`, `]`.
 * - Blank lines and lines starting with `#` are skipped. Unquoted values run to the end of the
 *   line, lose an inline comment that starts with ` #` (a space, then `#`) and are trimmed.
 * - Single-quoted values are literal (`\'` is a quote). Double-quoted values may span lines and
 *   expand `\n \r \t \v \f \a \b \\ \" \$` and `\0` + three octal digits; other backslashes stay.
 *   Whatever follows the closing quote on its line is read as the next statement, as compose does
 *   (so `KEY="a" # note` works).
 * - Unquoted and double-quoted values are interpolated (see ./interpolate.ts). A name is looked up
 *   in `lookup` first, then among the keys this file defined before it: compose gives the
 *   caller's environment precedence (`OPTION_A=1` then `OPTION_B=${OPTION_A}` with `OPTION_A=5`
 *   in the process environment yields `5`).
 * - A leading UTF-8 BOM is ignored; `\r\n` line endings work (a `\r\n` inside a quoted value is
 *   kept, as compose keeps it).
 *
 * compose stops at the first error; here every problem is an issue with its 1-based line and
 * column (UTF-16 units, counted after the BOM) and parsing goes on with the next line (or the next
 * statement when the value could still be read). A statement with an issue in its key is not
 * stored; a value with an interpolation issue is stored as interpolated so far.
 *
 * Variables a value uses but nobody sets become blank without an issue (compose only logs them).
 *
 * Differences, on purpose:
 * - A bare `KEY` on the last line without a newline is a lookup like any other bare key; compose
 *   (a bug) stores it as the value of the empty key.
 * - These keys are issues, where compose accepts them: an empty key (`=value`, or `export` alone),
 *   a key starting with an ASCII digit (`1BAD=x`; compose-go's own `dotenv.Read` drops those),
 *   and a key with a tab or another blank inside it (compose rejects only spaces).
 */

import { interpolate } from './interpolate.js';

export interface DotenvIssue {
  line: number;
  column: number;
  message: string;
}

export interface DotenvResult {
  values: Map<string, string>;
  /** 1-based line of the statement that set each key. */
  lines: Map<string, number>;
  issues: DotenvIssue[];
}

export function parseDotenv(source: string, lookup?: (name: string) => string | undefined): DotenvResult {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  return new DotenvParser(text, lookup).parse();
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const HASH = 0x23;
const EQUALS = 0x3d;
const COLON = 0x3a;
const BACKSLASH = 0x5c;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;

/** compose's `isSpace`: blanks that are not line breaks. */
function isBlank(c: number): boolean {
  return c === 0x09 || c === 0x0b || c === 0x0c || c === CR || c === SPACE || c === 0x85 || c === 0xa0;
}

/** Go's `unicode.IsSpace`. */
function isUnicodeSpace(c: number): boolean {
  if (c <= 0xff) return (c >= 0x09 && c <= 0x0d) || c === SPACE || c === 0x85 || c === 0xa0;
  return (
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** The whitespace of Go's regexp `\s`, which decides whether `export` is a prefix. */
function isRegexpSpace(c: number): boolean {
  return c === 0x09 || c === NEWLINE || c === 0x0c || c === CR || c === SPACE;
}

const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;

function isKeyChar(cp: number): boolean {
  // _ . - [ ]
  if (cp === 0x5f || cp === 0x2e || cp === 0x2d || cp === 0x5b || cp === 0x5d) return true;
  if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)) return true;
  return cp > 0x7f && LETTER_OR_NUMBER.test(String.fromCodePoint(cp));
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  $: '$$', // `\$` is a literal dollar: it becomes compose's `$$` escape before interpolation
};

function isOctal(c: number): boolean {
  return c >= 0x30 && c <= 0x37;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * compose's `expandEscapes` on the text of a double-quoted value, carrying for every character
 * of the result the source offset it came from (so interpolation issues point into the file).
 */
function expandEscapes(text: string, offsets: readonly number[]): { text: string; offsets: number[] } {
  let out = '';
  const outOffsets: number[] = [];
  const emit = (s: string, offset: number): void => {
    out += s;
    for (let n = 0; n < s.length; n++) outOffsets.push(offset);
  };
  let run = 0; // start of the text copied as it is
  const flush = (to: number): void => {
    out += text.slice(run, to);
    for (let n = run; n < to; n++) outOffsets.push(offsets[n]!);
  };
  for (let k = text.indexOf('\\'); k >= 0 && k + 1 < text.length; k = text.indexOf('\\', k)) {
    const at = offsets[k]!;
    const next = text[k + 1]!;
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      flush(k);
      emit(simple, at);
      k += 2;
      run = k;
    } else if (next === '0') {
      // `\0` and up to three digits; compose rewrites it to `\ddd` and keeps that rewrite when it
      // is not a valid octal byte (so `\012` becomes `\12`).
      let end = k + 2;
      while (end < text.length && end < k + 5 && isDigit(text.charCodeAt(end))) end++;
      const digits = text.slice(k + 2, end);
      const code = digits.length === 3 && [...digits].every((d) => isOctal(d.charCodeAt(0))) ? parseInt(digits, 8) : 256;
      flush(k);
      emit(code <= 0xff ? String.fromCharCode(code) : `\\${digits}`, at);
      k = end;
      run = k;
    } else {
      // Not an escape compose knows (`\c`, `\x07`, `\u…`): the backslash stays as it is.
      k++;
    }
  }
  flush(text.length);
  return { text: out, offsets: outOffsets };
}

interface ValueResult {
  value: string;
  /** Where parsing goes on. */
  next: number;
  /** False when the value could not be read (unterminated quote). */
  ok: boolean;
}

class DotenvParser {
  private readonly values = new Map<string, string>();
  private readonly lines = new Map<string, number>();
  private readonly issues: DotenvIssue[] = [];
  private readonly lineStarts: number[] = [0];
  private readonly mapping: (name: string) => string | undefined;

  constructor(
    private readonly src: string,
    private readonly lookup: ((name: string) => string | undefined) | undefined,
  ) {
    for (let i = src.indexOf('\n'); i >= 0; i = src.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    this.mapping = (name) => this.lookup?.(name) ?? this.values.get(name);
  }

  parse(): DotenvResult {
    let pos = 0;
    for (;;) {
      pos = this.statementStart(pos);
      if (pos >= this.src.length) break;
      pos = this.statement(pos);
    }
    return { values: this.values, lines: this.lines, issues: this.issues };
  }

  /** Skips whitespace and comment lines; returns where the next statement starts. */
  private statementStart(from: number): number {
    const src = this.src;
    let pos = from;
    while (pos < src.length) {
      const c = src.charCodeAt(pos);
      if (isUnicodeSpace(c)) {
        pos++;
      } else if (c === HASH) {
        const nl = src.indexOf('\n', pos);
        if (nl < 0) return src.length;
        pos = nl;
      } else {
        break;
      }
    }
    return pos;
  }

  /** Parses one statement starting at `start`; returns where parsing goes on. */
  private statement(start: number): number {
    const src = this.src;
    let pos = start;
    if (src.startsWith('export', pos) && isRegexpSpace(src.charCodeAt(pos + 6))) {
      pos += 6;
      while (pos < src.length && isBlank(src.charCodeAt(pos))) pos++;
    }

    const keyStart = pos;
    let i = keyStart;
    let separator = -1;
    while (i < src.length) {
      const cp = src.codePointAt(i)!;
      if (cp === EQUALS || cp === COLON || cp === NEWLINE) {
        separator = cp;
        break;
      }
      if (!isBlank(cp) && !isKeyChar(cp)) {
        const lineEnd = this.lineEnd(keyStart);
        this.issue(
          i,
          `unexpected character ${JSON.stringify(String.fromCodePoint(cp))} in variable name ${JSON.stringify(this.trimCR(keyStart, lineEnd))}`,
        );
        return lineEnd;
      }
      i += cp > 0xffff ? 2 : 1;
    }

    let keyEnd = i;
    while (keyEnd > keyStart && isUnicodeSpace(src.charCodeAt(keyEnd - 1))) keyEnd--;
    const key = src.slice(keyStart, keyEnd);
    const inherited = separator !== EQUALS && separator !== COLON;

    let keyProblem = false;
    for (let k = keyStart; k < keyEnd; k++) {
      if (isBlank(src.charCodeAt(k))) {
        this.issue(k, 'key cannot contain a space');
        keyProblem = true;
        break;
      }
    }
    if (!keyProblem && key === '') {
      // `=value`, or an `export` with no name after it.
      const message = inherited
        ? 'missing variable name after "export"'
        : `missing variable name before ${JSON.stringify(String.fromCharCode(separator))}`;
      this.issue(inherited ? start : i, message);
      keyProblem = true;
    }
    if (!keyProblem && isDigit(key.charCodeAt(0))) {
      this.issue(keyStart, `variable name ${JSON.stringify(key)} must not start with a digit`);
      keyProblem = true;
    }

    if (inherited) {
      if (!keyProblem) {
        const value = this.lookup?.(key);
        if (value !== undefined) this.set(key, value, keyStart);
      }
      return separator === NEWLINE ? i + 1 : src.length;
    }

    let valueStart = i + 1;
    while (valueStart < src.length && isBlank(src.charCodeAt(valueStart))) valueStart++;
    const result = this.value(valueStart, !keyProblem);
    if (result.ok && !keyProblem) this.set(key, result.value, keyStart);
    return result.next;
  }

  /** The value starting at `start` (blanks already skipped); `evaluate` false only consumes it. */
  private value(start: number, evaluate: boolean): ValueResult {
    const src = this.src;
    const quote = src.charCodeAt(start);
    if (quote === DOUBLE_QUOTE || quote === SINGLE_QUOTE) return this.quoted(start, quote, evaluate);
    const lineEnd = this.lineEnd(start);
    const comment = src.slice(start, lineEnd).indexOf(' #');
    let end = comment >= 0 ? start + comment : lineEnd;
    while (end > start && isUnicodeSpace(src.charCodeAt(end - 1))) end--;
    const next = lineEnd < src.length ? lineEnd + 1 : lineEnd;
    const raw = src.slice(start, end);
    const value = evaluate ? this.interpolate(raw, (offset) => start + offset) : raw;
    return { value, next, ok: true };
  }

  /**
   * A quoted value: up to the first quote of its kind that no backslash escapes. A search that
   * reaches the end of the input in vain happens at most once per kind of quote, so this stays
   * linear: an opening quote follows `=`, `:` or a blank and is never escaped, so any later one
   * of the same kind would have ended that search.
   */
  private quoted(start: number, quote: number, evaluate: boolean): ValueResult {
    const src = this.src;
    const double = quote === DOUBLE_QUOTE;
    let text = '';
    const offsets: number[] = [];
    let run = start + 1;
    let escaped = false;
    const flush = (to: number): void => {
      text += src.slice(run, to);
      if (double) for (let o = run; o < to; o++) offsets.push(o);
    };
    for (let i = start + 1; i < src.length; i++) {
      const c = src.charCodeAt(i);
      if (c !== quote) {
        escaped = !escaped && c === BACKSLASH;
        continue;
      }
      if (escaped) {
        // `\"` (or `\'`): the quote without its backslash.
        escaped = false;
        flush(i - 1);
        run = i;
        continue;
      }
      flush(i);
      if (!double || !evaluate) return { value: text, next: i + 1, ok: true };
      const expanded = expandEscapes(text, offsets);
      const value = this.interpolate(expanded.text, (offset) => expanded.offsets[offset] ?? start);
      return { value, next: i + 1, ok: true };
    }
    const lineEnd = this.lineEnd(start);
    this.issue(start, `unterminated quoted value ${this.trimCR(start, lineEnd)}`);
    return { value: '', next: lineEnd, ok: false };
  }

  private interpolate(raw: string, sourceOffset: (offset: number) => number): string {
    const result = interpolate(raw, this.mapping);
    for (const issue of result.issues) this.issue(sourceOffset(issue.offset), issue.message);
    return result.value;
  }

  private set(key: string, value: string, keyOffset: number): void {
    this.values.set(key, value);
    this.lines.set(key, this.position(keyOffset).line);
  }

  private issue(offset: number, message: string): void {
    this.issues.push({ ...this.position(offset), message });
  }

  private position(offset: number): { line: number; column: number } {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }

  /** Offset of the newline ending the line that holds `from`, or the input's length. */
  private lineEnd(from: number): number {
    const nl = this.src.indexOf('\n', from);
    return nl < 0 ? this.src.length : nl;
  }

  private trimCR(start: number, end: number): string {
    const stop = end > start && this.src.charCodeAt(end - 1) === CR ? end - 1 : end;
    return this.src.slice(start, stop);
  }
}
