import { dirname } from 'node:path';
import { diagnostic, type Diagnostic, type RelatedPosition } from './diagnostics.js';
import { get, isMap, mapNode, toPlain, type MapNode, type Node } from './node.js';
import { resolveLocalPath } from './resolve-paths.js';

export interface IncludeRequest {
  files: string[];
  projectDir: string;
  envFiles: string[] | undefined;
  at: RelatedPosition;
}

export interface IncludeContext {
  /** Loads an included project as its own project (own directory and env) up to its merged tree. */
  loadSubproject(request: IncludeRequest): MapNode | undefined;
  diagnostics: Diagnostic[];
}

const SECTIONS = ['services', 'networks', 'volumes', 'secrets', 'configs'] as const;

/**
 * `include` imports other compose projects' resources into this file. A resource defined both
 * here and in an included project is a conflict (compose refuses it) unless both are identical.
 */
export function applyIncludes(tree: MapNode, file: string, ctx: IncludeContext): void {
  const include = tree.entries.get('include');
  if (!include) return;
  tree.entries.delete('include');
  const items = include.value.kind === 'seq' ? include.value.items : [include.value];
  for (const item of items) {
    const request = includeRequest(item, dirname(file));
    if (!request) {
      ctx.diagnostics.push(diagnostic('include', 'an include entry needs a path', item.pos));
      continue;
    }
    const imported = ctx.loadSubproject(request);
    if (imported) importResources(tree, imported, ctx.diagnostics);
  }
}

function includeRequest(item: Node, baseDir: string): IncludeRequest | undefined {
  const at: RelatedPosition = { ...item.pos, message: 'included here' };
  const texts = (n: Node | undefined): string[] => {
    if (!n) return [];
    if (n.kind === 'scalar') return n.value === null ? [] : [String(n.value)];
    if (n.kind === 'seq') return n.items.flatMap(texts);
    return [];
  };
  const paths = item.kind === 'map' ? texts(get(item, 'path')) : texts(item);
  if (paths.length === 0) return undefined;
  const files = paths.map((p) => resolveLocalPath(p, baseDir));
  const dirText = item.kind === 'map' ? texts(get(item, 'project_directory'))[0] : undefined;
  const envText = item.kind === 'map' ? texts(get(item, 'env_file')) : [];
  return {
    files,
    projectDir: dirText ? resolveLocalPath(dirText, baseDir) : dirname(files[0]!),
    envFiles: envText.length > 0 ? envText.map((p) => resolveLocalPath(p, baseDir)) : undefined,
    at,
  };
}

function importResources(tree: MapNode, imported: MapNode, diagnostics: Diagnostic[]): void {
  for (const section of SECTIONS) {
    const from = get(imported, section);
    if (!isMap(from)) continue;
    let into = get(tree, section);
    if (!isMap(into)) {
      into = mapNode(from.pos);
      tree.entries.set(section, { keyPos: from.pos, value: into });
    }
    for (const [name, entry] of from.entries) {
      const existing = into.entries.get(name);
      if (!existing) {
        into.entries.set(name, entry);
        continue;
      }
      if (JSON.stringify(toPlain(existing.value)) === JSON.stringify(toPlain(entry.value))) continue;
      diagnostics.push(
        diagnostic(
          'include-conflict',
          `${section}.${name} is defined here and in an included project; rename one of them or use extends`,
          existing.keyPos,
          { related: [{ ...entry.keyPos, message: `the included ${section}.${name}` }] },
        ),
      );
    }
  }
}
