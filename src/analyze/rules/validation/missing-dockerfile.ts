import { basename, dirname, join, relative } from 'node:path';
import { createRule } from '../create-rule.js';
import { services } from '../util.js';
import { displayPath, editDistance, isDirectory, localBuild, type RawFinding, type RuleContext, type Service } from './shared.js';

const MAX_DEPTH = 4;
const MAX_ENTRIES = 4000;
const SKIPPED_DIRS = new Set(['node_modules', '__pycache__', 'venv', 'vendor', 'target', 'dist']);
/** Words in paths that say nothing about which service a Dockerfile is for. */
const NEUTRAL = new Set(['dockerfile', 'dockerfiles', 'docker', 'build', 'infra', 'infrastructure', 'deploy', 'deployment', 'src', 'compose', 'images', 'containers', 'ops']);

function isDockerfileName(name: string): boolean {
  const lower = name.toLowerCase();
  if (lower.endsWith('.dockerignore')) return false;
  return /^dockerfile([.\-_].*)?$/.test(lower) || /[.\-_]dockerfile$/.test(lower);
}

/**
 * Names worth listing as folders: not hidden, not dependency folders, and without a file
 * extension (listing a file costs a failed system call, and projects hold many files).
 */
function mayBeFolder(name: string): boolean {
  if (name.startsWith('.') || SKIPPED_DIRS.has(name)) return false;
  return !/\.[a-z0-9]{1,5}$/i.test(name) || name.endsWith('.d');
}

const searches = new WeakMap<RuleContext, Map<string, string[]>>();

/** Dockerfiles under a directory, a few levels deep, skipping dependency and hidden folders. */
function dockerfilesUnder(ctx: RuleContext, root: string): string[] {
  let byRoot = searches.get(ctx);
  if (!byRoot) searches.set(ctx, (byRoot = new Map()));
  const cached = byRoot.get(root);
  if (cached) return cached;
  const found: string[] = [];
  let budget = MAX_ENTRIES;
  const walk = (dir: string, depth: number): void => {
    for (const name of ctx.listDir(dir).sort()) {
      if (--budget < 0) return;
      const path = join(dir, name);
      if (isDockerfileName(name)) {
        if (ctx.readText(path) !== undefined) found.push(path);
      } else if (depth < MAX_DEPTH && mayBeFolder(name)) {
        walk(path, depth + 1);
      }
    }
  };
  walk(root, 0);
  byRoot.set(root, found);
  return found;
}

function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '' && !NEUTRAL.has(w));
}

/** `dashboard.Dockerfile` → dashboard; `Dockerfile.dev` → dev; `Dockerfile` → nothing. */
function stemWords(file: string): string[] {
  return words(basename(file));
}

function sameWord(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.min(a.length, b.length) >= 3 && (a.startsWith(b) || b.startsWith(a))) return true;
  return Math.min(a.length, b.length) >= 5 && editDistance(a, b) <= 1;
}

function commonAncestor(a: string, b: string): string {
  let dir = a;
  while (relative(dir, b).startsWith('..') && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

interface Candidate {
  path: string;
  matches: number;
  extras: number;
  sameName: boolean;
  distance: number;
}

/**
 * The existing Dockerfile the author most likely meant. It must share a word with what was asked
 * for (the file's own name, the service, the context folder) — `mcp.Dockerfile` finds
 * `mcp-server.Dockerfile`, service `backend` finds `backend/docker/Dockerfile` — or be a plain
 * `Dockerfile` in a neutral folder (`docker/`, `build/`) of the context.
 */
function closestDockerfile(ctx: RuleContext, name: string, context: string, wanted: string): string | undefined {
  const wantedWords = new Set([...stemWords(wanted), ...words(name), ...(context !== ctx.dir ? words(basename(context)) : [])]);
  const plainWanted = stemWords(wanted).length === 0;
  const candidates = new Set([...dockerfilesUnder(ctx, context), ...dockerfilesUnder(ctx, ctx.dir)]);
  const ranked: Candidate[] = [];
  for (const path of candidates) {
    const own = stemWords(path);
    // Only the folders that set the candidate apart from where the file was expected say what it is for.
    const folders = words(relative(commonAncestor(dirname(wanted), dirname(path)), dirname(path)));
    const all = [...own, ...folders];
    const matches = [...wantedWords].filter((w) => all.some((c) => sameWord(w, c))).length;
    const neutral = plainWanted && own.length === 0 && words(relative(context, dirname(path))).length === 0 && !relative(context, path).startsWith('..');
    if (matches === 0 && !neutral) continue;
    ranked.push({
      path,
      matches,
      extras: own.filter((c) => ![...wantedWords].some((w) => sameWord(w, c))).length,
      sameName: basename(path).toLowerCase() === basename(wanted).toLowerCase(),
      distance: relative(dirname(wanted), dirname(path)).split(/[\\/]/).filter(Boolean).length,
    });
  }
  ranked.sort(
    (a, b) =>
      b.matches - a.matches ||
      a.extras - b.extras ||
      Number(b.sameName) - Number(a.sameName) ||
      a.distance - b.distance ||
      a.path.localeCompare(b.path),
  );
  return ranked[0]?.path;
}

function check(ctx: RuleContext, name: string, service: Service): RawFinding[] {
  const build = localBuild(ctx, service);
  if (!build || !isDirectory(ctx, build.context)) return [];
  const wanted = build.dockerfile;
  if (!wanted || ctx.readText(wanted) !== undefined) return [];
  const shown = displayPath(ctx, wanted);
  const what = ctx.exists(wanted) ? 'which is a directory, not a file' : 'which does not exist';
  const suggestion = closestDockerfile(ctx, name, build.context, wanted);
  if (suggestion) {
    const asWritten = relative(build.context, suggestion).split('\\').join('/');
    const meant = displayPath(ctx, suggestion).replace(/^\.\//, '');
    return [
      {
        path: ['services', name, 'build', 'dockerfile'],
        message: `service "${name}" builds with ${shown}, ${what}; did you mean ${meant}?`,
        fix: `did you mean ${meant}? Write \`dockerfile: ${asWritten}\` (relative to the context ${displayPath(ctx, build.context)}), or create ${shown}`,
      },
    ];
  }
  return [
    {
      path: ['services', name, 'build', 'dockerfile'],
      message: `service "${name}" builds with ${shown}, ${what}, and no similar Dockerfile was found in the project`,
      fix: `create ${shown}, or set build.dockerfile to the right file (relative to the context ${displayPath(ctx, build.context)})`,
    },
  ];
}

export default createRule({
  id: 'missing-dockerfile',
  severity: 'critical',
  category: 'validation',
  docs: {
    summary: 'A service builds with a Dockerfile that does not exist in its build context; the closest existing Dockerfile is suggested.',
    why:
      '`docker compose build` stops with "failed to read dockerfile: no such file": the image is never built. ' +
      'It usually follows a move or a rename (`mcp.Dockerfile` became `mcp-server.Dockerfile`, or the files moved ' +
      'to another folder), so the rule searches the context and the project for the file that was most likely meant.',
    fix: 'Point `build.dockerfile` at the existing file (the path is relative to `build.context`), or create the missing Dockerfile.',
    example: 'services:\n  mcp:\n    build:\n      context: .\n      dockerfile: docker/dockerfiles/mcp.Dockerfile\n',
  },
  check: (ctx) => services(ctx).flatMap(([name, service]) => check(ctx, name, service)),
});
