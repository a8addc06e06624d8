import { splitWords } from './shell.js';

/**
 * A Dockerfile parser that follows BuildKit's reading of the file: parser directives at the top
 * (`# escape=`), comments, line continuations (comment and blank lines inside them are skipped),
 * here-documents on RUN/COPY/ADD, flags, and the exec (JSON) versus shell form. It never throws:
 * what it cannot read becomes an issue, and the rest of the file is still parsed.
 */

/** A `--name[=value]` flag before an instruction's arguments (`COPY --from=build`, `RUN --mount=…`). */
export interface Flag {
  name: string;
  value: string | null;
}

/** A here-document (`RUN <<EOF` … `EOF`). */
export interface Heredoc {
  /** The delimiter, without quotes or `-`. */
  name: string;
  /** The lines between the operator's line and the delimiter (tabs stripped for `<<-`). */
  body: string;
  /** 1-based line of the first body line. */
  line: number;
  /** `<<"EOF"` or `<<'EOF'`: the body is not expanded. */
  quoted: boolean;
}

export interface Instruction {
  /** Upper-cased: `FROM`, `RUN`, `COPY`… */
  keyword: string;
  /** The arguments after the flags, continuation lines joined; here-document bodies are in `heredocs`. */
  args: string;
  flags: Flag[];
  /** The exec (JSON array) form's words; null for the shell form. For HEALTHCHECK, the form of its CMD. */
  json: string[] | null;
  heredocs: Heredoc[];
  /** 1-based line and column of the keyword. */
  line: number;
  column: number;
  /** 1-based last line, here-documents included. */
  endLine: number;
  /** Index of the stage it belongs to; -1 for the ARGs before the first FROM. */
  stage: number;
}

/** A global ARG (declared before the first FROM), the only ones a FROM line can use. */
export interface GlobalArg {
  name: string;
  /** The default as written; null when declared without one. */
  value: string | null;
}

export interface Stage {
  index: number;
  /** `FROM image AS name`: the name as written (stage names compare case-insensitively). */
  name: string | null;
  from: Instruction;
  /** The image after FROM as written, ARG references included (`node:${NODE_VERSION}`). */
  image: string;
  /** The earlier stage this one starts from (`FROM builder`), resolved with the ARG defaults. */
  parent: Stage | null;
  /** The instructions after FROM, up to the next FROM. */
  instructions: Instruction[];
  /** The ARGs declared before the first FROM, in order (shared by every stage). */
  globalArgs: readonly GlobalArg[];
}

export interface DockerfileIssue {
  line: number;
  column: number;
  message: string;
}

export interface ParsedDockerfile {
  /** The escape character (`\`, or a backtick after `# escape=\``). */
  escape: string;
  stages: Stage[];
  /** Every instruction in file order, the global ARGs included. */
  instructions: Instruction[];
  issues: DockerfileIssue[];
}

const KEYWORDS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);
const EXEC_FORM = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'COPY', 'ADD', 'VOLUME']);
const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);
const DIRECTIVE = /^\s*#\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*=\s*(.*?)\s*$/;
const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check']);

export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const issues: DockerfileIssue[] = [];
  const escape = readDirectives(lines, issues);
  const instructions = readInstructions(lines, escape, issues);
  const stages = groupStages(instructions, issues);
  return { escape, stages, instructions, issues };
}

/** Reads the parser directives at the top; they end at the first line that is not one. */
function readDirectives(lines: string[], issues: DockerfileIssue[]): string {
  let escape = '\\';
  const seen = new Set<string>();
  for (const [i, line] of lines.entries()) {
    const m = DIRECTIVE.exec(line);
    const key = m?.[1]?.toLowerCase();
    if (!m || key === undefined || !KNOWN_DIRECTIVES.has(key)) break;
    if (seen.has(key)) issues.push({ line: i + 1, column: 1, message: `parser directive "${key}" is given twice` });
    seen.add(key);
    if (key !== 'escape') continue;
    const value = m[2] ?? '';
    if (value === '\\' || value === '`') escape = value;
    else issues.push({ line: i + 1, column: 1, message: `invalid escape character "${value}": use \\ or \`` });
  }
  return escape;
}

const isSkipped = (line: string): boolean => /^\s*(#.*)?$/.test(line);

function readInstructions(lines: string[], escape: string, issues: DockerfileIssue[]): Instruction[] {
  const continuation = new RegExp(`${escapeRegExp(escape)}[ \\t]*$`);
  const out: Instruction[] = [];
  let stage = -1;
  let i = 0;
  while (i < lines.length) {
    const first = lines[i] as string;
    if (isSkipped(first)) {
      i++;
      continue;
    }
    const line = i + 1;
    const column = first.length - first.trimStart().length + 1;
    let logical = '';
    let current = first.trimStart();
    for (;;) {
      i++;
      if (!continuation.test(current)) {
        logical += current;
        break;
      }
      logical += current.replace(continuation, '');
      while (i < lines.length && isSkipped(lines[i] as string)) i++;
      if (i >= lines.length) break;
      current = lines[i] as string;
    }
    const m = /^(\S+)\s*([\s\S]*)$/.exec(logical);
    const keyword = (m?.[1] ?? '').toUpperCase();
    const rest = m?.[2] ?? '';
    if (!KEYWORDS.has(keyword)) {
      issues.push({ line, column, message: `unknown instruction "${m?.[1] ?? logical}"` });
      continue;
    }
    const { flags, args } = readFlags(keyword, rest);
    const instruction: Instruction = {
      keyword,
      args: args.trimEnd(),
      flags,
      json: execForm(keyword, args),
      heredocs: [],
      line,
      column,
      endLine: i,
      stage: keyword === 'FROM' ? ++stage : stage,
    };
    if (HEREDOC_KEYWORDS.has(keyword) && instruction.json === null) {
      for (const marker of heredocMarkers(args, escape)) {
        const body: string[] = [];
        const bodyLine = i + 1;
        let closed = false;
        while (i < lines.length) {
          const raw = lines[i++] as string;
          const content = marker.stripTabs ? raw.replace(/^\t+/, '') : raw;
          if (content === marker.name) {
            closed = true;
            break;
          }
          body.push(content);
        }
        if (!closed) issues.push({ line, column, message: `here-document "${marker.name}" is never closed` });
        instruction.heredocs.push({ name: marker.name, body: body.join('\n'), line: bodyLine, quoted: marker.quoted });
      }
      instruction.endLine = i;
    }
    out.push(instruction);
  }
  return out;
}

/** Leading `--flag[=value]` words; FROM, RUN, COPY, ADD and HEALTHCHECK take them. */
function readFlags(keyword: string, rest: string): { flags: Flag[]; args: string } {
  const flags: Flag[] = [];
  if (!['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK'].includes(keyword)) return { flags, args: rest };
  let args = rest;
  for (let m = /^--([A-Za-z][\w-]*)(?:=(\S*))?(?:\s+|$)/.exec(args); m; m = /^--([A-Za-z][\w-]*)(?:=(\S*))?(?:\s+|$)/.exec(args)) {
    flags.push({ name: m[1] as string, value: m[2] ?? null });
    args = args.slice(m[0].length);
  }
  return { flags, args };
}

function execForm(keyword: string, args: string): string[] | null {
  const text = keyword === 'HEALTHCHECK' ? /^CMD\s+(\[[\s\S]*)$/i.exec(args.trim())?.[1] : EXEC_FORM.has(keyword) ? args.trim() : undefined;
  if (!text?.startsWith('[')) return null;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((w) => typeof w === 'string') ? value : null;
  } catch {
    return null;
  }
}

interface HeredocMarker {
  name: string;
  stripTabs: boolean;
  quoted: boolean;
}

/** `<<EOF`, `<<-EOF`, `<<"EOF"`, `2<<'EOF'` words, in order; a quoted `"<<EOF"` is not one. */
function heredocMarkers(args: string, escape: string): HeredocMarker[] {
  const markers: HeredocMarker[] = [];
  for (const word of splitWords(args, escape)) {
    const m = /^\d*<<(-?)(["']?)([^\s"'<>|;&]+)\2$/.exec(word.raw);
    if (m) markers.push({ name: m[3] as string, stripTabs: m[1] === '-', quoted: m[2] !== '' });
  }
  return markers;
}

function groupStages(instructions: Instruction[], issues: DockerfileIssue[]): Stage[] {
  const stages: Stage[] = [];
  const globalArgs: GlobalArg[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = splitWords(instruction.args).map((w) => w.value);
      const image = words[0] ?? '';
      if (!image) issues.push({ line: instruction.line, column: instruction.column, message: 'FROM needs an image' });
      const named = words[1]?.toLowerCase() === 'as';
      if (named && !words[2]) issues.push({ line: instruction.line, column: instruction.column, message: 'FROM … AS needs a stage name' });
      const reference = substitute(image, globalArgs, {}).value.toLowerCase();
      const parent = stages.find((s) => s.name?.toLowerCase() === reference) ?? null;
      stages.push({
        index: stages.length,
        name: named ? (words[2] ?? null) : null,
        from: instruction,
        image,
        parent,
        instructions: [],
        globalArgs,
      });
    } else if (stages.length > 0) {
      (stages[stages.length - 1] as Stage).instructions.push(instruction);
    } else if (instruction.keyword === 'ARG') {
      globalArgs.push(...argDeclarations(instruction));
    } else {
      issues.push({ line: instruction.line, column: instruction.column, message: `${instruction.keyword} before the first FROM` });
    }
  }
  if (stages.length === 0 && instructions.length > 0) issues.push({ line: 1, column: 1, message: 'no FROM instruction' });
  return stages;
}

/** `ARG a=1 b` → `[{a, '1'}, {b, null}]`. */
export function argDeclarations(instruction: Instruction): GlobalArg[] {
  return splitWords(instruction.args).map((w) => {
    const eq = w.value.indexOf('=');
    return eq < 0 ? { name: w.value, value: null } : { name: w.value.slice(0, eq), value: w.value.slice(eq + 1) };
  });
}

/**
 * Replaces `$X`, `${X}`, `${X:-d}`, `${X-d}`, `${X:+a}` and `${X+a}` with the declared ARG values
 * (a build arg given for a declared ARG wins over its default). `resolved` is false when some
 * variable has no value, or uses a form this does not evaluate.
 */
export function substitute(
  text: string,
  declared: readonly GlobalArg[],
  buildArgs: Readonly<Record<string, string | null | undefined>>,
): { value: string; resolved: boolean } {
  const scope = new Map<string, string | null>();
  for (const arg of declared) {
    const given = buildArgs[arg.name];
    const value = typeof given === 'string' ? given : arg.value === null ? null : expand(arg.value, scope).value;
    scope.set(arg.name, value);
  }
  return expand(text, scope);
}

function expand(text: string, scope: ReadonlyMap<string, string | null>): { value: string; resolved: boolean } {
  let resolved = true;
  const value = text.replace(/\\\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)|\$\{[^}]*\}/g, (all, braced?: string, op?: string, word?: string, bare?: string) => {
    if (all === '\\$') return '$';
    const name = braced ?? bare;
    if (name === undefined) {
      resolved = false;
      return '';
    }
    const v = scope.get(name);
    const set = v !== undefined && v !== null && (op?.startsWith(':') ? v !== '' : true);
    if (op === ':-' || op === '-') return set ? (v as string) : (word ?? '');
    if (op === ':+' || op === '+') return set ? (word ?? '') : '';
    if (v === undefined || v === null) resolved = false;
    return v ?? '';
  });
  return { value, resolved };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
