import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { analyze, RULES, SEVERITIES, type Finding } from '../../analyze/index.js';
import type { DeploymentFinding } from '../../contract/index.js';
import type { DeployGate } from '../config.js';
import { readZip, safePath, writeZip, ZipError, type ZipEntry } from './zip.js';

export interface PackageLimits {
  maxArchiveBytes: number;
  maxExpandedBytes: number;
  maxEntries: number;
}

export interface InspectOptions {
  limits: PackageLimits;
  gate: DeployGate;
  version: string;
}

/** A package ready for an agent: the ZIP machine-lab agents take, and what the analyzer found. */
export interface InspectedPackage {
  zip: Buffer;
  findings: DeploymentFinding[];
}

/** Why a package is refused; `findings` when the analysis gate refused it. */
export class PackageError extends Error {
  constructor(
    message: string,
    readonly findings?: DeploymentFinding[],
  ) {
    super(message);
    this.name = 'PackageError';
  }
}

const COMPOSE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

/** An uploaded ZIP (machine-lab's launch): its compose file must be at the top, as `docker compose up` runs there. */
export async function inspectZip(archive: Buffer, options: InspectOptions): Promise<InspectedPackage> {
  if (archive.length > options.limits.maxArchiveBytes) throw new PackageError(`the package is larger than ${options.limits.maxArchiveBytes} bytes`);
  let entries: ZipEntry[];
  try {
    entries = readZip(archive, options.limits);
  } catch (err) {
    throw new PackageError(err instanceof ZipError ? `bad ZIP package: ${err.message}` : 'bad ZIP package');
  }
  if (!entries.some((entry) => COMPOSE_NAMES.includes(entry.path))) {
    throw new PackageError(`the package has no compose file at its top (${COMPOSE_NAMES.join(', ')})`);
  }
  return { zip: archive, findings: await analyzeEntries(entries, options) };
}

/** `POST /deployments`: a compose file and the files next to it, packed into the same ZIP. */
export async function packCompose(
  compose: string,
  files: Readonly<Record<string, string>>,
  encoding: 'utf8' | 'base64',
  options: InspectOptions,
): Promise<InspectedPackage> {
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
  return { zip: writeZip(entries), findings: await analyzeEntries(entries, options) };
}

/** Writes the files to a scratch folder, analyzes the project there, and applies the gate. */
async function analyzeEntries(entries: readonly ZipEntry[], options: InspectOptions): Promise<DeploymentFinding[]> {
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
    const { report, problems } = analyze({ root: dir, rules: RULES, version: options.version, env: {} });
    const project = report.projects.find((p) => p.dir === '.');
    const environment = project?.environments.find((e) => e.name === 'base') ?? project?.environments[0];
    if (!environment) {
      const why = problems.map((p) => p.message).join('; ') || 'no compose project found';
      throw new PackageError(`the package cannot be analyzed: ${why}`);
    }
    const findings = environment.findings.map(toDeploymentFinding);
    if (options.gate !== 'never') {
      const limit = SEVERITIES.indexOf(options.gate);
      const blocking = findings.filter((f) => SEVERITIES.indexOf(f.severity as Finding['severity']) <= limit);
      if (blocking.length > 0) {
        throw new PackageError(
          `the analysis found ${blocking.length} problem(s) at or above the deploy gate (${options.gate}): ` +
            blocking.slice(0, 3).map((f) => `${f.rule} at ${f.file}:${f.line}`).join(', '),
          findings,
        );
      }
    }
    return findings;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
