import type { Diagnostic, LoadResult, Position, Project } from '../compose/index.js';

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export type Category = 'validation' | 'security' | 'reliability' | 'dockerfile';

/** A finding as the JSON report (format version 1) carries it. `file` is relative to the project dir. */
export interface Finding {
  rule: string;
  severity: Severity;
  service: string | null;
  file: string;
  line: number;
  column: number;
  message: string;
  fix: string | null;
}

export interface RuleDocs {
  /** One line: what the rule finds. */
  summary: string;
  /** Why it matters (one paragraph). */
  why: string;
  /** How to fix it. */
  fix: string;
  /** A compose (or Dockerfile) snippet that triggers the rule. */
  example: string;
}

/**
 * What a rule reports: a place in the model (`path`, mapped to file:line:column by the engine, so
 * rules never guess lines), or a place outside it (`at`: a Dockerfile, an `.env` or config file).
 */
export interface RawFinding {
  path?: readonly (string | number)[];
  at?: Position;
  service?: string | null;
  message: string;
  fix?: string | null;
}

/** The analyzed compose environment: one merged model plus everything a rule may need to read. */
export interface RuleContext {
  /** Absolute project directory. */
  dir: string;
  environment: { name: string; files: string[] };
  project: Project;
  load: LoadResult;
  /** Loader diagnostics (yaml, schema, references…); validation rules turn them into findings. */
  diagnostics: readonly Diagnostic[];
  /** For an overlay environment: the base model, to compare hardening. */
  base?: { project: Project; load: LoadResult };
  /** Reads a text file once per analysis run; undefined when missing or unreadable. */
  readText(path: string): string | undefined;
  exists(path: string): boolean;
  /** Names of the entries in a directory ([] when missing). */
  listDir(path: string): string[];
}

export interface Rule {
  id: string;
  severity: Severity;
  category: Category;
  docs: RuleDocs;
  check(ctx: RuleContext): RawFinding[];
}
