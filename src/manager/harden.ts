import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { deployFiles, type Finding } from '../analyze/index.js';
import { confinedTo } from '../compose/index.js';
import type { DeploymentFinding, HardenPreview } from '../contract/index.js';
import { HardenError, hardenProject, type HardenOutcome } from '../harden/index.js';
import { PackageError, readZip, writeZip, ZipError, type PackageLimits, type ZipEntry } from './package/index.js';

/** The overlay's name in the package: the override file the agent reads after the compose file (deployFiles). */
export const HARDENED_FILE = 'compose.override.yaml';

export interface HardenedPackage {
  preview: HardenPreview;
  /** The package with the overlay added beside its compose file. */
  zip: Buffer;
  /** The package's files, relative to its project folder as compose files name them (`./secrets/x.txt`). */
  files: Set<string>;
}

/**
 * Hardens a deployment's package from its files alone (the manager has no engine to verify on):
 * unpacked into a scratch folder, read confined to it as the deploy gate reads it, the overlay
 * planned and written as the package's override file, and the findings compared with and without it.
 */
export async function hardenPackage(zip: Buffer, limits: PackageLimits): Promise<HardenedPackage> {
  let entries: ZipEntry[];
  try {
    entries = await readZip(zip, limits);
  } catch (err) {
    throw new PackageError(err instanceof ZipError ? `bad ZIP package: ${err.message}` : 'bad ZIP package');
  }
  const scratch = await mkdtemp(join(tmpdir(), 'shipshape-harden-'));
  try {
    for (const entry of entries) {
      const target = join(scratch, entry.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, entry.data, { flag: 'wx' });
    }
    const located = deployFiles(scratch);
    if ('error' in located) throw new PackageError(`the package cannot be hardened: ${located.error}`);
    if (located.files.length > 1) {
      const own = relative(located.projectDir, located.files[1]!);
      throw new PackageError(`the package has its own override file (${own}); harden adds the overlay as ${HARDENED_FILE}, so merge the two by hand or deploy without it`);
    }
    const output = join(located.projectDir, HARDENED_FILE);
    let outcome: HardenOutcome;
    try {
      outcome = await hardenProject({
        target: { dir: located.projectDir, baseFiles: located.files, files: located.files, environment: 'base', confine: confinedTo([scratch]) },
        output,
        // Someone else's package: no variable of the manager's environment reaches it.
        env: {},
      });
    } catch (err) {
      if (err instanceof HardenError) throw new PackageError(err.message);
      throw err;
    }
    const path = relative(scratch, output).split(sep).join('/');
    const files = new Set(entries.map((e) => `./${relative(located.projectDir, join(scratch, e.path)).split(sep).join('/')}`));
    return { preview: previewOf(outcome, path), zip: writeZip([...entries, { path, data: Buffer.from(outcome.overlay, 'utf8') }]), files };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function previewOf(outcome: HardenOutcome, path: string): HardenPreview {
  const { assessment: a, plan } = outcome;
  return {
    file_name: path,
    overlay: outcome.overlay,
    scores: { before: a.before.scores, after: a.after.scores },
    findings: {
      before: a.before.findings,
      after: a.after.findings,
      fixed: a.fixed.map(wire),
      remaining: a.remaining.map((r) => ({ finding: wire(r.finding), reason: r.reason })),
      pending: a.pending.map((r) => ({ finding: wire(r.finding), reason: r.reason })),
      added: a.added.map(wire),
    },
    not_applied: Object.values(plan.services).flatMap((s) => s.skipped.map((k) => ({ service: s.name, hardening: k.kind, reason: k.reason }))),
    secret_files: Object.values(plan.secrets).filter((s) => s.file.startsWith('./secrets/')).map((s) => s.file),
    required_variables: plan.requiredVariables,
    verified: false,
  };
}

function wire(f: Finding): DeploymentFinding {
  return { rule: f.rule, severity: f.severity, service: f.service, file: f.file, line: f.line, column: f.column, message: f.message };
}
