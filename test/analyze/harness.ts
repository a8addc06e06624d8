import { loadProject } from '../../src/compose/index.js';
import { buildContext } from '../../src/analyze/context.js';
import { toFinding } from '../../src/analyze/findings.js';
import type { Finding, ImageFindings, Rule } from '../../src/analyze/types.js';
import { writeTree } from '../helpers/tmp.js';

export interface RuleCase {
  /** Files of the project; the first compose file is the base. */
  files: Record<string, string>;
  /** Compose files to load, in order (default: compose's default discovery). */
  compose?: string[];
  /** Files of the base environment, for overlay rules (dev-override-weakens-security…). */
  base?: string[];
  env?: Record<string, string>;
  /** What `scan` read inside images, by reference. */
  images?: ReadonlyMap<string, ImageFindings>;
}

/** Runs one rule on a throwaway project; findings are as the JSON report carries them. */
export function runRule(rule: Rule, c: RuleCase): Finding[] {
  const dir = writeTree(c.files);
  const files = c.compose?.map((f) => `${dir}/${f}`);
  const load = loadProject({ workingDir: dir, files, env: c.env ?? {} });
  if (!load.project) throw new Error(`fixture did not load: ${JSON.stringify(load.diagnostics)}`);
  const base = c.base ? loadProject({ workingDir: dir, files: c.base.map((f) => `${dir}/${f}`), env: c.env ?? {} }) : undefined;
  const ctx = buildContext({
    dir,
    environment: { name: c.base ? 'overlay' : 'base', files: load.project.files },
    load: { ...load, project: load.project },
    base: base?.project ? { project: base.project, load: base } : undefined,
    images: c.images,
  });
  return rule.check(ctx).map((raw) => toFinding(rule, raw, ctx));
}

/** `line:column` of each finding, for compact assertions. */
export const places = (findings: Finding[]): string[] => findings.map((f) => `${f.file}:${f.line}:${f.column}`);
