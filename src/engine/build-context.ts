import { readFileSync, readdirSync, readlinkSync, lstatSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { tarStream, type TarEntry } from '../docker/index.js';

/** Name the Dockerfile gets in the context when it is written inline or lives outside the context. */
const GENERATED_DOCKERFILE = '.shipshape.Dockerfile';

export interface BuildContext {
  stream: Readable;
  /** Path of the Dockerfile inside the archive, for the build API's `dockerfile` parameter. */
  dockerfile: string;
}

/**
 * The build context directory as a tar stream, without what `.dockerignore` excludes. The
 * Dockerfile and `.dockerignore` are always sent, as the docker CLI does, because the builder
 * needs them even when a pattern excludes them.
 */
export function buildContext(contextDir: string, dockerfile: string | undefined, inline?: string): BuildContext {
  const root = resolve(contextDir);
  let dockerfileInContext = dockerfile ?? 'Dockerfile';
  let generated: Buffer | undefined;
  if (inline !== undefined) {
    generated = Buffer.from(inline);
    dockerfileInContext = GENERATED_DOCKERFILE;
  } else {
    const absolute = isAbsolute(dockerfileInContext) ? dockerfileInContext : join(root, dockerfileInContext);
    const inside = relative(root, absolute);
    if (inside.startsWith('..') || isAbsolute(inside)) {
      generated = readFileSync(absolute);
      dockerfileInContext = GENERATED_DOCKERFILE;
    } else {
      dockerfileInContext = inside.split(sep).join('/');
    }
  }
  const ignore = readIgnore(root);
  const always = new Set([dockerfileInContext, '.dockerignore']);
  function* entries(): Generator<TarEntry> {
    yield* walk(root, '', (path, isDir) => !always.has(path) && ignore.excludes(path, isDir), ignore.hasExceptions);
    if (generated) yield { name: GENERATED_DOCKERFILE, type: 'file', mode: 0o644, content: generated };
  }
  return { stream: tarStream(entries()), dockerfile: dockerfileInContext };
}

function* walk(
  root: string,
  dir: string,
  excluded: (path: string, isDir: boolean) => boolean,
  descendIntoExcluded: boolean,
): Generator<TarEntry> {
  const names = readdirSync(join(root, dir)).sort();
  for (const name of names) {
    const path = dir ? `${dir}/${name}` : name;
    const full = join(root, path);
    const stat = lstatSync(full);
    const isDir = stat.isDirectory();
    const out = excluded(path, isDir);
    const base = { name: path, mode: stat.mode, mtime: stat.mtime };
    if (isDir) {
      // An excluded directory may still hold files a `!pattern` brings back.
      if (!out) yield { ...base, type: 'directory' };
      if (!out || descendIntoExcluded) yield* walk(root, path, excluded, descendIntoExcluded);
    } else if (out) {
      continue;
    } else if (stat.isSymbolicLink()) {
      yield { ...base, type: 'symlink', linkname: readlinkSync(full) };
    } else if (stat.isFile()) {
      yield { ...base, type: 'file', content: { path: full, size: stat.size } };
    }
  }
}

interface IgnoreRules {
  excludes(path: string, isDir: boolean): boolean;
  hasExceptions: boolean;
}

/**
 * `.dockerignore` as docker reads it, simply: one pattern a line, `#` comments, `!` exceptions,
 * `*` and `?` within a path segment, `**` across segments, a pattern matching a directory
 * excluding everything under it, and the last matching line winning.
 */
export function parseDockerignore(text: string): IgnoreRules {
  const rules: { negate: boolean; regex: RegExp }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1).trim();
    line = line.replace(/^\/+/, '').replace(/\/+$/, '').replace(/^(\.\/)+/, '');
    if (line === '' || line === '.') continue;
    rules.push({ negate, regex: new RegExp(`^${globToRegex(line)}(/.*)?$`) });
  }
  return {
    hasExceptions: rules.some((r) => r.negate),
    excludes(path) {
      let excluded = false;
      for (const rule of rules) if (rule.regex.test(path)) excluded = !rule.negate;
      return excluded;
    },
  };
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches any number of leading directories, including none.
      if (glob[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}

function readIgnore(root: string): IgnoreRules {
  try {
    return parseDockerignore(readFileSync(join(root, '.dockerignore'), 'utf8'));
  } catch {
    return parseDockerignore('');
  }
}
