import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deployFiles, gateProject, type AllowanceUse, type DeployPolicy, type Finding, type GateOutcome } from '../../analyze/index.js';
import type { AnalysisPreview, DeploymentFinding } from '../../contract/index.js';
import { readZip, safePath, writeZip, ZipError, type ZipEntry } from './zip.js';

export interface PackageLimits {
  maxArchiveBytes: number;
  maxExpandedBytes: number;
  maxEntries: number;
  /** Unpacked over packed size, once past 1 MiB. */
  maxRatio: number;
}

export interface InspectOptions {
  limits: PackageLimits;
  /** The remote-deploy policy, as the agents apply it (docs/security.md). */
  policy: DeployPolicy;
  version: string;
}

/** A package ready for an agent: the ZIP machine-lab agents take, and what the analyzer found. */
export interface InspectedPackage {
  zip: Buffer;
  findings: DeploymentFinding[];
  /** Operator allowances the package used: each one goes to the audit. */
  allowed: AllowanceUse[];
}

/** Why a package is refused; `findings` when the analysis gate refused it. */
export class PackageError extends Error {
  constructor(
    message: string,
    readonly findings?: DeploymentFinding[],
    readonly allowed: AllowanceUse[] = [],
  ) {
    super(message);
    this.name = 'PackageError';
  }
}

const COMPOSE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

/**
 * An uploaded ZIP (machine-lab's launch), as a file the upload was spooled to or in memory: its
 * compose file at the top, or in the one folder it holds, as the agent runs it.
 */
export async function inspectZip(archive: Buffer | string, options: InspectOptions): Promise<InspectedPackage> {
  const size = typeof archive === 'string' ? (await stat(archive)).size : archive.length;
  if (size > options.limits.maxArchiveBytes) throw new PackageError(`the package is larger than ${options.limits.maxArchiveBytes} bytes`);
  let entries: ZipEntry[];
  try {
    entries = await readZip(archive, options.limits);
  } catch (err) {
    throw new PackageError(err instanceof ZipError ? `bad ZIP package: ${err.message}` : 'bad ZIP package');
  }
  const analysis = await analyzeEntries(entries, options);
  return { zip: typeof archive === 'string' ? await readFile(archive) : archive, ...analysis };
}

/** `POST /deployments`: a compose file and the files next to it, packed into the same ZIP. */
export async function packCompose(
  compose: string,
  files: Readonly<Record<string, string>>,
  encoding: 'utf8' | 'base64',
  options: InspectOptions,
): Promise<InspectedPackage> {
  const entries = composeEntries(compose, files, encoding, options);
  return { zip: writeZip(entries), ...(await analyzeEntries(entries, options)) };
}

/**
 * What the gate would decide on a compose file and its files, with the analysis it decided on:
 * `POST /analyze/preview`. A package that cannot be analyzed at all is a PackageError, as at
 * deploy time.
 */
export async function previewCompose(
  compose: string,
  files: Readonly<Record<string, string>>,
  encoding: 'utf8' | 'base64',
  options: InspectOptions,
): Promise<AnalysisPreview> {
  const outcome = await gateEntries(composeEntries(compose, files, encoding, options), options);
  const environment = outcome.report.projects[0]?.environments[0];
  const blocking = outcome.blocking.map(toDeploymentFinding);
  return {
    decision: blocking.length > 0 ? 'refused' : 'accepted',
    gate: options.policy.threshold,
    message: blocking.length > 0 ? refusal(outcome, options) : null,
    blocking,
    findings: outcome.findings.map((f) => ({ ...toDeploymentFinding(f), severity: f.severity, fix: f.fix ?? null })),
    scores: environment?.scores ?? { overall: 0, security: 0, production_readiness: 0 },
    files: environment?.files ?? [],
    services: (environment?.inventory.services ?? []).map((service) => ({
      name: service.name,
      image: service.image,
      ports: service.ports.map((p) => `${p.host_ip ? `${p.host_ip}:` : ''}${p.published ?? ''}${p.published ? ':' : ''}${p.target}/${p.protocol}`),
      exposure: service.exposure,
      security_level: service.security_level,
      user: service.user,
      healthcheck: service.healthcheck !== null,
      environment: Object.keys(service.environment),
    })),
    graph: environment?.graph ?? { startup_order: [], edges: [] },
  };
}

function composeEntries(compose: string, files: Readonly<Record<string, string>>, encoding: 'utf8' | 'base64', options: InspectOptions): ZipEntry[] {
  const entries: ZipEntry[] = [{ path: 'compose.yaml', data: Buffer.from(compose, 'utf8') }];
  let total = entries[0]!.data.length;
  const seen = new Set(['compose.yaml']);
  for (const [name, content] of Object.entries(files)) {
    let path: string;
    try {
      path = safePath(name);
    } catch (err) {
      throw new PackageError(`files: ${(err as Error).message}`);
    }
    if (COMPOSE_NAMES.includes(path)) throw new PackageError(`files: ${path} would compete with the compose file; send it as "compose"`);
    if (seen.has(path)) throw new PackageError(`files: ${path} is given twice`);
    seen.add(path);
    if (encoding === 'base64' && !/^[A-Za-z0-9+/]*={0,2}$/.test(content)) throw new PackageError(`files: ${path} is not base64`);
    const data = Buffer.from(content, encoding);
    total += data.length;
    if (total > options.limits.maxExpandedBytes) throw new PackageError(`the files add up to more than ${options.limits.maxExpandedBytes} bytes`);
    entries.push({ path, data });
  }
  if (entries.length > options.limits.maxEntries) throw new PackageError(`more than ${options.limits.maxEntries} files`);
  return entries;
}

/**
 * Writes the files to a scratch folder and applies the deploy gate there, on exactly the files
 * the agent will run (deployFiles): the package's `.shipshape.yml` and inline ignores are not
 * honoured, and nothing outside the folder is read.
 */
async function gateEntries(entries: readonly ZipEntry[], options: InspectOptions): Promise<GateOutcome> {
  const dir = await mkdtemp(join(tmpdir(), 'shipshape-manager-'));
  try {
    for (const entry of entries) {
      const target = join(dir, entry.path);
      try {
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, entry.data, { flag: 'wx' });
      } catch {
        throw new PackageError(`${entry.path}: cannot be unpacked (a file and a folder share the name?)`);
      }
    }
    const located = deployFiles(dir);
    if ('error' in located) throw new PackageError(`the package cannot be deployed: ${located.error}`);
    let outcome;
    try {
      outcome = gateProject({ dir: located.projectDir, files: located.files, policy: options.policy, version: options.version });
    } catch (err) {
      // As on the agent: a package the analyzer cannot read is refused, never a 500.
      throw new PackageError(`the package could not be analyzed: ${(err as Error).message}`);
    }
    if (outcome.problems.length > 0) {
      throw new PackageError(`the package cannot be analyzed: ${outcome.problems.map((p) => p.message).join('; ')}`);
    }
    return outcome;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The gate's decision on a package: its findings, or a PackageError with the ones that refuse it. */
async function analyzeEntries(entries: readonly ZipEntry[], options: InspectOptions): Promise<{ findings: DeploymentFinding[]; allowed: AllowanceUse[] }> {
  const outcome = await gateEntries(entries, options);
  if (outcome.blocking.length > 0) throw new PackageError(refusal(outcome, options), outcome.blocking.map(toDeploymentFinding), outcome.allowed);
  return { findings: outcome.findings.map(toDeploymentFinding), allowed: outcome.allowed };
}

function refusal(outcome: GateOutcome, options: InspectOptions): string {
  return (
    `the deploy policy refuses ${outcome.blocking.length} finding(s) (gate ${options.policy.threshold}; host-reaching rules at any severity): ` +
    outcome.blocking.slice(0, 3).map((f) => `${f.rule} at ${f.file}:${f.line}`).join(', ')
  );
}

function toDeploymentFinding(finding: Finding): DeploymentFinding {
  return {
    rule: finding.rule,
    severity: finding.severity,
    service: finding.service,
    file: finding.file,
    line: finding.line,
    column: finding.column,
    message: finding.message,
  };
}

/** The manager's package limits and remote-deploy policy, from its configuration: every deploy path checks with these. */
export function inspectOptionsOf(
  config: { maxPackageBytes: number; maxPackageExpandedBytes: number; maxPackageRatio: number; deployGate: DeployPolicy['threshold']; allowedHostPaths: string[]; gateAllowRules: string[] },
  version: string,
): InspectOptions {
  return {
    limits: { maxArchiveBytes: config.maxPackageBytes, maxExpandedBytes: config.maxPackageExpandedBytes, maxEntries: 10_000, maxRatio: config.maxPackageRatio },
    policy: { threshold: config.deployGate, remote: true, allowedHostPaths: config.allowedHostPaths, allowRules: config.gateAllowRules },
    version,
  };
}
