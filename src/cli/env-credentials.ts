import { chmodSync, constants, copyFileSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { analyze, findRule, isSecretName, type Rule } from '../analyze/index.js';
import { UsageError } from './exit.js';
import { checkReplaceable, replaceFile, shownPath } from './safe-write.js';
import { randomSecret, type ProjectSelection, type SecretPlan } from './secret-files.js';

/**
 * `secrets generate --env-file F` (docs/secrets.md): the values `default-credential` flags in F
 * are replaced by strong random ones. Every occurrence of one weak value gets the same new value
 * (`POSTGRES_PASSWORD=postgres` and the password of `DATABASE_URL=postgres://app:postgres@db/app`
 * still match); in a URL only its password changes. The rest of the file (comments, order,
 * quoting, line breaks) stays; the old file is kept as `F.bak-<UTC time>` with its mode.
 */
export interface CredentialChange {
  file: string;
  backup: string;
  variables: string[];
  /** default-credential findings elsewhere (a `${VAR:-default}` in a compose file): fixed by hand. */
  elsewhere: number;
}

export function replaceWeakCredentials(selection: ProjectSelection, plans: readonly SecretPlan[], envFile: string, now = new Date()): CredentialChange {
  const file = resolve(envFile);
  const real = realOrSelf(file);
  const plan = plans.find((p) => p.envFiles.some((f) => realOrSelf(f) === real));
  if (!plan) throw new UsageError(`${shownPath(file)}: is not the .env or an env_file of a project here; default-credential reads only those`);
  let before: string;
  try {
    before = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${shownPath(file)}: cannot be read (${(err as NodeJS.ErrnoException).code})`);
  }
  const rule = findRule('default-credential') as Rule;
  const { report, problems } = analyze({ root: selection.root, files: selection.files, environments: selection.environments, env: selection.env, rules: [rule], version: '' });
  if (problems.length > 0) throw new UsageError(problems.map((p) => `${p.file}${p.line ? `:${p.line}:${p.column}` : ''}: ${p.message}`).join('\n'));
  const rootDir = folderOf(selection.root);
  const lines = new Set<number>();
  let elsewhere = 0;
  for (const project of report.projects) {
    const dir = resolve(rootDir, project.dir);
    for (const f of project.environments.flatMap((e) => e.findings)) {
      if (f.file && realOrSelf(resolve(dir, f.file)) === real) lines.add(f.line);
      else elsewhere += 1;
    }
  }
  const unchanged = { file, backup: '', variables: [], elsewhere };
  if (lines.size === 0) return unchanged;
  const target = checkReplaceable(file, plan.dir, before, shownPath(file));
  const { text, variables } = rewrite(before, lines);
  if (variables.length === 0) return unchanged;
  const backup = `${target.real}.bak-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
  try {
    copyFileSync(target.real, backup, constants.COPYFILE_EXCL);
    chmodSync(backup, target.mode);
  } catch (err) {
    throw new UsageError(`${shownPath(backup)}: cannot be written (${(err as NodeJS.ErrnoException).code}); nothing was changed`);
  }
  replaceFile(target, text, before);
  return { file, backup, variables, elsewhere };
}

const ASSIGNMENT = /^(\s*(?:export\s+)?[^\s=:#]+\s*[=:]\s*)(.*)$/;
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@/\s]*)(@.*)$/i;

/**
 * Replaces the value of each flagged line, one new value per weak value. Then a secret-named
 * variable (or a URL password) elsewhere in the file that held the same weak value gets the same
 * new one, so two settings that had to match still do (a database's password and the URL an
 * application reaches it by). A line that is not a one-line assignment is left as it is.
 */
export function rewrite(text: string, flagged: ReadonlySet<number>): { text: string; variables: string[] } {
  const lines = text.split('\n');
  const replacements = new Map<string, string>();
  const variables: string[] = [];
  const replaceAt = (index: number, choose: (old: string, inUrl: boolean) => string | undefined): void => {
    const line = lines[index]!;
    const cr = line.endsWith('\r') ? '\r' : '';
    const m = ASSIGNMENT.exec(cr ? line.slice(0, -1) : line);
    if (!m) return;
    const [, head, rest] = m as unknown as [string, string, string];
    const span = valueSpan(rest);
    if (!span) return;
    const value = rest.slice(span.start, span.end);
    const url = URL_PASSWORD.exec(value);
    const fresh = url ? choose(url[2]!, true) : choose(value, false);
    if (fresh === undefined) return;
    const replaced = url ? `${url[1]}${fresh}${url[3]}` : fresh;
    lines[index] = `${head}${rest.slice(0, span.start)}${replaced}${rest.slice(span.end)}${cr}`;
    variables.push(/^\s*(?:export\s+)?([^\s=:#]+)/.exec(head)![1]!);
  };
  for (const number of [...flagged].sort((a, b) => a - b)) {
    if (lines[number - 1] === undefined) continue;
    replaceAt(number - 1, (old) => {
      let value = replacements.get(old);
      if (value === undefined) replacements.set(old, (value = randomSecret()));
      return value;
    });
  }
  lines.forEach((line, index) => {
    if (flagged.has(index + 1) || replacements.size === 0) return;
    const key = /^\s*(?:export\s+)?([^\s=:#]+)\s*[=:]/.exec(line)?.[1];
    if (key === undefined) return;
    replaceAt(index, (old, inUrl) => (inUrl || isSecretName(key) ? replacements.get(old) : undefined));
  });
  return { text: lines.join('\n'), variables };
}

/** Where the value is inside what follows `KEY=`: inside its quotes, or up to an inline ` #` comment. */
function valueSpan(rest: string): { start: number; end: number } | undefined {
  const quote = rest[0];
  if (quote === '"' || quote === "'") {
    const close = rest.indexOf(quote, 1);
    // A value that goes on to the next line, or that escapes its quote, is left alone.
    if (close < 0 || rest.slice(1, close).includes('\\')) return undefined;
    return { start: 1, end: close };
  }
  const comment = rest.search(/\s#/);
  const end = (comment < 0 ? rest : rest.slice(0, comment)).trimEnd().length;
  return end > 0 ? { start: 0, end } : undefined;
}

function folderOf(path: string): string {
  const abs = resolve(path);
  try {
    return statSync(abs).isDirectory() ? abs : resolve(abs, '..');
  } catch {
    return abs;
  }
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

export function describeChange(change: CredentialChange): string[] {
  const out: string[] = [];
  const file = shownPath(change.file);
  if (change.variables.length === 0) out.push(`${file}: no value that default-credential flags; nothing changed`);
  else out.push(`${file}: replaced ${change.variables.join(', ')} with strong random values; the old file is ${shownPath(change.backup)}`);
  if (change.elsewhere > 0) {
    out.push(`${change.elsewhere} other default-credential finding${change.elsewhere === 1 ? ' is' : 's are'} not in ${relative(process.cwd(), change.file) || file} (run shipshape analyze)`);
  }
  return out;
}
