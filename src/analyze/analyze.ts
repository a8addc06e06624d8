import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import {
  defaultServiceProbe,
  discoverProjects,
  loadProject,
  readShipshapeConfig,
  type DiscoveredProject,
  type Environment,
  type FileGuard,
  type LoadResult,
  type Project,
  type Service,
} from '../compose/index.js';
import { baselineFrom, fingerprint } from './baseline.js';
import { parseAnalyzerConfig, type AnalyzerConfig, type ConfigProblem } from './config.js';
import { buildContext } from './context.js';
import { securityLevel } from './exposure.js';
import { foldRootCauses, toFinding } from './findings.js';
import { buildGraph } from './graph.js';
import { isIgnored, parseIgnores, type InlineIgnore } from './ignores.js';
import { buildInventory } from './inventory.js';
import type { EnvironmentReport, ProjectReport, Report } from './report-types.js';
import { computeScores } from './scores.js';
import { scrubValues, secretValues } from './secret-values.js';
import { SEVERITIES, type Finding, type ImageFindings, type Rule, type RuleContext, type TextEdit } from './types.js';

export interface AnalyzeOptions {
  /** The directory (or compose file) to analyze. */
  root: string;
  /** Explicit compose files (`-f`), merged in order as one environment. */
  files?: readonly string[];
  /** Only these environments (`--env`); a name no project has is a problem (exit 2). */
  environments?: readonly string[];
  /** `--profile`: services of these profiles are analyzed too. */
  profiles?: readonly string[];
  /** `--config`; default `<root>/.shipshape.yml` when present. */
  configFile?: string;
  /**
   * Environments by name → their compose files (absolute, in merge order), instead of those the
   * folder's files or `.shipshape.yml` give; `base` is what the other environments are compared to.
   */
  environmentFiles?: Readonly<Record<string, readonly string[]>>;
  /** A previous JSON report whose findings are hidden. */
  baseline?: Report;
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * The project is not trusted to judge itself (a deploy gate): its inline `# shipshape-ignore`
   * comments and its own `.shipshape.yml` are not honoured at all; only `configFile` is read.
   */
  untrustedProject?: boolean;
  /** Files the loader and the rules may read; a remote deploy confines them to its package. */
  confine?: FileGuard;
  /** Host path prefixes the operator allows (host-path-escape reports their use as allowed). */
  allowedHostPaths?: readonly string[];
  rules: readonly Rule[];
  version: string;
  /** What `scan` read inside the project's images, by image reference (docs/scan.md). */
  images?: ReadonlyMap<string, ImageFindings>;
  onProgress?: (done: number, total: number, label: string) => void;
  /** Also plan the behaviour-neutral fixes of the reported findings (`analyze --fix`, docs/fix.md). */
  planFixes?: boolean;
}

/** A fix `analyze --fix` may apply: the finding it fixes (as reported) and its edits. */
export interface PlannedFix {
  finding: Finding;
  /** The project directory the finding's `file` is relative to. */
  dir: string;
  edits: readonly TextEdit[];
}

export interface AnalyzeResult {
  report: Report;
  /** Problems with the input itself (bad config, nothing to analyze): exit 2. */
  problems: ConfigProblem[];
  /** With `planFixes`: the fixes of the reported findings, and what masks secret values in what shows them. */
  fixes?: {
    planned: PlannedFix[];
    /** Each edited file's text as the rules read it: the edits' offsets are into this text. */
    sources: ReadonlyMap<string, string>;
    scrub(text: string): string;
  };
}

export function analyze(options: AnalyzeOptions): AnalyzeResult {
  const root = resolve(options.root);
  // `analyze path/compose.yaml` is the project of the file's folder.
  const rootDir = isDirectory(root) ? root : dirname(root);
  const problems: ConfigProblem[] = [];
  const known = new Set(options.rules.map((r) => r.id));
  const config = readConfig(root, options.configFile, known, problems, options.untrustedProject === true);
  const discovered = discoverProjects(root, defaultServiceProbe, {
    files: options.files ? [...options.files] : undefined,
    config: options.environmentFiles
      ? { environments: Object.fromEntries(Object.entries(options.environmentFiles).map(([k, v]) => [k, [...v]])) }
      : config.environments
        ? { environments: config.environments }
        : undefined,
  });
  for (const issue of discovered.issues) problems.push({ file: issue.file, line: 0, column: 0, message: issue.message });
  if (discovered.projects.length === 0 && problems.length === 0) {
    problems.push({ file: root, line: 0, column: 0, message: 'no compose file found here or below' });
  }

  const knownEnvironments = [...new Set(discovered.projects.flatMap((p) => p.environments.map((e) => e.name)))].sort();
  for (const name of options.environments ?? []) {
    if (!knownEnvironments.includes(name)) {
      const list = knownEnvironments.length > 0 ? knownEnvironments.join(', ') : 'none';
      problems.push({ file: root, line: 0, column: 0, message: `no environment named "${name}"; the environments here are: ${list}` });
    }
  }

  const baseline = options.baseline ? baselineFrom(options.baseline) : undefined;
  const fixes = options.planFixes ? { planned: [] as PlannedFix[], sources: new Map<string, string>(), secrets: new Set<string>() } : undefined;
  const total = discovered.projects.reduce((n, p) => n + p.environments.length, 0);
  let done = 0;
  const projects: ProjectReport[] = discovered.projects.map((project) => {
    const projectDir = relative(rootDir, project.dir) || '.';
    const environments = project.environments
      .filter((e) => !options.environments?.length || options.environments.includes(e.name))
      .map((environment) => {
        const report = analyzeEnvironment(project, environment, options, config.analyzer, projectDir, baseline, rootDir, fixes);
        options.onProgress?.(++done, total, `${projectDir} ${environment.name}`);
        return report;
      });
    return { dir: projectDir, environments };
  });
  const report: Report = { version: 1, tool: { name: 'shipshape', version: options.version }, projects };
  if (!fixes) return { report, problems };
  const secrets = [...fixes.secrets].sort((a, b) => b.length - a.length);
  return { report, problems, fixes: { planned: fixes.planned, sources: fixes.sources, scrub: (text) => scrubValues(text, secrets) } };
}

function readConfig(root: string, explicit: string | undefined, known: ReadonlySet<string>, problems: ConfigProblem[], untrusted: boolean) {
  if (untrusted && !explicit) return { analyzer: { rules: new Map() } as AnalyzerConfig, environments: undefined };
  // `analyze path/compose.yaml` reads the config of the file's folder.
  const folder = isDirectory(root) ? root : dirname(root);
  const dir = explicit || untrusted ? undefined : folder;
  const file = explicit ? resolve(explicit) : join(folder, '.shipshape.yml');
  const environmentsPart = dir ? readShipshapeConfig(dir) : undefined;
  if (environmentsPart?.issue) problems.push({ file: environmentsPart.issue.file, line: 0, column: 0, message: environmentsPart.issue.message });
  const text = readMaybe(file);
  if (explicit && text === undefined) problems.push({ file, line: 0, column: 0, message: 'config file not found' });
  const parsed = text === undefined ? { config: { rules: new Map() } as AnalyzerConfig, problems: [] } : parseAnalyzerConfig(text, file, known);
  problems.push(...parsed.problems);
  return { analyzer: parsed.config, environments: environmentsPart?.config?.environments };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return true;
  }
}

function readMaybe(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

const buildsCache = new WeakMap<DiscoveredProject, Map<string, NonNullable<Service['build']>>>();

/**
 * The images the project builds in any environment, by reference (`image:` with `build:`): an
 * overlay that builds what the base pulls (mailcow's BUILD_FLAGS) tells what that image is.
 */
function projectBuilds(project: DiscoveredProject, options: AnalyzeOptions): Map<string, NonNullable<Service['build']>> {
  let builds = buildsCache.get(project);
  if (!builds) {
    builds = new Map();
    for (const environment of project.environments) {
      const services = loadEnvironment(project, environment.files, options).project?.services ?? {};
      for (const service of Object.values(services)) {
        const image = typeof service.image === 'string' ? service.image.trim() : '';
        if (image !== '' && service.build && !builds.has(image)) builds.set(image, service.build);
      }
    }
    buildsCache.set(project, builds);
  }
  return builds;
}

const loadCache = new WeakMap<DiscoveredProject, Map<string, LoadResult>>();

function loadEnvironment(project: DiscoveredProject, files: readonly string[], options: AnalyzeOptions): LoadResult {
  let cache = loadCache.get(project);
  if (!cache) loadCache.set(project, (cache = new Map()));
  const key = files.join('\0');
  let load = cache.get(key);
  if (!load) {
    // `~` stays as written: the scanning user's home is not the deploy host's (docs/pipeline.md, "Host paths").
    load = loadProject({ workingDir: project.dir, files, env: options.env ?? process.env, profiles: options.profiles, home: null, confine: options.confine });
    cache.set(key, load);
  }
  return load;
}

function analyzeEnvironment(
  project: DiscoveredProject,
  environment: Environment,
  options: AnalyzeOptions,
  config: AnalyzerConfig,
  projectDir: string,
  baseline: Set<string> | undefined,
  rootDir: string,
  fixes?: { planned: PlannedFix[]; sources: Map<string, string>; secrets: Set<string> },
): EnvironmentReport {
  const load = loadEnvironment(project, environment.files, options);
  const files = environment.files.map((f) => relative(project.dir, f) || f);
  const baseEnv = project.environments.find((e) => e.name === 'base');
  const isOverlay =
    baseEnv !== undefined && environment !== baseEnv && baseEnv.files.every((f) => environment.files.includes(f));
  const baseLoad = isOverlay ? loadEnvironment(project, baseEnv.files, options) : undefined;
  const projectModel = load.project ?? emptyProject(project.dir, environment.files);
  const ctx = buildContext({
    dir: project.dir,
    roots: [rootDir, project.dir],
    environment: { name: environment.name, files: environment.files },
    load: { ...load, project: projectModel },
    base: baseLoad?.project ? { project: baseLoad.project, load: baseLoad } : undefined,
    confine: options.confine,
    allowedHostPaths: options.allowedHostPaths,
    untrusted: options.untrustedProject === true,
    projectBuilds: projectBuilds(project, options),
    images: options.images,
  });

  const secrets = secretValues(ctx);
  const edits: { finding: Finding; edits: readonly TextEdit[] }[] = [];
  const onEdits = fixes ? (finding: Finding, e: readonly TextEdit[]) => edits.push({ finding, edits: e }) : undefined;
  // Scrubbed before the baseline compares them: a baseline file holds the printed (scrubbed) messages.
  const hidden = (f: Finding) => baseline?.has(fingerprint(projectDir, environment.name, f)) === true;
  const findings = scrubValues(runRules(ctx, options.rules, config, { inlineIgnores: options.untrustedProject !== true, onEdits }), secrets).filter(
    (f) => !hidden(f),
  );
  if (fixes) {
    for (const s of secrets) fixes.secrets.add(s);
    // A finding the baseline hides is not fixed either: --fix changes what the report shows.
    for (const e of edits) {
      if (hidden(scrubValues(e.finding, secrets))) continue;
      fixes.planned.push({ finding: e.finding, dir: project.dir, edits: e.edits });
      for (const edit of e.edits) {
        const text = ctx.readText(edit.file);
        if (text !== undefined && !fixes.sources.has(edit.file)) fixes.sources.set(edit.file, text);
      }
    }
  }
  const inventory = buildInventory(ctx);
  const categories = new Map(options.rules.map((r) => [r.id, r.category]));
  const isSecurityRule = (id: string) => categories.get(id) === 'security';
  for (const service of inventory.services) {
    service.security_level = securityLevel(service.name, findings, service.exposure, isSecurityRule);
  }
  const exposure = new Map(inventory.services.map((s) => [s.name, s.exposure]));
  const scores = computeScores({
    findings,
    categoryOf: (id) => categories.get(id),
    exposureOf: (name) => exposure.get(name),
    serviceCount: inventory.services.length,
  });
  // Nothing secret leaves the analyzer, whatever the format (masking by value).
  return scrubValues({ name: environment.name, files, inventory, graph: buildGraph(ctx), findings, scores }, secrets);
}

/** Runs every enabled rule; findings are re-graded, suppressed by inline ignores, de-duplicated and sorted. */
export function runRules(
  ctx: RuleContext,
  rules: readonly Rule[],
  config: AnalyzerConfig,
  options: { inlineIgnores?: boolean; onEdits?: (finding: Finding, edits: readonly TextEdit[]) => void } = {},
): Finding[] {
  const honourIgnores = options.inlineIgnores !== false;
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const rule of rules) {
    const setting = config.rules.get(rule.id);
    if (setting === 'off') continue;
    for (const raw of rule.check(ctx)) {
      const finding = toFinding(rule, raw, ctx, setting ?? raw.severity ?? rule.severity);
      const key = `${finding.rule}\0${finding.file}\0${finding.line}\0${finding.column}\0${finding.message}`;
      if (seen.has(key) || (honourIgnores && suppressed(ctx, finding))) continue;
      seen.add(key);
      findings.push(finding);
      // Only a rule that declares its fix behaviour-neutral may have it applied (docs/fix.md).
      if (rule.fix?.safe && raw.edits && raw.edits.length > 0) options.onEdits?.({ ...finding }, raw.edits);
    }
  }
  const rank = (f: Finding) => SEVERITIES.indexOf(f.severity);
  return foldRootCauses(findings).sort((a, b) => rank(a) - rank(b) || a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

const ignoresByContext = new WeakMap<RuleContext, Map<string, readonly InlineIgnore[]>>();

function suppressed(ctx: RuleContext, f: Finding): boolean {
  if (!f.file || f.line === 0) return false;
  let files = ignoresByContext.get(ctx);
  if (!files) ignoresByContext.set(ctx, (files = new Map()));
  let ignores = files.get(f.file);
  if (!ignores) {
    const text = ctx.readText(resolve(ctx.dir, f.file));
    ignores = text !== undefined && text.includes('shipshape-ignore') ? parseIgnores(text) : [];
    files.set(f.file, ignores);
  }
  return isIgnored(ignores, f.rule, f.line);
}

/** A project with nothing in it, for an environment that did not load and for judging single services. */
export function emptyProject(dir: string, files: string[]): Project {
  return {
    name: '',
    working_dir: dir,
    files,
    services: {},
    networks: {},
    volumes: {},
    secrets: {},
    configs: {},
    disabled_services: {},
    extensions: {},
  };
}
