/**
 * The text a value had in its file, before compose interpolated it. The model holds
 * `POSTGRES_PASSWORD: s3cret` both when the file says `s3cret` and when it says `${DB_PASSWORD}`
 * (read from `.env`); only the written text tells a hardcoded value from a reference.
 */

/**
 * Whether compose interpolates something in the text: `$VAR` or `${VAR…}`. `$$` is compose's
 * escape for a literal `$` and is not a reference.
 */
export function hasReference(raw: string): boolean {
  for (let i = raw.indexOf('$'); i >= 0 && i + 1 < raw.length; i = raw.indexOf('$', i)) {
    const next = raw[i + 1]!;
    if (next === '$') i += 2;
    else if (next === '{' || /[A-Za-z_]/.test(next)) return true;
    else i++;
  }
  return false;
}

/** Whether a shell would expand something in the text (`$VAR`, `${VAR}`, `$(cmd)`): a runtime value. */
export function hasShellExpansion(text: string): boolean {
  return /\$[{(A-Za-z_]/.test(text);
}

/**
 * The value compose would produce with no variable set: `${X:-d}` and `${X-d}` become `d`
 * (itself evaluated), every other reference becomes empty, `$$` stays one `$`. This is the
 * fallback a deployment gets when its `.env` is missing.
 */
export function fallbackValue(raw: string, depth = 0): string {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = raw[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = closingBrace(raw, i + 1);
      const body = raw.slice(i + 2, end < 0 ? raw.length : end);
      const m = /^[A-Za-z_][A-Za-z0-9_]*(:?-)([\s\S]*)$/.exec(body);
      if (m && depth < 8) out += fallbackValue(m[2]!, depth + 1);
      i = end < 0 ? raw.length : end + 1;
    } else if (next !== undefined && /[A-Za-z_]/.test(next)) {
      i += 1;
      while (i < raw.length && /[A-Za-z0-9_]/.test(raw[i]!)) i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
    else if (text[i] === '\n') return -1;
  }
  return -1;
}

/**
 * The source text of the YAML scalar that starts at `line`:`column` (1-based), without its
 * quotes: a quoted scalar up to its closing quote (over several lines if need be), a block
 * scalar (`|`, `>`) with its indented lines, a plain scalar up to a comment or, inside a flow
 * collection, the next `,` `]` `}`.
 */
export function rawScalarAt(lines: readonly string[], line: number, column: number): string | undefined {
  const first = lines[line - 1];
  if (first === undefined || column < 1 || column > first.length) return undefined;
  const rest = first.slice(column - 1);
  if (rest.startsWith('"') || rest.startsWith("'")) return quoted(lines, line - 1, column - 1);
  if (/^[|>][-+0-9]*\s*(#.*)?$/.test(rest)) return block(lines, line - 1);
  let end = rest.length;
  const comment = rest.search(/\s#/);
  if (comment >= 0) end = comment;
  if (inFlow(first.slice(0, column - 1))) {
    const stop = rest.search(/[,\]}]/);
    if (stop >= 0 && stop < end) end = stop;
  }
  return rest.slice(0, end).trim();
}

function quoted(lines: readonly string[], index: number, column: number): string {
  const quote = lines[index]![column]!;
  let out = '';
  let text = lines[index]!.slice(column + 1);
  for (let i = index; ; ) {
    for (let k = 0; k < text.length; k++) {
      const c = text[k]!;
      if (quote === '"' && c === '\\' && k + 1 < text.length) {
        out += text[k + 1];
        k++;
      } else if (c === quote) {
        if (quote === "'" && text[k + 1] === "'") {
          out += "'";
          k++;
        } else return out;
      } else out += c;
    }
    i++;
    if (i >= lines.length) return out;
    text = lines[i]!.trim();
    out += ' ';
  }
}

function block(lines: readonly string[], index: number): string {
  const parentIndent = indentOf(lines[index]!);
  const body: string[] = [];
  for (let i = index + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() !== '' && indentOf(l) <= parentIndent) break;
    body.push(l);
  }
  const indent = Math.min(...body.filter((l) => l.trim() !== '').map(indentOf));
  return body.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n').trimEnd();
}

function indentOf(line: string): number {
  return /^ */.exec(line)![0].length;
}

/** Whether the text before a value on its line leaves a `[` or `{` open (outside quotes). */
function inFlow(prefix: string): boolean {
  let depth = 0;
  let quote: string | undefined;
  for (const c of prefix) {
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
  }
  return depth > 0;
}

export interface DotenvEntry {
  key: string;
  /** The value as written, without quotes or inline comment. */
  raw: string;
  line: number;
  /** 1-based column where the value starts (its opening quote, if any). */
  column: number;
  /** Single-quoted: compose does not interpolate it, a `$` in it is literal. */
  literal: boolean;
}

/** `KEY=value` / `KEY: value` / `export KEY=value` statements of a `.env`-style file, one per line. */
export function dotenvEntries(text: string): DotenvEntry[] {
  const out: DotenvEntry[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((l, index) => {
    const m = /^(\s*(?:export\s+)?)([^\s=:#]+)(\s*[=:]\s*)(.*)$/.exec(l);
    if (!m) return;
    const [, lead, key, sep, value] = m as unknown as [string, string, string, string, string];
    const column = lead.length + key.length + sep.length + 1;
    let raw: string;
    let literal = false;
    if (value.startsWith("'")) {
      const end = value.indexOf("'", 1);
      raw = value.slice(1, end < 0 ? undefined : end);
      literal = true;
    } else if (value.startsWith('"')) {
      const end = /(?<!\\)"/g;
      end.lastIndex = 1;
      const close = end.exec(value);
      raw = value.slice(1, close ? close.index : undefined).replace(/\\(["\\$])/g, '$1');
    } else {
      const comment = value.search(/\s#/);
      raw = (comment < 0 ? value : value.slice(0, comment)).trim();
    }
    out.push({ key, raw, line: index + 1, column, literal });
  });
  return out;
}
