import { applyEdits, clean, unifiedDiff, type AnalyzeResult, type EditedFile, type TextEdit } from '../analyze/index.js';
import { checkReplaceable, replaceFile, shownPath, type Replaceable } from './safe-write.js';

type Fixes = NonNullable<AnalyzeResult['fixes']>;

export interface FixOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

/**
 * `analyze --fix [--dry-run]` (docs/fix.md): lists the fixes with the findings' own fix text,
 * shows the unified diff, then, unless it is a dry run, checks every file before writing any and
 * replaces each one whole. A refusal (link out, read-only, changed since read) is a UsageError
 * and leaves every file as it was.
 */
export function applyFixes(fixes: Fixes, dryRun: boolean, io: FixOutput): void {
  if (fixes.planned.length === 0) {
    io.err('nothing to fix: no finding has a behaviour-neutral fix (docs/fix.md)\n');
    return;
  }
  const byFile = new Map<string, { dir: string; edits: TextEdit[] }>();
  for (const planned of fixes.planned) {
    for (const edit of planned.edits) {
      const entry = byFile.get(edit.file) ?? { dir: planned.dir, edits: [] };
      entry.edits.push(edit);
      byFile.set(edit.file, entry);
    }
  }
  const edited: { file: string; dir: string; result: EditedFile }[] = [];
  for (const [file, { dir, edits }] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
    const source = fixes.sources.get(file);
    if (source === undefined) continue;
    edited.push({ file, dir, result: applyEdits(file, source, edits) });
  }
  const applied = new Set(edited.flatMap((e) => e.result.applied));
  const done = [...fixes.planned].sort((a, b) => a.edits[0]!.file.localeCompare(b.edits[0]!.file) || a.finding.line - b.finding.line).filter((p) => p.edits.every((e) => applied.has(e) || isDuplicateOf(e, applied)));
  const seen = new Set<string>();
  for (const p of done) {
    const line = `${shownPath(p.edits[0]!.file)}:${p.finding.line}:${p.finding.column}: ${p.finding.rule}: ${p.finding.fix ?? ''}`;
    if (seen.has(line)) continue;
    seen.add(line);
    io.err(`${clean(fixes.scrub(line))}\n`);
  }
  // The file's own text reaches the terminal: control characters are shown, never obeyed.
  for (const e of edited) io.out(printable(fixes.scrub(unifiedDiff(shownPath(e.file), e.result))));
  const changed = edited.filter((e) => e.result.applied.length > 0);
  const skipped = edited.reduce((n, e) => n + e.result.skipped.length, 0);
  const files = `${changed.length} file${changed.length === 1 ? '' : 's'}`;
  const later = skipped > 0 ? `; ${skipped} overlapping fix${skipped === 1 ? '' : 'es'} left for another run` : '';
  if (dryRun) {
    io.err(`dry run: ${seen.size} fix${seen.size === 1 ? '' : 'es'} in ${files}; nothing was written${later}\n`);
    return;
  }
  // Every file is checked before any is written: one refusal leaves all of them as they were.
  const targets: { target: Replaceable; before: string; after: string }[] = changed.map((e) => ({
    target: checkReplaceable(e.file, e.dir, e.result.before, shownPath(e.file)),
    before: e.result.before,
    after: e.result.after,
  }));
  for (const t of targets) replaceFile(t.target, t.after, t.before);
  io.err(`fixed ${seen.size} finding${seen.size === 1 ? '' : 's'} in ${files}: ${targets.map((t) => t.target.shown).join(', ')}${later}\n`);
}

/** The same edit planned by another environment, applied under the first one's object. */
function isDuplicateOf(edit: TextEdit, applied: ReadonlySet<TextEdit>): boolean {
  for (const a of applied) if (a.file === edit.file && a.start === edit.start && a.end === edit.end && a.text === edit.text) return true;
  return false;
}

/** Each line made safe for a terminal (see `clean`), line breaks kept. */
function printable(text: string): string {
  return text
    .split('\n')
    .map((line) => clean(line))
    .join('\n');
}
