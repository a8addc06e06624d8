import type { Position } from './diagnostics.js';

/**
 * The loader's working tree: YAML's shape, with the source position of every key and value.
 * All phases (interpolation, include, extends, merge, normalization) work on this tree so that
 * positions survive them; the typed model and its source map are read off it at the end.
 */
export type Node = MapNode | SeqNode | ScalarNode;

/** `!reset` drops the value being merged into; `!override` replaces it instead of merging. */
export type MergeTag = '!reset' | '!override';

interface NodeBase {
  pos: Position;
  tag?: MergeTag;
}

export interface MapEntry {
  keyPos: Position;
  value: Node;
}

export interface MapNode extends NodeBase {
  kind: 'map';
  entries: Map<string, MapEntry>;
}

export interface SeqNode extends NodeBase {
  kind: 'seq';
  items: Node[];
}

export type Scalar = string | number | boolean | null;

export interface ScalarNode extends NodeBase {
  kind: 'scalar';
  value: Scalar;
}

export function mapNode(pos: Position, entries: Map<string, MapEntry> = new Map()): MapNode {
  return { kind: 'map', pos, entries };
}

export function seqNode(pos: Position, items: Node[] = []): SeqNode {
  return { kind: 'seq', pos, items };
}

export function scalarNode(pos: Position, value: Scalar): ScalarNode {
  return { kind: 'scalar', pos, value };
}

export function isMap(n: Node | undefined): n is MapNode {
  return n?.kind === 'map';
}

export function isSeq(n: Node | undefined): n is SeqNode {
  return n?.kind === 'seq';
}

export function isScalar(n: Node | undefined): n is ScalarNode {
  return n?.kind === 'scalar';
}

export function get(n: Node | undefined, key: string): Node | undefined {
  return n?.kind === 'map' ? n.entries.get(key)?.value : undefined;
}

export function getString(n: Node | undefined, key: string): string | undefined {
  const v = get(n, key);
  return v?.kind === 'scalar' && v.value !== null ? String(v.value) : undefined;
}

export function set(n: MapNode, key: string, value: Node, keyPos: Position = value.pos): void {
  const existing = n.entries.get(key);
  n.entries.set(key, { keyPos: existing?.keyPos ?? keyPos, value });
}

/** Builds a node from a plain value, every part of it located at `pos` (used for derived values). */
export function fromPlain(value: unknown, pos: Position): Node {
  if (Array.isArray(value)) return seqNode(pos, value.map((v) => fromPlain(v, pos)));
  if (value !== null && typeof value === 'object') {
    const entries = new Map<string, MapEntry>();
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) entries.set(k, { keyPos: pos, value: fromPlain(v, pos) });
    }
    return mapNode(pos, entries);
  }
  if (value === undefined) return scalarNode(pos, null);
  return scalarNode(pos, value as Scalar);
}

export function clone(n: Node): Node {
  switch (n.kind) {
    case 'scalar':
      return { ...n };
    case 'seq':
      return { ...n, items: n.items.map(clone) };
    case 'map': {
      const entries = new Map<string, MapEntry>();
      for (const [k, e] of n.entries) entries.set(k, { keyPos: e.keyPos, value: clone(e.value) });
      return { ...n, entries };
    }
  }
}

/** JSON Pointer (RFC 6901) for a path, the key of the source map. */
export function pointer(path: readonly (string | number)[]): string {
  return path.map((s) => '/' + pointerSegment(String(s))).join('');
}

function pointerSegment(key: string): string {
  return key.includes('~') || key.includes('/') ? key.replaceAll('~', '~0').replaceAll('/', '~1') : key;
}

/** Where each value of the tree came from: a value keeps its own position, a container its key's. */
export type SourceMap = Map<string, Position>;

/**
 * Reads the plain value off a tree and, given a map, records the source of every value in it.
 * Each pointer extends its parent's, so a deep tree costs one short string per value.
 */
export function toPlain(n: Node, sourceMap?: SourceMap, at = ''): unknown {
  switch (n.kind) {
    case 'scalar':
      return n.value;
    case 'seq':
      return n.items.map((item, i) => {
        if (!sourceMap) return toPlain(item);
        const here = `${at}/${i}`;
        sourceMap.set(here, item.pos);
        return toPlain(item, sourceMap, here);
      });
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, e] of n.entries) {
        let value: unknown;
        if (sourceMap) {
          const here = `${at}/${pointerSegment(k)}`;
          sourceMap.set(here, e.value.kind === 'scalar' ? e.value.pos : e.keyPos);
          value = toPlain(e.value, sourceMap, here);
        } else {
          value = toPlain(e.value);
        }
        // defineProperty: a YAML key "__proto__" must stay a key, not replace the prototype.
        Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
  }
}

/** Follows a JSON-pointer-like path of keys and indexes down the tree. */
export function at(n: Node | undefined, path: readonly (string | number)[]): Node | undefined {
  let cur = n;
  for (const seg of path) {
    if (!cur) return undefined;
    if (cur.kind === 'map') cur = cur.entries.get(String(seg))?.value;
    else if (cur.kind === 'seq') cur = cur.items[Number(seg)];
    else return undefined;
  }
  return cur;
}

/** Position of the key at the end of `path`, falling back to the value's own position. */
export function keyPositionAt(n: Node | undefined, path: readonly (string | number)[]): Position | undefined {
  if (path.length === 0) return n?.pos;
  const parent = at(n, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (parent?.kind === 'map') return parent.entries.get(String(last))?.keyPos;
  if (parent?.kind === 'seq') return parent.items[Number(last)]?.pos;
  return undefined;
}
