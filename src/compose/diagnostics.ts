export type Severity = 'error' | 'warning';

export interface Position {
  file: string;
  line: number;
  column: number;
}

export interface RelatedPosition extends Position {
  message: string;
}

/**
 * A problem found while loading. Returned as a value so that one run can show every problem;
 * the loader never throws.
 */
export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  file: string;
  line: number;
  column: number;
  related: RelatedPosition[];
}

export type DiagnosticCode =
  | 'yaml-syntax'
  | 'yaml-duplicate-key'
  | 'yaml-alias-limit'
  | 'yaml-merge-key'
  | 'yaml-tag'
  | 'schema'
  | 'file-not-found'
  | 'no-compose-file'
  | 'interpolation'
  | 'unset-variable'
  | 'env-file'
  | 'extends'
  | 'extends-cycle'
  | 'include'
  | 'include-conflict'
  | 'invalid-value'
  | 'profile'
  | 'undefined-network'
  | 'undefined-volume'
  | 'undefined-secret'
  | 'undefined-config'
  | 'unknown-dependency'
  /** A file the model refers to lies outside the folder the loader was confined to (LoadOptions.confine). */
  | 'outside-project';

export function diagnostic(
  code: DiagnosticCode,
  message: string,
  at: Position | undefined,
  options: { severity?: Severity; related?: RelatedPosition[] } = {},
): Diagnostic {
  return {
    code,
    severity: options.severity ?? 'error',
    message,
    file: at?.file ?? '',
    line: at?.line ?? 0,
    column: at?.column ?? 0,
    related: options.related ?? [],
  };
}

/** `file:line:column` as editors and terminals link it. */
export function formatPosition(p: Position): string {
  if (!p.file) return '<input>';
  return p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
}

export function formatDiagnostic(d: Diagnostic): string {
  const head = `${formatPosition(d)}: ${d.severity}: ${d.message} [${d.code}]`;
  const rest = d.related.map((r) => `\n  ${formatPosition(r)}: ${r.message}`).join('');
  return head + rest;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
