/**
 * Just enough shell lexing to read Dockerfiles and the scripts their RUN lines execute: words with
 * quotes removed, and the pipelines of a script. Not a shell: no expansion, no here-documents
 * inside scripts; command and process substitutions stay inside the word that holds them.
 */

export interface Word {
  /** The word with quotes and escapes removed. */
  value: string;
  /** The word as written. */
  raw: string;
  /** Offset of the word's first character in the text. */
  offset: number;
}

/**
 * Splits on unquoted blanks (Dockerfile argument words: `ENV a="b c"`, `COPY "my file" /x`).
 * `escape` is the Dockerfile's escape character (`\` or a backtick).
 */
export function splitWords(text: string, escape = '\\'): Word[] {
  const words: Word[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && isBlank(text[i])) i++;
    if (i >= text.length) break;
    const start = i;
    let value = '';
    while (i < text.length && !isBlank(text[i])) {
      const c = text[i] as string;
      if (c === escape && i + 1 < text.length) {
        value += text[i + 1];
        i += 2;
      } else if (c === "'") {
        const end = text.indexOf("'", i + 1);
        const stop = end < 0 ? text.length : end;
        value += text.slice(i + 1, stop);
        i = stop + 1;
      } else if (c === '"') {
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === escape && i + 1 < text.length && '"$`\\'.includes(text[i + 1] as string)) i++;
          value += text[i];
          i++;
        }
        i++;
      } else {
        value += c;
        i++;
      }
    }
    words.push({ value, raw: text.slice(start, Math.min(i, text.length)), offset: start });
  }
  return words;
}

function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/** A simple command: its words, quotes removed. */
export type Command = string[];

/**
 * The pipelines of a shell script, each a list of simple commands joined by `|`. Lists (`&&`,
 * `||`, `;`, `&`, newlines) separate pipelines; parentheses only separate words, so that
 * `(curl x) | sh` is still one pipeline. Comments are dropped.
 */
export function pipelines(script: string): Command[][] {
  const result: Command[][] = [];
  let pipeline: Command[] = [];
  let command: Command = [];
  let word: string | null = null;
  const endWord = (): void => {
    if (word !== null) command.push(word);
    word = null;
  };
  const endCommand = (): void => {
    endWord();
    if (command.length > 0) pipeline.push(command);
    command = [];
  };
  const endPipeline = (): void => {
    endCommand();
    if (pipeline.length > 0) result.push(pipeline);
    pipeline = [];
  };

  let i = 0;
  while (i < script.length) {
    const c = script[i] as string;
    const next = script[i + 1];
    if (c === '\\' && next === '\n') {
      i += 2;
    } else if (c === '\\' && next !== undefined) {
      word = (word ?? '') + next;
      i += 2;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
    } else if (c === '#' && word === null) {
      while (i < script.length && script[i] !== '\n') i++;
    } else if (c === "'") {
      const end = script.indexOf("'", i + 1);
      const stop = end < 0 ? script.length : end;
      word = (word ?? '') + script.slice(i + 1, stop);
      i = stop + 1;
    } else if (c === '"') {
      const [text, stop] = readDoubleQuoted(script, i + 1);
      word = (word ?? '') + text;
      i = stop + 1;
    } else if ((c === '$' || c === '<' || c === '>') && next === '(') {
      const stop = matchingParen(script, i + 1);
      word = (word ?? '') + script.slice(i, stop + 1);
      i = stop + 1;
    } else if (c === '`') {
      const end = script.indexOf('`', i + 1);
      const stop = end < 0 ? script.length : end;
      word = (word ?? '') + script.slice(i, stop + 1);
      i = stop + 1;
    } else if (c === '|' && next !== '|') {
      endCommand();
      i += next === '&' ? 2 : 1;
    } else if ((c === '|' && next === '|') || (c === '&' && next === '&')) {
      endPipeline();
      i += 2;
    } else if (c === '&' && (word === null || !/[<>]$/.test(word)) && next !== '>') {
      endPipeline();
      i++;
    } else if (c === ';' || c === '\n') {
      endPipeline();
      i++;
    } else if (c === '(' || c === ')') {
      endWord();
      i++;
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  endPipeline();
  return result;
}

function readDoubleQuoted(s: string, from: number): [string, number] {
  let text = '';
  let i = from;
  while (i < s.length && s[i] !== '"') {
    if (s[i] === '\\' && i + 1 < s.length && '"$`\\\n'.includes(s[i + 1] as string)) {
      if (s[i + 1] !== '\n') text += s[i + 1];
      i += 2;
    } else if (s[i] === '$' && s[i + 1] === '(') {
      const stop = matchingParen(s, i + 1);
      text += s.slice(i, stop + 1);
      i = stop + 1;
    } else {
      text += s[i];
      i++;
    }
  }
  return [text, i];
}

/** Index of the `)` closing the `(` at `open`, skipping quoted text; the end when unbalanced. */
function matchingParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      i = end < 0 ? s.length : end;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return s.length - 1;
}

const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', '}', 'time', 'exec', 'nohup', 'command', 'builtin']);
/** sudo options that take a value as the next word. */
const SUDO_VALUE_OPTIONS = new Set(['-u', '-g', '-C', '-h', '-p', '-U', '-r', '-t', '-D', '-R', '-T']);

/**
 * The command that really runs: leading variable assignments, shell keywords and the `sudo` and
 * `env` wrappers are dropped, and the program is reduced to its base name
 * (`sudo -E DEBIAN_FRONTEND=x /usr/bin/apt-get install y` → `apt-get install y`).
 */
export function programWords(command: Command): Command {
  let i = 0;
  for (;;) {
    const w = command[i];
    if (w === undefined) return [];
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || KEYWORDS.has(w)) {
      i++;
    } else if (basename(w) === 'sudo') {
      i++;
      while (command[i]?.startsWith('-')) i += SUDO_VALUE_OPTIONS.has(command[i] as string) ? 2 : 1;
    } else if (basename(w) === 'env') {
      i++;
      while (command[i]?.startsWith('-')) i += command[i] === '-u' ? 2 : 1;
    } else {
      return [basename(w), ...command.slice(i + 1)];
    }
  }
}

export function basename(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'mksh', 'fish']);

/** Whether a program name is a POSIX-ish shell (`/bin/sh`, `bash`…). */
export function isShell(program: string | undefined): boolean {
  return program !== undefined && SHELLS.has(basename(program));
}
