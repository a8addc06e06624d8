import { homedir } from 'node:os';
import { diagnostic, type Diagnostic, type Position } from './diagnostics.js';
import { readGuarded, type FileGuard } from './confine.js';
import type { Lookup } from './interpolate.js';
import { interpolateTree } from './interpolate-tree.js';
import { mergeNodes, stripMergeTags } from './merge.js';
import { mapNode, toPlain, type MapNode, type SourceMap } from './node.js';
import { canonicalize } from './normalize.js';
import { parseComposeYaml } from './parse.js';
import { resolvePaths } from './resolve-paths.js';
import { validateComposeSchema } from './schema.js';

export interface FileContext {
  lookup: Lookup;
  diagnostics: Diagnostic[];
  /** Parsed files by path, so a file reached twice (extends, include) is read and reported once. */
  cache: Map<string, MapNode | undefined>;
  /** Files the loader may read; all when absent. */
  guard?: FileGuard;
  /** What `~` means; null leaves it as written (see `LoadOptions.home`); default the environment's HOME. */
  home?: string | null;
}

/**
 * One compose file through the per-file phases: parse → interpolate → schema → canonical form →
 * paths resolved against `baseDir`. Several YAML documents in one file are merged in order.
 */
export function loadComposeFile(
  file: string,
  baseDir: string,
  ctx: FileContext,
  referencedFrom?: Position,
): MapNode | undefined {
  const cacheKey = `${file}\0${baseDir}`;
  if (ctx.cache.has(cacheKey)) return ctx.cache.get(cacheKey);
  const tree = readAndProcess(file, baseDir, ctx, referencedFrom);
  ctx.cache.set(cacheKey, tree);
  return tree;
}

function readAndProcess(file: string, baseDir: string, ctx: FileContext, referencedFrom?: Position): MapNode | undefined {
  const at = referencedFrom ?? { file, line: 0, column: 0 };
  const { text, refused } = readGuarded(file, ctx.guard, at, ctx.diagnostics);
  if (refused) return undefined;
  if (text === undefined) {
    ctx.diagnostics.push(diagnostic('file-not-found', `compose file ${file} not found`, at));
    return undefined;
  }
  return processComposeText(text, file, baseDir, ctx);
}

/** The per-file phases on text already read (also the fuzz tests' entry point). */
export function processComposeText(text: string, file: string, baseDir: string, ctx: FileContext): MapNode | undefined {
  const parsed = parseComposeYaml(text, file);
  ctx.diagnostics.push(...parsed.diagnostics);
  if (parsed.documents.length === 0 && !parsed.diagnostics.some((d) => d.severity === 'error')) {
    ctx.diagnostics.push(
      diagnostic('schema', 'the compose file is empty; it needs at least a "services" mapping', { file, line: 1, column: 1 }),
    );
  }
  let merged: MapNode | undefined;
  for (const doc of parsed.documents) {
    interpolateTree(doc, { lookup: ctx.lookup }, ctx.diagnostics);
    const schemaIssues = validateDocument(doc);
    ctx.diagnostics.push(...schemaIssues);
    const canonicalIssues: Diagnostic[] = [];
    const canonical = canonicalize(doc, canonicalIssues);
    // A value the schema already refused is not reported a second time by the canonical form.
    const refused = new Set(schemaIssues.map((d) => `${d.line}:${d.column}`));
    ctx.diagnostics.push(...canonicalIssues.filter((d) => !refused.has(`${d.line}:${d.column}`)));
    // `~` is the HOME of the environment the project is loaded with, not necessarily this process's.
    resolvePaths(canonical, baseDir, ctx.home === undefined ? (ctx.lookup('HOME') ?? homedir()) : ctx.home);
    merged = merged ? ((mergeNodes(merged, canonical) as MapNode | undefined) ?? mapNode(canonical.pos)) : canonical;
  }
  return merged;
}

function validateDocument(doc: MapNode): Diagnostic[] {
  // `!reset` values are not part of the document compose validates: they only undo a base value.
  const validated = stripMergeTags(doc);
  const issues = validateComposeSchema(toPlain(validated));
  if (issues.length === 0) return [];
  // Most files have no issue: the positions are mapped only for those that do.
  const sourceMap: SourceMap = new Map();
  toPlain(validated, sourceMap);
  return issues.map((issue) => diagnostic('schema', issue.message, positionFor(sourceMap, issue.pointer) ?? doc.pos));
}

/** The position of a pointer, or of its nearest located ancestor. */
export function positionFor(sourceMap: SourceMap, pointer: string): Position | undefined {
  let p = pointer;
  for (;;) {
    const pos = sourceMap.get(p);
    if (pos) return pos;
    const cut = p.lastIndexOf('/');
    if (cut < 0) return undefined;
    p = p.slice(0, cut);
  }
}
