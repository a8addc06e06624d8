import type { TextEdit } from '../types.js';

/** One file's text after its edits; edits that overlap an earlier one are left for the next run. */
export interface EditedFile {
  file: string;
  before: string;
  after: string;
  applied: TextEdit[];
  skipped: TextEdit[];
}

/**
 * Applies the edits of one file to its text. The same edit planned by several environments is
 * applied once; an edit overlapping another is skipped (running `--fix` again applies it to the
 * new text), so no edit ever lands on text another one moved.
 */
export function applyEdits(file: string, before: string, edits: readonly TextEdit[]): EditedFile {
  const unique = new Map<string, TextEdit>();
  for (const e of edits) if (e.file === file) unique.set(`${e.start}:${e.end}:${e.text}`, e);
  const sorted = [...unique.values()].sort((a, b) => a.start - b.start || a.end - b.end);
  const applied: TextEdit[] = [];
  const skipped: TextEdit[] = [];
  let out = '';
  let at = 0;
  for (const e of sorted) {
    if (e.start < at || e.end < e.start || e.end > before.length) {
      skipped.push(e);
      continue;
    }
    out += before.slice(at, e.start) + e.text;
    at = e.end;
    applied.push(e);
  }
  return { file, before, after: out + before.slice(at), applied, skipped };
}

const CONTEXT = 3;

/**
 * A unified diff (`diff -u`) of one file, built from the edits themselves: each edit widened to
 * whole lines is one change, and changes closer than twice the context share a hunk.
 */
export function unifiedDiff(label: string, edited: EditedFile): string {
  if (edited.applied.length === 0) return '';
  const oldLines = splitLines(edited.before);
  const starts = lineStarts(edited.before);
  const lineOf = (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  // Each change: old lines [from, to) replaced by new lines.
  const changes = edited.applied.map((e) => {
    const from = lineOf(e.start);
    const to = e.end > e.start && starts.includes(e.end) ? lineOf(e.end - 1) + 1 : lineOf(e.end) + 1;
    const lineStart = starts[from]!;
    const lineEnd = to < starts.length ? starts[to]! : edited.before.length;
    const replaced = edited.before.slice(lineStart, e.start) + e.text + edited.before.slice(e.end, lineEnd);
    return { from, to: Math.min(to, oldLines.length), lines: splitLines(replaced) };
  });
  const hunks: (typeof changes)[] = [];
  for (const c of changes) {
    const last = hunks.at(-1);
    if (last && c.from - last.at(-1)!.to <= 2 * CONTEXT) last.push(c);
    else hunks.push([c]);
  }
  // git's a/ and b/ for a relative path; an absolute one stands as it is.
  const out = label.startsWith('/') ? [`--- ${label}`, `+++ ${label}`] : [`--- a/${label}`, `+++ b/${label}`];
  let shift = 0;
  for (const hunk of hunks) {
    const start = Math.max(0, hunk[0]!.from - CONTEXT);
    const end = Math.min(oldLines.length, hunk.at(-1)!.to + CONTEXT);
    const body: string[] = [];
    let at = start;
    let added = 0;
    let removed = 0;
    for (const c of hunk) {
      for (; at < c.from; at++) body.push(` ${oldLines[at]}`);
      for (; at < c.to; at++, removed++) body.push(`-${oldLines[at]}`);
      for (const line of c.lines) {
        body.push(`+${line}`);
        added++;
      }
    }
    for (; at < end; at++) body.push(` ${oldLines[at]}`);
    const oldCount = end - start;
    const newCount = oldCount - removed + added;
    const range = (first: number, count: number) => (count === 0 ? `${first - 1},0` : count === 1 ? `${first}` : `${first},${count}`);
    out.push(`@@ -${range(start + 1, oldCount)} +${range(start + 1 + shift, newCount)} @@`, ...body);
    shift += added - removed;
  }
  return `${out.join('\n')}\n`;
}

/** Lines without their breaks; a final line break does not make an empty last line. */
function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => l.replace(/\r$/, ''));
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0 && i + 1 < text.length; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
