import { dirname } from 'node:path';
import { diagnostic, type Diagnostic, type RelatedPosition } from './diagnostics.js';
import { clone, get, getString, isMap, type MapNode, type Node } from './node.js';
import { mergeNodes } from './merge.js';
import { resolveLocalPath } from './resolve-paths.js';

export interface ExtendsContext {
  /** The canonical, path-resolved tree of another file (extends are not resolved in it yet). */
  loadFile(path: string, at: RelatedPosition): MapNode | undefined;
  diagnostics: Diagnostic[];
}

interface Link {
  file: string;
  service: string;
  at: RelatedPosition;
}

/**
 * Resolves every `extends` of one file's services in place: the base service (same file or
 * another one, itself possibly extending) is merged under the extending service with the same
 * rules as override files. A cycle is reported once, with the whole chain.
 */
export function resolveExtends(tree: MapNode, file: string, ctx: ExtendsContext): void {
  const services = get(tree, 'services');
  if (!isMap(services)) return;
  const resolved = new Map<string, Node>();
  const trees = new Map<string, MapNode>([[file, tree]]);

  const resolveService = (svcFile: string, name: string, chain: Link[]): Node | undefined => {
    const key = `${svcFile}\0${name}`;
    const done = resolved.get(key);
    if (done) return done;
    const fileTree = trees.get(svcFile);
    const entry = (get(fileTree, 'services') as MapNode | undefined)?.entries.get(name);
    if (!entry) return undefined;
    const ext = get(entry.value, 'extends');
    if (!isMap(entry.value) || !isMap(ext)) return entry.value;

    const at: RelatedPosition = { ...entry.keyPos, message: `${name} extends` };
    const cycleStart = chain.findIndex((l) => l.file === svcFile && l.service === name);
    if (cycleStart >= 0) {
      const loop = [...chain.slice(cycleStart), { file: svcFile, service: name, at }];
      ctx.diagnostics.push(
        diagnostic(
          'extends-cycle',
          `extends cycle: ${loop.map((l) => l.service).join(' → ')}. Remove one of these extends.`,
          chain[cycleStart]!.at,
          { related: loop.slice(1, -1).map((l) => l.at) },
        ),
      );
      return withoutExtends(entry.value);
    }

    const baseName = getString(ext, 'service');
    const baseFileRaw = getString(ext, 'file');
    const baseFile = baseFileRaw ? resolveLocalPath(baseFileRaw, dirname(svcFile)) : svcFile;
    if (!trees.has(baseFile)) {
      const loaded = ctx.loadFile(baseFile, { ...ext.pos, message: 'extends.file' });
      if (!loaded) return withoutExtends(entry.value);
      trees.set(baseFile, loaded);
    }
    const base = baseName ? resolveService(baseFile, baseName, [...chain, { file: svcFile, service: name, at }]) : undefined;
    if (!base) {
      ctx.diagnostics.push(
        diagnostic(
          'extends',
          `service "${name}" extends "${baseName ?? ''}", which is not defined${baseFileRaw ? ` in ${baseFileRaw}` : ''}`,
          ext.pos,
        ),
      );
      return withoutExtends(entry.value);
    }
    const merged = mergeNodes(clone(base), withoutExtends(entry.value), ['services', name]) ?? entry.value;
    resolved.set(key, merged);
    return merged;
  };

  for (const [name, entry] of services.entries) {
    if (!isMap(entry.value) || !entry.value.entries.has('extends')) continue;
    const merged = resolveService(file, name, []);
    if (merged) entry.value = merged;
  }
}

function withoutExtends(n: Node): Node {
  if (n.kind !== 'map' || !n.entries.has('extends')) return n;
  const entries = new Map(n.entries);
  entries.delete('extends');
  return { ...n, entries };
}
