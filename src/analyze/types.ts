import type { Diagnostic, LoadResult, Position, Project, Service } from '../compose/index.js';
import type { CisId } from './cis/index.js';

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export type Category = 'validation' | 'security' | 'reliability' | 'dockerfile';

/** A finding as the JSON report (format version 1) carries it. `file` is relative to the project dir. */
export interface Finding {
  rule: string;
  severity: Severity;
  /** The first of `services` (kept for readers of format version 1); null when no service is concerned. */
  service: string | null;
  /**
   * Every service this one root cause concerns: a problem written once (an anchor, `extends`, an
   * included file) and inherited by several services is one finding (docs/scoring.md).
   */
  services: string[];
  file: string;
  line: number;
  column: number;
  message: string;
  fix: string | null;
  /**
   * The CIS Docker Benchmark v1.6.0 recommendations this finding fails (`5.5`), [] when none
   * (docs/rules/README.md, "CIS Docker Benchmark"). Optional only for readers of older reports.
   */
  cis?: string[];
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
  /**
   * This finding's own grade, at most: a finding built on a fact Shipshape cannot see is `info`
   * (docs/facts.md), a host path is graded by how sensitive it is. A config re-grade can lower it,
   * never raise it above this.
   */
  severity?: Severity;
  /** The CIS ids this finding fails, when a rule maps several and this finding only some; default the rule's. */
  cis?: readonly CisId[];
  /**
   * Text edits that fix this finding without changing what the project does; only a rule whose
   * `fix.safe` says so may give them (`analyze --fix`, docs/fix.md).
   */
  edits?: readonly TextEdit[];
}

/** Replace `[start, end)` of a file's text (as `readText` returned it) by `text`. */
export interface TextEdit {
  /** Absolute path. */
  file: string;
  start: number;
  end: number;
  text: string;
}

/** How a rule's findings can be fixed by `analyze --fix` (docs/fix.md). */
export interface RuleFix {
  /** The fix changes no behaviour, so `analyze --fix` applies it. */
  safe: true;
  /** What it edits and why that is behaviour-neutral (shown on the rule's page). */
  note: string;
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
  /** Host path prefixes the operator allows a remote stack to reach (ALLOWED_HOST_PATHS). */
  allowedHostPaths?: readonly string[];
  /**
   * The project is someone else's package on its way to a host (a deploy gate): the names it
   * gives itself are not the ones it will run under, so a fixed resource name is never its own.
   */
  untrusted?: boolean;
  /**
   * Images the project itself builds in any of its environments (`image:` and `build:` on one
   * service), by image reference: an environment that only pulls such an image reads its facts
   * from that Dockerfile (docs/facts.md).
   */
  projectBuilds?: ReadonlyMap<string, NonNullable<Service['build']>>;
  /**
   * What `shipshape scan` read inside the images the project uses, by image reference as the
   * services name them (docs/scan.md); absent for `analyze`, which never opens an image.
   */
  images?: ReadonlyMap<string, ImageFindings>;
}

export interface Rule {
  id: string;
  severity: Severity;
  category: Category;
  docs: RuleDocs;
  /** The CIS Docker Benchmark v1.6.0 recommendations the rule checks; absent when it corresponds to none. */
  cis?: readonly CisId[];
  /** Present when `analyze --fix` may apply the edits of its findings. */
  fix?: RuleFix;
  check(ctx: RuleContext): RawFinding[];
}

/** Known vulnerabilities and layer secrets of one image (docs/scan.md). */
export interface ImageFindings {
  /** One entry per vulnerable package, its advisories together. */
  vulnerabilities: ImageVulnerability[];
  secrets: ImageLayerSecret[];
  /** How many layers the image has. */
  layers: number;
}

export interface ImageVulnerability {
  /** OSV ecosystem: `Debian:12`, `npm`, … */
  ecosystem: string;
  package: string;
  version: string;
  /** The file inside the image that lists the package. */
  location: string;
  /** The lowest version that fixes every advisory, when each has a fix. */
  fixed: string | null;
  /** The highest of the advisories'. */
  severity: Severity;
  advisories: { id: string; aliases: string[]; severity: Severity; summary: string; fixed: string | null; url: string | null }[];
}

export interface ImageLayerSecret {
  /** 1-based, bottom first. */
  layer: number;
  path: string;
  line: number;
  what: string;
  /** At most its first two characters. */
  masked: string;
  /** Deleted or replaced by a later layer: not in the container, still in the image. */
  removed: boolean;
}
