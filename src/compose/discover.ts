import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments, parseDocument, type Document } from 'yaml';

/** One way to run a project: the compose files `docker compose -f … -f …` would get, in merge order. */
export interface Environment {
  name: string;
  /** Absolute paths, in merge order. */
  files: string[];
}

export interface DiscoveredProject {
  /** Absolute. */
  dir: string;
  environments: Environment[];
}

export interface DiscoveryIssue {
  file: string;
  message: string;
}

export interface DiscoveryResult {
  projects: DiscoveredProject[];
  issues: DiscoveryIssue[];
}

/** Top-level names of a compose file: what it defines, or what its services use. */
export interface ComposeNames {
  services: string[];
  networks: string[];
  volumes: string[];
}

/** What discovery needs to know of one compose file to tell an overlay from a standalone file. */
export interface ProbedFile {
  /** Its services, and whether each has `image`, `build` or `extends`. */
  services: { name: string; hasImageOrBuild: boolean }[];
  defines: ComposeNames;
  /** Services (`depends_on`, links, `service:` namespaces, `volumes_from`), networks and named volumes its services use. */
  uses: ComposeNames;
}

/** Reads one compose file for discovery; undefined when it cannot be read. */
export type ServiceProbe = (file: string) => ProbedFile | undefined;

/** The `environments` key of `.shipshape.yml`: environment name → files relative to its folder. */
export interface ShipshapeConfig {
  environments?: Record<string, string[]>;
}

// compose-go cli/options.go, DefaultFileNames and DefaultOverrideFileNames, in its order of preference.
const DEFAULT_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
const OVERRIDE_FILE_NAMES = [
  'compose.override.yml',
  'compose.override.yaml',
  'docker-compose.override.yml',
  'docker-compose.override.yaml',
];

const CONFIG_FILE_NAME = '.shipshape.yml';
const BASE = 'base';
const MAX_DEPTH = 10;
const SKIPPED_FOLDERS = new Set(['.git', 'node_modules']);

// A separator is required after the prefix so that `composer.yaml` and the like are not taken for compose files.
const COMPOSE_FILE_NAME = /^(docker-compose|compose)(?:[.\-_](.+))?\.(yaml|yml)$/;
// `dev-compose.yml`, `prod.docker-compose.yaml`: the environment's name comes first.
const PREFIXED_COMPOSE_FILE_NAME = /^(.+?)[.\-_](docker-compose|compose)\.(yaml|yml)$/;

/** The environment a compose file's name gives (`compose.prod.yaml`, `prod-compose.yml` → `prod`); undefined for default names. */
function environmentOfName(fileName: string): string | undefined {
  return COMPOSE_FILE_NAME.exec(fileName)?.[2] ?? PREFIXED_COMPOSE_FILE_NAME.exec(fileName)?.[1];
}

function isComposeFileName(fileName: string): boolean {
  return COMPOSE_FILE_NAME.test(fileName) || PREFIXED_COMPOSE_FILE_NAME.test(fileName);
}

/** What `docker compose` uses with no `-f` in `dir`: the preferred default file and the preferred override. */
export function findDefaultComposeFiles(dir: string): string[] {
  const abs = path.resolve(dir);
  const base = DEFAULT_FILE_NAMES.find((name) => isFile(path.join(abs, name)));
  if (base === undefined) return [];
  const override = OVERRIDE_FILE_NAMES.find((name) => isFile(path.join(abs, name)));
  return override === undefined ? [path.join(abs, base)] : [path.join(abs, base), path.join(abs, override)];
}

/**
 * Finds the projects under `root` and their environments (docs/pipeline.md, "Environments").
 * `-f` files win over a config's environments, which win over discovery by file names.
 */
export function discoverProjects(
  root: string,
  probeFile: ServiceProbe,
  options: { files?: string[]; config?: ShipshapeConfig } = {},
): DiscoveryResult {
  // A base file is probed once for every overlay candidate around it.
  const probed = new Map<string, ProbedFile | undefined>();
  const probe: ServiceProbe = (file) => {
    if (!probed.has(file)) probed.set(file, probeFile(file));
    return probed.get(file);
  };
  const issues: DiscoveryIssue[] = [];
  const abs = path.resolve(root);
  let rootStat: fs.Stats;
  try {
    rootStat = fs.statSync(abs);
  } catch (err) {
    return { projects: [], issues: [{ file: abs, message: describeFsError(err) }] };
  }
  const dir = rootStat.isDirectory() ? abs : path.dirname(abs);

  if (options.files !== undefined && options.files.length > 0) {
    const files = options.files.map((f) => (f === '-' ? f : path.resolve(dir, f)));
    for (const f of files) {
      if (f !== '-' && !isFile(f)) issues.push({ file: f, message: describeMissing(f) });
    }
    return { projects: [{ dir, environments: [{ name: BASE, files }] }], issues };
  }

  if (!rootStat.isDirectory()) {
    return { projects: [{ dir, environments: [{ name: BASE, files: [abs] }] }], issues };
  }

  const entries = readFolder(dir, issues);
  if (entries === undefined) return { projects: [], issues };

  const config = options.config ?? configOf(dir, entries, issues);
  if (config?.environments !== undefined) {
    return { projects: [projectFromConfig(dir, config.environments, issues)], issues };
  }

  const projects: DiscoveredProject[] = [];
  const atTop = projectFromNames(dir, entries, probe, issues);
  if (atTop !== undefined) projects.push(atTop);
  // Depth-first over sorted folders yields projects sorted by path, a folder before its subfolders.
  for (const child of subfolders(dir, entries)) walk(child, 1, probe, projects, issues, baseOwner(atTop, undefined));
  if (projects.length === 0) {
    issues.push({
      file: dir,
      message: `no compose file found here or in its subfolders (looked for ${DEFAULT_FILE_NAMES.join(', ')} and other compose*.y(a)ml / docker-compose*.y(a)ml files)`,
    });
  }
  return { projects, issues };
}

/** Reads the `environments` key of `dir/.shipshape.yml`. No file is no config and no issue. */
export function readShipshapeConfig(dir: string): { config?: ShipshapeConfig; issue?: DiscoveryIssue } {
  const file = path.join(path.resolve(dir), CONFIG_FILE_NAME);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return {};
    return { issue: { file, message: `cannot read: ${describeFsError(err)}` } };
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    const pos = lineCounter.linePos(firstError.pos[0]);
    return { issue: { file, message: `invalid YAML at line ${pos.line}, column ${pos.col}: ${firstError.message}` } };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { issue: { file, message: `invalid YAML: ${(err as Error).message}` } };
  }

  if (value === null || value === undefined) return { config: {} };
  if (!isPlainObject(value)) return { issue: { file, message: `the file must be a mapping, not ${describeValue(value)}` } };
  const environments = value['environments'];
  if (environments === undefined || environments === null) return { config: {} };
  if (!isPlainObject(environments)) {
    return {
      issue: {
        file,
        message: `\`environments\` must be a mapping of environment name to a list of files, not ${describeValue(environments)}`,
      },
    };
  }

  const problems: string[] = [];
  const checked: Record<string, string[]> = {};
  for (const [name, files] of Object.entries(environments)) {
    if (!Array.isArray(files)) {
      problems.push(`\`environments.${name}\` must be a list of file names, not ${describeValue(files)}`);
    } else if (files.length === 0) {
      problems.push(`\`environments.${name}\` must name at least one file`);
    } else if (!files.every((f): f is string => typeof f === 'string' && f !== '')) {
      problems.push(`\`environments.${name}\` must be a list of file names (non-empty strings)`);
    } else {
      checked[name] = files;
    }
  }
  if (problems.length > 0) return { issue: { file, message: problems.join('; ') } };
  return { config: { environments: checked } };
}

/**
 * Reads a compose file without the loader: top-level `services` and whether each has `image` or
 * `build`. Naive on purpose — it only classifies overlays; the loader reports anything wrong.
 */
export const defaultServiceProbe: ServiceProbe = (file) => {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const docs = parseAllDocuments(text, { merge: false, uniqueKeys: false, prettyErrors: false });
  if (docs.some((doc) => doc.errors.length > 0)) return undefined;

  // Compose merges the documents of one file, so a service is complete if any document completes it.
  const services = new Map<string, boolean>();
  const defines: ComposeNames = { services: [], networks: [], volumes: [] };
  const uses: ComposeNames = { services: [], networks: [], volumes: [] };
  for (const doc of docs) {
    const top = entriesOf(doc, doc.contents, 0);
    defines.networks.push(...entriesOf(doc, top.get('networks'), 0).keys());
    defines.volumes.push(...entriesOf(doc, top.get('volumes'), 0).keys());
    for (const [name, service] of entriesOf(doc, top.get('services'), 0)) {
      const entries = entriesOf(doc, service, 0);
      const complete = [...entries].some(([key, value]) => SELF_SUFFICIENT_KEYS.has(key) && !(isNodeLike(value) && value.tag === '!reset'));
      services.set(name, (services.get(name) ?? false) || complete);
      usedNames(doc, entries, uses);
    }
  }
  defines.services.push(...services.keys());
  uses.networks = uses.networks.filter((n) => n !== 'default');
  return { services: [...services].map(([name, hasImageOrBuild]) => ({ name, hasImageOrBuild })), defines, uses };
};

const NAMED_VOLUME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** The services, networks and named volumes one service's entries use. */
function usedNames(doc: Document, entries: Map<string, unknown>, uses: ComposeNames): void {
  const words = (node: unknown): string[] => {
    const target = isAlias(node) ? node.resolve(doc) : node;
    if (isMap(target)) return [...entriesOf(doc, target, 0).keys()];
    if (isSeq(target)) return target.items.flatMap((i) => (isScalar(i) ? [String(i.value)] : []));
    return isScalar(target) ? [String(target.value)] : [];
  };
  uses.services.push(...words(entries.get('depends_on')));
  uses.services.push(...words(entries.get('links')).map((l) => l.split(':')[0] ?? l));
  uses.services.push(...words(entries.get('volumes_from')).filter((v) => !v.startsWith('container:')).map((v) => v.split(':')[0] ?? v));
  for (const key of ['network_mode', 'ipc', 'pid']) {
    for (const mode of words(entries.get(key))) if (mode.startsWith('service:')) uses.services.push(mode.slice('service:'.length));
  }
  uses.networks.push(...words(entries.get('networks')));
  const volumes = entries.get('volumes');
  const list = isAlias(volumes) ? volumes.resolve(doc) : volumes;
  if (!isSeq(list)) return;
  for (const item of list.items) {
    let source: string | undefined;
    if (isScalar(item)) {
      const parts = String(item.value).split(':');
      source = parts.length > 1 ? parts[0] : undefined;
    } else if (isMap(item)) {
      const node = entriesOf(doc, item, 0).get('source');
      source = isScalar(node) ? String(node.value) : undefined;
    }
    if (source !== undefined && NAMED_VOLUME.test(source)) uses.volumes.push(source);
  }
}

// `extends` brings the image or build of the service it extends, so such a service stands on its own.
const SELF_SUFFICIENT_KEYS = new Set(['image', 'build', 'extends']);
const MAX_MERGE_DEPTH = 20;

/** A mapping's entries with `<<` merges followed naively (own keys win); empty for anything else. */
function entriesOf(doc: Document, node: unknown, depth: number): Map<string, unknown> {
  const entries = new Map<string, unknown>();
  const target = isAlias(node) ? node.resolve(doc) : node;
  if (depth > MAX_MERGE_DEPTH || !isMap(target)) return entries;
  const merged: unknown[] = [];
  for (const pair of target.items) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    if (key === '<<' && pair.key.type === 'PLAIN') {
      const source = isAlias(pair.value) ? pair.value.resolve(doc) : pair.value;
      if (isSeq(source)) merged.push(...source.items);
      else merged.push(source);
    } else if (!entries.has(key)) {
      entries.set(key, pair.value);
    }
  }
  for (const source of merged) {
    for (const [key, value] of entriesOf(doc, source, depth + 1)) {
      if (!entries.has(key)) entries.set(key, value);
    }
  }
  return entries;
}

function isNodeLike(value: unknown): value is { tag?: string } {
  return typeof value === 'object' && value !== null;
}

/** The nearest project above a folder that has a base environment, which overlays in the folder extend. */
interface BaseOwner {
  project: DiscoveredProject;
  base: Environment;
}

function baseOwner(project: DiscoveredProject | undefined, above: BaseOwner | undefined): BaseOwner | undefined {
  const base = project?.environments.find((e) => e.name === BASE);
  return project && base ? { project, base } : above;
}

/**
 * Moves the standalone files of a sub-folder that are overlays of the project above (they use its
 * services, networks or volumes) into that project, as environments named after their folder:
 * `deploy/compose.prod.yaml` → `deploy/prod`, `deploy/docker-compose.yml` → `deploy`. Like
 * `docker compose -f compose.yaml -f deploy/compose.prod.yaml`, their paths resolve against the
 * project's folder. Returns what stays a project of its own.
 */
function adoptOverlays(folder: DiscoveredProject, owner: BaseOwner | undefined, probe: ServiceProbe): DiscoveredProject | undefined {
  if (owner === undefined) return folder;
  const baseFile = owner.base.files[0];
  const baseProbe = baseFile === undefined ? undefined : probe(baseFile);
  const rel = path.relative(owner.project.dir, folder.dir).split(path.sep).join('/');
  const kept: Environment[] = [];
  for (const environment of folder.environments) {
    const file = environment.files.length === 1 ? environment.files[0] : undefined;
    // `docker-compose.override.yml` is an overlay by its very name, wherever it is kept.
    const named = /(^|[.\-_])override([.\-_]|$)/.test(environment.name);
    if (baseFile === undefined || file === undefined || !(named || isOverlayOf(probe(file), baseProbe))) {
      kept.push(environment);
      continue;
    }
    const name = environment.name === BASE ? rel : `${rel}/${environment.name}`;
    owner.project.environments.push({ name, files: [baseFile, ...completing(file, folder.environments, baseProbe, probe), file] });
  }
  return kept.length > 0 ? { dir: folder.dir, environments: kept } : undefined;
}

/**
 * An overlay of an overlay (`-f compose.yaml -f custom-domain.yaml -f custom-domain-ssl.yaml`):
 * when a file needs services, networks or volumes that neither it nor the base defines, the one
 * sibling file that defines them all goes between the two; when several do, the one whose name
 * the file's name extends. Nothing when none, or several that the names do not tell apart.
 */
function completing(file: string, siblings: readonly Environment[], base: ProbedFile | undefined, probe: ServiceProbe): string[] {
  const own = probe(file);
  if (own === undefined || base === undefined) return [];
  const known = (kind: keyof ComposeNames, name: string): boolean => own.defines[kind].includes(name) || base.defines[kind].includes(name);
  const needs: ComposeNames = {
    services: [...own.services.filter((s) => !s.hasImageOrBuild).map((s) => s.name), ...own.uses.services].filter((n) => !base.defines.services.includes(n)),
    networks: own.uses.networks.filter((n) => !known('networks', n)),
    volumes: own.uses.volumes.filter((n) => !known('volumes', n)),
  };
  if (needs.services.length + needs.networks.length + needs.volumes.length === 0) return [];
  const helpers = siblings
    .map((e) => e.files.length === 1 ? e.files[0] : undefined)
    .filter((f): f is string => f !== undefined && f !== file)
    .filter((f) => {
      const names = probe(f)?.defines;
      return names !== undefined && (['services', 'networks', 'volumes'] as const).every((k) => needs[k].every((n) => names[k].includes(n)));
    });
  if (helpers.length <= 1) return helpers;
  // Several define them (frappe's db: mariadb and postgres): the one whose name the file's name
  // extends is meant (`compose.mariadb-secrets.yaml` goes over `compose.mariadb.yaml`).
  const stem = (f: string) => path.basename(f).replace(/\.ya?ml$/i, '').replace(/^(docker-)?compose[.-]?/i, '');
  const mine = stem(file);
  const named = helpers.filter((f) => {
    const other = stem(f);
    return other !== '' && mine.startsWith(other) && /[-_.]/.test(mine.charAt(other.length));
  });
  return named.length === 1 ? named : [];
}

function walk(
  dir: string,
  depth: number,
  probe: ServiceProbe,
  projects: DiscoveredProject[],
  issues: DiscoveryIssue[],
  owner: BaseOwner | undefined,
): void {
  // Folders we may not read are usually container data (database volumes owned by another user):
  // reporting each would bury the real issues, so they are skipped silently.
  const entries = readFolder(dir, []);
  if (entries === undefined) return;
  const config = configOf(dir, entries, issues);
  if (config?.environments !== undefined) {
    // A folder that names its environments owns everything below it, as the root does.
    projects.push(projectFromConfig(dir, config.environments, issues));
    return;
  }
  const found = projectFromNames(dir, entries, probe, issues);
  const project = found === undefined ? undefined : adoptOverlays(found, owner, probe);
  if (project !== undefined) projects.push(project);
  if (depth >= MAX_DEPTH) return;
  for (const child of subfolders(dir, entries)) walk(child, depth + 1, probe, projects, issues, baseOwner(project, owner));
}

function configOf(dir: string, entries: fs.Dirent[], issues: DiscoveryIssue[]): ShipshapeConfig | undefined {
  if (!entries.some((e) => e.name === CONFIG_FILE_NAME)) return undefined;
  const { config, issue } = readShipshapeConfig(dir);
  if (issue !== undefined) issues.push(issue);
  return config;
}

function projectFromConfig(dir: string, environments: Record<string, string[]>, issues: DiscoveryIssue[]): DiscoveredProject {
  const result: Environment[] = [];
  for (const [name, relative] of Object.entries(environments)) {
    if (relative.length === 0) {
      issues.push({ file: path.join(dir, CONFIG_FILE_NAME), message: `environment "${name}" names no files` });
      continue;
    }
    const files = relative.map((f) => path.resolve(dir, f));
    const missing = files.filter((f) => !isFile(f));
    for (const f of missing) {
      issues.push({ file: f, message: `named in environment "${name}" of the Shipshape config, but ${describeMissing(f)}` });
    }
    // Merging only the files that exist would analyze a combination nobody deploys.
    if (missing.length === 0) result.push({ name, files });
  }
  return { dir, environments: result };
}

/** The project of one folder from its file names alone, or undefined when it holds no compose file. */
function projectFromNames(
  dir: string,
  entries: fs.Dirent[],
  probe: ServiceProbe,
  issues: DiscoveryIssue[],
): DiscoveredProject | undefined {
  const names = entries
    .filter((e) => isComposeFileName(e.name) && isFileEntry(dir, e))
    .map((e) => e.name)
    .sort(compareStrings);
  if (names.length === 0) return undefined;
  const present = new Set(names);

  const defaults = DEFAULT_FILE_NAMES.filter((n) => present.has(n));
  const baseName = defaults[0];
  const ignored = new Set<string>();
  let base: Environment | undefined;
  if (baseName !== undefined) {
    const overrides = OVERRIDE_FILE_NAMES.filter((n) => present.has(n));
    warnMultiple(dir, defaults, 'config files', issues);
    warnMultiple(dir, overrides, 'override files', issues);
    // Like compose, only the preferred base and override are used; the other candidates are ignored.
    for (const n of [...defaults, ...overrides]) ignored.add(n);
    const files = [path.join(dir, baseName)];
    if (overrides[0] !== undefined) files.push(path.join(dir, overrides[0]));
    base = { name: BASE, files };
  }

  const byName = new Map<string, string[]>();
  for (const fileName of names) {
    if (ignored.has(fileName)) continue;
    const envName = environmentOfName(fileName);
    if (envName === undefined) continue;
    byName.set(envName, [...(byName.get(envName) ?? []), fileName]);
  }

  const others: Environment[] = [];
  // Probing parses the file: a folder with only its base file (most of them) is never probed.
  const probeBase = () => (base?.files[0] === undefined ? undefined : probe(base.files[0]));
  for (const [envName, candidates] of byName) {
    const [chosen, ...rest] = candidates.sort(compareByPreference);
    if (chosen === undefined) continue;
    if (base !== undefined && envName === BASE) {
      for (const f of candidates) {
        issues.push({ file: path.join(dir, f), message: `ignored: its environment name "${BASE}" is taken by ${baseName}` });
      }
      continue;
    }
    for (const f of rest) {
      issues.push({ file: path.join(dir, f), message: `ignored: environment "${envName}" is already defined by ${chosen}` });
    }
    const file = path.join(dir, chosen);
    if (base === undefined || !isOverlayOf(probe(file), probeBase())) {
      others.push({ name: envName, files: [file] });
    } else {
      // Like `docker compose -f base -f overlay`, which does not pick up the override file.
      others.push({ name: envName, files: [base.files[0] ?? file, file] });
    }
  }
  others.sort((a, b) => compareStrings(a.name, b.name));
  return { dir, environments: base === undefined ? others : [base, ...others] };
}

/**
 * An overlay completes a base: it has a service without `image`/`build`, or its services use a
 * service, network or volume that only the base defines. Unreadable files are standalone: the
 * loader is the one to report them.
 */
function isOverlayOf(file: ProbedFile | undefined, base: ProbedFile | undefined): boolean {
  if (file === undefined) return false;
  if (file.services.some((s) => !s.hasImageOrBuild)) return true;
  if (base === undefined) return false;
  const onlyInBase = (kind: keyof ComposeNames): boolean =>
    file.uses[kind].some((name) => !file.defines[kind].includes(name) && base.defines[kind].includes(name));
  return onlyInBase('services') || onlyInBase('networks') || onlyInBase('volumes');
}

function warnMultiple(dir: string, found: string[], what: string, issues: DiscoveryIssue[]): void {
  if (found.length < 2) return;
  issues.push({
    file: path.join(dir, found[0] ?? ''),
    message: `found multiple ${what} with supported names (${found.join(', ')}); using ${found[0]}, as docker compose does`,
  });
}

/** Among files naming the same environment, prefer what compose prefers among its default names. */
function compareByPreference(a: string, b: string): number {
  return preferenceRank(a) - preferenceRank(b) || compareStrings(a, b);
}

function preferenceRank(fileName: string): number {
  const match = COMPOSE_FILE_NAME.exec(fileName);
  if (match === null) return DEFAULT_FILE_NAMES.length + 1;
  const rank = DEFAULT_FILE_NAMES.indexOf(`${match[1]}.${match[3]}`);
  return rank === -1 ? DEFAULT_FILE_NAMES.length : rank;
}

function subfolders(dir: string, entries: fs.Dirent[]): string[] {
  // Dirent reports a symlink as a symlink, never as a directory, so symlinked folders are not followed.
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !SKIPPED_FOLDERS.has(e.name))
    .map((e) => e.name)
    .sort(compareStrings)
    .map((name) => path.join(dir, name));
}

function readFolder(dir: string, issues: DiscoveryIssue[]): fs.Dirent[] | undefined {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    issues.push({ file: dir, message: describeFsError(err) });
    return undefined;
  }
}

function isFileEntry(dir: string, entry: fs.Dirent): boolean {
  if (entry.isFile()) return true;
  return entry.isSymbolicLink() && isFile(path.join(dir, entry.name));
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function describeMissing(file: string): string {
  try {
    return fs.statSync(file).isDirectory() ? 'it is a directory' : 'it is not a regular file';
  } catch (err) {
    return describeFsError(err);
  }
}

const FS_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
};

function describeFsError(err: unknown): string {
  const code = errorCode(err);
  return (code !== undefined ? FS_ERRORS[code] : undefined) ?? (err instanceof Error ? err.message : String(err));
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'a mapping';
  return `a ${typeof value}`;
}

/** Code-unit order, so the result does not depend on the machine's locale. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
