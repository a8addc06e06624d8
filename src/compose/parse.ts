import {
  Alias,
  LineCounter,
  parse as parseYamlValue,
  parseAllDocuments,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Document,
  type Node as YamlNode,
  type Pair,
} from 'yaml';
import { diagnostic, type Diagnostic, type Position } from './diagnostics.js';
import {
  mapNode,
  scalarNode,
  seqNode,
  type MapEntry,
  type MapNode,
  type MergeTag,
  type Node,
  type Scalar,
} from './node.js';

/**
 * How many nodes one document may expand to. Real compose files stay in the thousands; an alias
 * bomb ("billion laughs") reaches this within microseconds and is stopped here with a located error.
 */
export const MAX_EXPANDED_NODES = 100_000;

export interface ParsedFile {
  file: string;
  /** One tree per YAML document; compose merges several documents of one file in order. */
  documents: MapNode[];
  diagnostics: Diagnostic[];
}

const MERGE_TAGS = new Set<string>(['!reset', '!override']);

class AliasLimitExceeded extends Error {}

/** Parses a compose file into located trees: aliases expanded, `<<` merged, duplicates reported. */
export function parseComposeYaml(source: string, file: string): ParsedFile {
  const lineCounter = new LineCounter();
  const diagnostics: Diagnostic[] = [];
  const documents: MapNode[] = [];
  const posAt = (offset: number | undefined): Position => {
    const p = lineCounter.linePos(offset ?? 0);
    return { file, line: p.line, column: p.col };
  };

  let docs: Document.Parsed[];
  try {
    // An empty stream is an empty array-like: no documents, which the loader reports as an empty file.
    docs = [...parseAllDocuments(source, { lineCounter, uniqueKeys: false, merge: false, strict: true, prettyErrors: false })];
  } catch (err) {
    diagnostics.push(diagnostic('yaml-syntax', `cannot parse YAML: ${(err as Error).message}`, posAt(0)));
    return { file, documents, diagnostics };
  }

  const hasAliases = source.includes('*');
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) diagnostics.push(syntaxDiagnostic(e, posAt));
      continue;
    }
    for (const w of doc.warnings) {
      if (w.code === 'TAG_RESOLVE_FAILED' && [...MERGE_TAGS].some((t) => w.message.includes(t))) continue;
      diagnostics.push({ ...syntaxDiagnostic(w, posAt), severity: 'warning' });
    }
    if (doc.contents === null) {
      // An empty document after `---` is harmless; an empty file is reported by the loader.
      continue;
    }
    const converter = new Converter(doc, posAt, diagnostics, hasAliases);
    let tree: Node;
    try {
      tree = converter.convert(doc.contents as YamlNode);
    } catch (err) {
      if (err instanceof AliasLimitExceeded) continue;
      throw err;
    }
    if (tree.kind !== 'map') {
      diagnostics.push(
        diagnostic('schema', `the top level of a compose file must be a mapping, not a ${describe(tree)}`, tree.pos),
      );
      continue;
    }
    documents.push(tree);
  }
  return { file, documents, diagnostics };
}

function syntaxDiagnostic(
  e: { code: string; message: string; pos: [number, number] },
  posAt: (offset: number) => Position,
): Diagnostic {
  const firstLine = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return diagnostic('yaml-syntax', `${firstLine} (${e.code})`, posAt(e.pos[0]));
}

function describe(n: Node): string {
  if (n.kind === 'seq') return 'list';
  if (n.kind === 'map') return 'mapping';
  return n.value === null ? 'null value' : typeof n.value;
}

class Converter {
  private expanded = 0;
  private readonly resolving = new Set<YamlNode>();
  /** Anchors by name, in document order: `Alias.resolve` walks the whole document on every call. */
  private readonly anchors = new Map<string, { offset: number; node: YamlNode }[]>();
  /** The outermost alias being expanded: where a bomb is reported, since that is what to remove. */
  private outermostAlias: Position | undefined;

  constructor(
    doc: Document.Parsed,
    private readonly posAt: (offset: number | undefined) => Position,
    private readonly diagnostics: Diagnostic[],
    hasAliases: boolean,
  ) {
    // Only an alias (`*name`, also in `<<: *name`) looks anchors up: without a `*` there is none.
    if (hasAliases) this.collectAnchors(doc.contents);
  }

  /** Every anchored node in document order (keys before their values); yaml's `visit` is far slower. */
  private collectAnchors(node: unknown): void {
    if (isPair(node)) {
      this.collectAnchors(node.key);
      this.collectAnchors(node.value);
      return;
    }
    if (!isScalar(node) && !isMap(node) && !isSeq(node)) return;
    if (node.anchor) {
      const list = this.anchors.get(node.anchor) ?? [];
      list.push({ offset: node.range?.[0] ?? 0, node });
      this.anchors.set(node.anchor, list);
    }
    if (!isScalar(node)) for (const item of node.items) this.collectAnchors(item);
  }

  /** The anchor an alias refers to: the last one of that name defined before the alias. */
  private anchorFor(alias: Alias): YamlNode | undefined {
    const offset = alias.range?.[0] ?? Number.MAX_SAFE_INTEGER;
    const candidates = this.anchors.get(alias.source) ?? [];
    let found: YamlNode | undefined;
    for (const c of candidates) if (c.offset < offset) found = c.node;
    return found;
  }

  convert(node: YamlNode | null | undefined, fallback?: Position): Node {
    if (++this.expanded > MAX_EXPANDED_NODES) {
      const at = this.outermostAlias ?? (node?.range ? this.posAt(node.range[0]) : fallback);
      this.diagnostics.push(
        diagnostic(
          'yaml-alias-limit',
          `the document expands to more than ${MAX_EXPANDED_NODES} values through aliases; ` +
            'this looks like an alias bomb. Remove the nested aliases.',
          at,
        ),
      );
      throw new AliasLimitExceeded();
    }
    if (node === null || node === undefined) return scalarNode(fallback ?? this.posAt(0), null);
    const pos = this.posAt(node.range?.[0]);
    if (isAlias(node)) return this.convertAlias(node, pos);
    const tag = mergeTag(node.tag);
    if (isMap(node)) return withTag(this.convertMap(node.items as Pair[], pos), tag);
    if (isSeq(node)) {
      const seq = seqNode(pos, node.items.map((item) => this.convert(item as YamlNode, pos)));
      return withTag(seq, tag);
    }
    if (isScalar(node)) {
      let value = node.value as unknown;
      if (tag && typeof value === 'string') value = resolvePlainScalar(value);
      return withTag(scalarNode(pos, toScalar(value)), tag);
    }
    return scalarNode(pos, null);
  }

  private convertAlias(alias: Alias, pos: Position): Node {
    const target = this.anchorFor(alias);
    if (!target) {
      this.diagnostics.push(diagnostic('yaml-syntax', `unknown anchor "*${alias.source}"`, pos));
      return scalarNode(pos, null);
    }
    if (this.resolving.has(target)) {
      this.diagnostics.push(diagnostic('yaml-syntax', `anchor "&${alias.source}" refers to itself`, pos));
      return scalarNode(pos, null);
    }
    if (this.resolving.size === 0) this.outermostAlias = pos;
    this.resolving.add(target);
    try {
      return this.convert(target, pos);
    } finally {
      this.resolving.delete(target);
      if (this.resolving.size === 0) this.outermostAlias = undefined;
    }
  }

  private convertMap(pairs: Pair[], pos: Position): MapNode {
    const out = mapNode(pos);
    const seen = new Map<string, Position>();
    const mergeSources: MapNode[] = [];
    let firstMergeKey: Position | undefined;

    for (const pair of pairs) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      const keyPos = keyNode?.range ? this.posAt(keyNode.range[0]) : pos;
      if (keyNode && !isScalar(keyNode)) {
        this.diagnostics.push(diagnostic('yaml-syntax', 'mapping keys must be plain strings', keyPos));
        continue;
      }
      if (keyNode && typeof keyNode.value !== 'string') {
        // compose refuses keys YAML reads as numbers, booleans or null (`123:`); the entry is kept
        // under its text so that the rest of the file can still be read.
        const text = String(keyNode.value);
        const kind = keyNode.value === null ? 'null' : typeof keyNode.value === 'boolean' ? 'a boolean' : 'a number';
        this.diagnostics.push(
          diagnostic('yaml-syntax', `mapping key ${text} is ${kind}, not text; quote it: "${text}"`, keyPos),
        );
      }
      const key = keyNode ? String(keyNode.value) : 'null';
      const isMergeKey = key === '<<' && keyNode !== null && keyNode.type === 'PLAIN';

      if (isMergeKey) {
        if (firstMergeKey) {
          this.diagnostics.push(
            diagnostic('yaml-duplicate-key', 'mapping key "<<" already defined', keyPos, {
              related: [{ ...firstMergeKey, message: 'first "<<" is here' }],
            }),
          );
        }
        firstMergeKey ??= keyPos;
        mergeSources.push(...this.mergeSources(pair.value as YamlNode | null, keyPos));
        continue;
      }

      const previous = seen.get(key);
      if (previous) {
        this.diagnostics.push(
          diagnostic('yaml-duplicate-key', `mapping key "${key}" already defined at line ${previous.line}`, keyPos, {
            related: [{ ...previous, message: `first "${key}" is here` }],
          }),
        );
      }
      seen.set(key, keyPos);
      out.entries.set(key, { keyPos, value: this.convert(pair.value as YamlNode | null, keyPos) });
    }

    if (mergeSources.length === 0) return out;
    // Explicit keys win over merged ones; among merged maps the first listed wins (YAML merge spec).
    const merged = new Map<string, MapEntry>();
    for (const source of mergeSources) {
      for (const [k, e] of source.entries) if (!merged.has(k) && !out.entries.has(k)) merged.set(k, e);
    }
    for (const [k, e] of out.entries) merged.set(k, e);
    out.entries = merged;
    return out;
  }

  private mergeSources(value: YamlNode | null, keyPos: Position): MapNode[] {
    const converted = this.convert(value, keyPos);
    const items = converted.kind === 'seq' ? converted.items : [converted];
    const sources: MapNode[] = [];
    for (const item of items) {
      if (item.kind === 'map') sources.push(item);
      else
        this.diagnostics.push(
          diagnostic('yaml-merge-key', 'a merge key "<<" takes a mapping or a list of mappings', item.pos),
        );
    }
    return sources;
  }
}

function mergeTag(tag: string | undefined): MergeTag | undefined {
  return tag === '!reset' || tag === '!override' ? tag : undefined;
}

function withTag<T extends Node>(n: T, tag: MergeTag | undefined): T {
  if (tag) n.tag = tag;
  return n;
}

function resolvePlainScalar(text: string): unknown {
  try {
    return parseYamlValue(text);
  } catch {
    return text;
  }
}

function toScalar(value: unknown): Scalar {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  return String(value);
}
