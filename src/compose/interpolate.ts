/**
 * Compose variable interpolation of one string, as `docker compose` v2 does it (compose-go's
 * `template` package, commit e70e961):
 *
 * - `$$` is a literal `$`; `$VAR` and `${VAR}` are the variable's value (blank when unset, and the
 *   name is listed in `unset` as compose warns "The "VAR" variable is not set").
 * - `${VAR:-d}` / `${VAR-d}`: `d` when VAR is unset or empty / only when unset.
 * - `${VAR:+a}` / `${VAR+a}`: `a` when VAR is set and not empty / set; blank otherwise.
 * - `${VAR:?e}` / `${VAR?e}`: VAR's value, or a `required` issue when unset or empty / unset.
 * - Defaults, alternatives and error texts are themselves interpolated, lazily: only the branch
 *   that is used is evaluated (so an unused branch neither warns nor fails), as compose does.
 * - Names are `[_a-zA-Z][_a-zA-Z0-9]*` in both forms (no `.`). compose-go matches them with a
 *   case-insensitive Go regexp, whose Unicode folding also lets U+017F (ſ) and U+212A (Kelvin
 *   sign) through; we accept those two as well to stay byte-for-byte compatible.
 * - A `$` followed by anything else (`$ `, `$}`, `$1`, a trailing `$`) stays literal.
 * - `${` that does not start a valid expression (`${}`, `${ VAR}`, `${VAR:x}`, no closing `}` on
 *   the same line) is a `syntax` issue; the `${` is dropped and scanning goes on after it.
 *   Its message is compose's first line, `invalid interpolation format for "<input>"` (the input
 *   cut after 120 characters); the caller adds the path and any advice.
 *
 * compose-go finds the end of `${VAR<op>...}` in two steps that we reproduce exactly, because
 * they decide what the default is: the expression may only end at a `}` on the same line (its
 * regexp's `.*`), and the end is the first `}` that balances the braces counted from the `$`,
 * where every `{` counts (not only `${`, so JSON defaults such as `${X:-{"a":1}}` work) and the
 * character right after a `{` is skipped. When the braces never balance, the expression runs to
 * the last `}` of the line.
 *
 * Differences, on purpose:
 * - compose stops at the first error; we report every issue (up to {@link MAX_ISSUES}) and keep
 *   going. `value` is only meaningful when `issues` is empty (compose would have failed).
 * - Evaluated defaults may nest at most {@link MAX_NESTING} levels; deeper nesting is a `syntax`
 *   issue instead of unbounded recursion. Work is O(MAX_NESTING × input length) in the worst case.
 *
 * Never throws (unless `lookup` does).
 */

export type Lookup = (name: string) => string | undefined;

export interface InterpolationIssue {
  kind: 'required' | 'syntax';
  message: string;
  /** UTF-16 offset in the input of the `$` that starts the offending expression. */
  offset: number;
}

export interface InterpolationResult {
  value: string;
  issues: InterpolationIssue[];
  /** Variables referenced as `$VAR` / `${VAR}` (no default) that had no value, first use first. */
  unset: string[];
  /** Whether any `$` expression (including `$$`) was processed. */
  changed: boolean;
}

/** How many evaluated defaults/alternatives may nest inside one another. */
export const MAX_NESTING = 32;

/** How many issues one string may report; the rest are counted but not kept. */
export const MAX_ISSUES = 100;

/** Longest input quoted whole in a syntax message. */
const MAX_QUOTED = 120;

const DOLLAR = 0x24; // $
const LBRACE = 0x7b; // {
const RBRACE = 0x7d; // }
const COLON = 0x3a; // :
const MINUS = 0x2d; // -
const PLUS = 0x2b; // +
const QUESTION = 0x3f; // ?
const NEWLINE = 0x0a;

type Operator = ':-' | '-' | ':+' | '+' | ':?' | '?';

export function interpolate(input: string, lookup: Lookup): InterpolationResult {
  if (!input.includes('$')) return { value: input, issues: [], unset: [], changed: false };
  return new Interpolator(input, lookup).run();
}

function isNameStart(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    c === 0x5f || // _
    c === 0x17f || // ſ, folds to s in Go's (?i)
    c === 0x212a // Kelvin sign, folds to k in Go's (?i)
  );
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39);
}

function operatorChar(c: number): '-' | '+' | '?' | undefined {
  if (c === MINUS) return '-';
  if (c === PLUS) return '+';
  if (c === QUESTION) return '?';
  return undefined;
}

/** Index of the largest element of the ascending `sorted` that is < `limit`, or -1. */
function lastBelow(sorted: readonly number[], limit: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < limit) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

function positionsOf(s: string, code: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === code) out.push(i);
  return out;
}

class Interpolator {
  private readonly issues: InterpolationIssue[] = [];
  private issueCount = 0;
  private readonly unset = new Set<string>();
  private changed = false;
  // Positions of every `}` and newline, built on first need: they make "the last `}` of this
  // line" a binary search instead of a scan, which keeps long lines of expressions linear.
  private closeBraces: number[] | undefined;
  private newlines: number[] | undefined;

  constructor(
    private readonly input: string,
    private readonly lookup: Lookup,
  ) {}

  run(): InterpolationResult {
    const value = this.scan(0, this.input.length, 0);
    return { value, issues: this.issues, unset: [...this.unset], changed: this.changed };
  }

  /** Interpolates `input[start, end)` as a template of its own (compose's `Substitute`). */
  private scan(start: number, end: number, depth: number): string {
    const s = this.input;
    let out = '';
    let i = start;
    while (i < end) {
      const j = s.indexOf('$', i);
      if (j < 0 || j >= end) {
        out += s.slice(i, end);
        break;
      }
      out += s.slice(i, j);
      const next = j + 1 < end ? s.charCodeAt(j + 1) : -1;
      if (next === DOLLAR) {
        this.changed = true;
        out += '$';
        i = j + 2;
      } else if (isNameStart(next)) {
        this.changed = true;
        const k = this.nameEnd(j + 1, end);
        out += this.valueOf(s.slice(j + 1, k));
        i = k;
      } else if (next === LBRACE) {
        this.changed = true;
        const r = this.braced(j, end, depth);
        out += r.text;
        i = r.next;
      } else {
        out += '$';
        i = j + 1;
      }
    }
    return out;
  }

  /** `${...}` starting at `j` (the `$`), inside a template that ends at `end`. */
  private braced(j: number, end: number, depth: number): { text: string; next: number } {
    const s = this.input;
    const nameStart = j + 2;
    if (nameStart >= end || !isNameStart(s.charCodeAt(nameStart))) return this.invalid(j);
    const nameEnd = this.nameEnd(nameStart, end);
    if (nameEnd >= end) return this.invalid(j);
    const name = s.slice(nameStart, nameEnd);

    const c = s.charCodeAt(nameEnd);
    if (c === RBRACE) return { text: this.valueOf(name), next: nameEnd + 1 };

    let op: Operator;
    let argStart: number;
    const direct = operatorChar(c);
    if (direct) {
      op = direct;
      argStart = nameEnd + 1;
    } else if (c === COLON) {
      const second = nameEnd + 1 < end ? operatorChar(s.charCodeAt(nameEnd + 1)) : undefined;
      if (!second) return this.invalid(j);
      op = `:${second}`;
      argStart = nameEnd + 2;
    } else {
      return this.invalid(j);
    }

    const last = this.lastCloseBrace(argStart, Math.min(this.lineEnd(j), end));
    if (last < 0) return this.invalid(j);
    const balanced = this.balancedClose(j, last);
    const close = balanced < 0 ? last : balanced;
    return { text: this.apply(j, name, op, argStart, close, depth), next: close + 1 };
  }

  private apply(at: number, name: string, op: Operator, argStart: number, argEnd: number, depth: number): string {
    const value = this.lookup(name);
    const set = value !== undefined;
    const nonEmpty = set && value !== '';
    switch (op) {
      case ':-':
        return nonEmpty ? value : this.nested(at, argStart, argEnd, depth);
      case '-':
        return set ? value : this.nested(at, argStart, argEnd, depth);
      case ':+':
        return nonEmpty ? this.nested(at, argStart, argEnd, depth) : '';
      case '+':
        return set ? this.nested(at, argStart, argEnd, depth) : '';
      case ':?':
        return nonEmpty ? value : this.required(at, name, argStart, argEnd, depth);
      case '?':
        return set ? value : this.required(at, name, argStart, argEnd, depth);
    }
  }

  private required(at: number, name: string, argStart: number, argEnd: number, depth: number): string {
    const before = this.issueCount;
    const reason = this.nested(at, argStart, argEnd, depth);
    // compose reports an error inside the message instead of the missing variable.
    if (this.issueCount === before) {
      const message = reason
        ? `required variable ${name} is missing a value: ${reason}`
        : `required variable ${name} is missing a value`;
      this.addIssue('required', () => message, at);
    }
    return '';
  }

  private nested(at: number, start: number, end: number, depth: number): string {
    if (start >= end) return '';
    if (depth >= MAX_NESTING) {
      this.addIssue('syntax', () => `${this.invalidFormat()}: expressions nest more than ${MAX_NESTING} levels deep`, at);
      return '';
    }
    return this.scan(start, end, depth + 1);
  }

  private invalid(j: number): { text: string; next: number } {
    this.addIssue('syntax', () => this.invalidFormat(), j);
    return { text: '', next: j + 2 };
  }

  private invalidFormat(): string {
    const quoted = this.input.length <= MAX_QUOTED ? this.input : `${this.input.slice(0, MAX_QUOTED)}…`;
    return `invalid interpolation format for ${JSON.stringify(quoted)}`;
  }

  /** The message is built only for issues that are kept. */
  private addIssue(kind: InterpolationIssue['kind'], message: () => string, offset: number): void {
    this.issueCount++;
    if (this.issues.length < MAX_ISSUES) this.issues.push({ kind, message: message(), offset });
  }

  private valueOf(name: string): string {
    const value = this.lookup(name);
    if (value === undefined) {
      this.unset.add(name);
      return '';
    }
    return value;
  }

  private nameEnd(start: number, end: number): number {
    let k = start;
    while (k < end && isNameChar(this.input.charCodeAt(k))) k++;
    return k;
  }

  /** Index of the first newline at or after `from`, or the input's length. */
  private lineEnd(from: number): number {
    this.newlines ??= positionsOf(this.input, NEWLINE);
    const idx = lastBelow(this.newlines, from) + 1;
    return idx < this.newlines.length ? this.newlines[idx]! : this.input.length;
  }

  /** The last `}` in `[from, limit)`, or -1. */
  private lastCloseBrace(from: number, limit: number): number {
    this.closeBraces ??= positionsOf(this.input, RBRACE);
    const idx = lastBelow(this.closeBraces, limit);
    const pos = idx >= 0 ? this.closeBraces[idx]! : -1;
    return pos >= from ? pos : -1;
  }

  /**
   * compose-go's `getFirstBraceClosingIndex` over `input[j..last]`: every `{` opens (and the
   * character after it is skipped), the `}` that brings the count back to zero closes.
   */
  private balancedClose(j: number, last: number): number {
    const s = this.input;
    let open = 0;
    for (let q = j; q <= last; q++) {
      const c = s.charCodeAt(q);
      if (c === RBRACE) {
        open--;
        if (open === 0) return q;
      }
      if (c === LBRACE) {
        open++;
        q++;
      }
    }
    return -1;
  }
}
