import { basename, dirname, join, relative, sep } from 'node:path';
import type { RuleContext } from '../../../types.js';

/** How far up from a file `.gitignore` files are looked for when no `.git` folder stops the walk. */
const MAX_LEVELS = 6;

/**
 * Whether git would ignore the file, judged from the `.gitignore` files of its folder and the
 * folders above it up to the repository root. A secret in an ignored `.env` stays on the host
 * that deploys; that is where compose expects it, not a secret committed to the repository.
 * Only the common forms are understood (`name`, `/name`, `*.env`, `dir/name`, `**`, `!name`).
 */
export function isGitIgnored(ctx: RuleContext, file: string): boolean {
  let dir = dirname(file);
  let ignored: boolean | undefined;
  for (let level = 0; level < MAX_LEVELS; level++) {
    const text = ctx.readText(join(dir, '.gitignore'));
    if (text !== undefined && ignored === undefined) ignored = decide(text, relative(dir, file).split(sep).join('/'));
    if (ctx.exists(join(dir, '.git'))) break;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return ignored === true;
}

/** The last matching pattern decides; undefined when none matches. */
function decide(gitignore: string, path: string): boolean | undefined {
  let result: boolean | undefined;
  for (const rawLine of gitignore.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    const pattern = (negate ? line.slice(1) : line).replace(/\/$/, '');
    if (matches(pattern, path)) result = !negate;
  }
  return result;
}

function matches(pattern: string, path: string): boolean {
  const anchored = pattern.includes('/') && !pattern.startsWith('**/');
  const regex = new RegExp(`^${globToRegex(pattern.replace(/^\//, ''))}$`);
  if (anchored) return regex.test(path);
  return regex.test(basename(path)) || regex.test(path);
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      out += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}
