import { lstat, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Finding } from '../analyze/index.js';
import type { AnalysisGate } from './config.js';

export interface GateResult {
  /** Findings at or above the gate: the deploy must not go on. */
  blocking: Finding[];
  /** Everything found, blocking or not, as the stack's record keeps it. */
  findings: Finding[];
}

export interface GateOptions {
  /** Stack folder (the project directory). */
  dir: string;
  /** Compose files, absolute, in merge order. */
  files: string[];
  gate: AnalysisGate;
  version: string;
  /** An analyzer config (`rules:` re-grades) chosen by the operator; the package's own is never read. */
  configFile: string;
  /** Where a scratch copy may be made (see below). */
  scratchDir: string;
}

/** Files bigger than this are not searched for inline suppressions; the analyzer reads config-sized files. */
const MAX_SCANNED_BYTES = 1 << 20;
const SUPPRESSION = /#\s*shipshape-ignore/;

/**
 * Analyzes a stack before it is deployed, as the package's author cannot influence: the
 * package's `.shipshape.yml` is not read (the operator's `configFile` is), the process
 * environment does not reach interpolation (it holds SERVER_KEY), and `# shipshape-ignore`
 * comments, which the author wrote, do not hide findings. When a file carries such a comment
 * the analysis runs on a mirror of the folder — links to the originals, with neutralized copies
 * of the files that have comments — so the stack's own files are never changed.
 */
export async function runGate(options: GateOptions): Promise<GateResult> {
  const suppressed = await filesWithSuppressions(options.dir);
  let root = options.dir;
  let mirror: string | undefined;
  if (suppressed.size > 0) {
    mirror = join(options.scratchDir, `analysis-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
    await buildMirror(options.dir, mirror, suppressed);
    root = mirror;
  }
  try {
    // Loaded on the first deploy: an idle agent does not carry the analyzer (docs/benchmarks.md).
    const { analyze, RULES, SEVERITIES } = await import('../analyze/index.js');
    const files = options.files.map((f) => join(root, relative(options.dir, f)));
    const { report, problems } = analyze({ root, files, rules: RULES, version: options.version, env: {}, configFile: options.configFile });
    if (problems.length > 0) {
      const message = problems.map((p) => p.message).join('; ');
      throw new Error(`analysis could not run: ${message}`);
    }
    const findings = report.projects.flatMap((p) => p.environments.flatMap((e) => e.findings));
    const limit = options.gate === 'never' ? -1 : SEVERITIES.indexOf(options.gate);
    return { blocking: findings.filter((f) => SEVERITIES.indexOf(f.severity) <= limit), findings };
  } finally {
    if (mirror) await rm(mirror, { recursive: true, force: true });
  }
}

/** Relative paths of regular files under `dir` that hold a `# shipshape-ignore` comment. */
async function filesWithSuppressions(dir: string): Promise<Set<string>> {
  const found = new Set<string>();
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile()) {
        const stat = await lstat(join(dir, child));
        if (stat.size > MAX_SCANNED_BYTES) continue;
        const text = await readFile(join(dir, child), 'utf8');
        if (SUPPRESSION.test(text)) found.add(child);
      }
    }
  };
  await walk('');
  return found;
}

async function buildMirror(source: string, target: string, neutralize: ReadonlySet<string>): Promise<void> {
  await mkdir(target, { recursive: true });
  for (const entry of await readdir(source, { withFileTypes: true })) {
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    if (entry.isDirectory()) {
      await buildMirror(from, to, new Set([...neutralize].filter((p) => p.startsWith(`${entry.name}/`)).map((p) => p.slice(entry.name.length + 1))));
    } else if (entry.isFile() && neutralize.has(entry.name)) {
      const text = await readFile(from, 'utf8');
      await writeFile(to, text.replace(/#(\s*)shipshape-ignore/g, '#$1(suppression not honored by the agent)'));
    } else {
      await symlink(from, to);
    }
  }
}
