import { isAlias, isCollection, isMap, isPair, isScalar, parseAllDocuments, visit, type Document, type Node as YamlNode, type Pair } from 'yaml';
import type { Position, RawFinding } from './shared.js';

type TextEdit = NonNullable<RawFinding['edits']>[number];

/** Offset of a 1-based line and column in `text`; undefined when the text has no such place. */
export function offsetOf(text: string, line: number, column: number): number | undefined {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return undefined;
    start = next + 1;
  }
  const offset = start + column - 1;
  return offset <= text.length ? offset : undefined;
}

/** Where the line holding `offset` starts, and where it ends (after its line break). */
export function lineAround(text: string, offset: number): { start: number; end: number } {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const newline = text.indexOf('\n', offset);
  return { start, end: newline < 0 ? text.length : newline + 1 };
}

/**
 * The edit that deletes whole lines `[from, to)`: only when nothing else shares them, so that a
 * deletion never takes part of another key with it.
 */
export function deleteLines(file: string, text: string, from: number, to: number): TextEdit | undefined {
  const first = lineAround(text, from);
  const last = to > first.start ? lineAround(text, to - 1) : first;
  if (text.slice(first.start, from).trim() !== '') return undefined;
  const rest = text.slice(to, last.end);
  if (!/^[ \t:]*(#.*)?\r?\n?$/.test(rest)) return undefined;
  return { file, start: first.start, end: last.end, text: '' };
}

/**
 * A duplicate key that can go without changing anything: both values are the same (after
 * aliases), with the same tag, in a block mapping. The edit deletes the second pair's lines.
 */
export function identicalDuplicate(file: string, text: string, second: Position, first: Position | undefined): TextEdit | undefined {
  if (!first) return undefined;
  const secondAt = offsetOf(text, second.line, second.column);
  const firstAt = offsetOf(text, first.line, first.column);
  if (secondAt === undefined || firstAt === undefined) return undefined;
  let docs: Document.Parsed[];
  try {
    docs = [...parseAllDocuments(text, { uniqueKeys: false, merge: false, strict: true })];
  } catch {
    return undefined;
  }
  for (const doc of docs) {
    const pairs = new Map<number, Pair>();
    visit(doc, {
      Pair(_, pair) {
        const start = (pair.key as YamlNode | null)?.range?.[0];
        if (start !== undefined) pairs.set(start, pair as Pair);
      },
    });
    const a = pairs.get(firstAt);
    const b = pairs.get(secondAt);
    if (!a || !b || !isPair(a) || !isPair(b)) continue;
    if (!inBlockMapping(doc, b) || !sameValue(doc, a.value as YamlNode | null, b.value as YamlNode | null)) return undefined;
    const value = b.value as YamlNode | null;
    const end = value?.range ? value.range[1] : ((b.key as YamlNode).range?.[1] ?? secondAt);
    return deleteLines(file, text, secondAt, end);
  }
  return undefined;
}

/** The pair sits in a block mapping (not `{a: 1, a: 1}`), where a pair owns its lines. */
function inBlockMapping(doc: Document.Parsed, pair: Pair): boolean {
  let block = false;
  visit(doc, {
    Map(_, map) {
      if (isMap(map) && map.items.includes(pair)) block = !map.flow;
    },
  });
  return block;
}

function sameValue(doc: Document.Parsed, a: YamlNode | null, b: YamlNode | null): boolean {
  if (a === null || b === null) return a === b;
  if (tagOf(a) !== tagOf(b)) return false;
  if (isAlias(a) && isAlias(b)) return a.source === b.source;
  if (isAlias(a) !== isAlias(b)) return false;
  if (!isScalar(a) && !isCollection(a)) return false;
  try {
    // maxAliasCount keeps an alias bomb from expanding here (the loader reports it).
    return JSON.stringify(a.toJS(doc, { maxAliasCount: 100 })) === JSON.stringify(b.toJS(doc, { maxAliasCount: 100 }));
  } catch {
    return false;
  }
}

function tagOf(node: YamlNode): string {
  return 'tag' in node && typeof node.tag === 'string' ? node.tag : '';
}
