import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Project } from '../compose/index.js';
import type { Finding, ProgressEvent, StackDetail, StackStatus, StackSummary } from '../contract/index.js';
import { DockerError, DockerNotFoundError, type ContainerSummary, type DockerClient } from '../docker/index.js';
import {
  builtImageName,
  down,
  EngineError,
  LABEL,
  logs,
  replicaCount,
  restart,
  UnsupportedConfigError,
  up,
  type ProgressEvent as EngineProgress,
  type ServiceLogLine,
} from '../engine/index.js';
import type { DeployPolicy } from '../analyze/index.js';
import { conflict, HttpError, notFound, unprocessable } from './errors.js';
import type { LimitGuard } from './limits.js';
import type { WorkDirs } from './work-dirs.js';

export type StackSource = StackSummary['source'];
export type ProgressSink = (event: ProgressEvent) => void;

/** What the agent keeps about a deployed stack, in `state/<name>.json`. */
interface StackRecord {
  name: string;
  source: StackSource;
  created_at: string;
  updated_at: string;
  /** The compose project directory, relative to the stack folder ('' when it is the folder). */
  project_dir: string;
  /** Compose files, relative to the project directory. */
  files: string[];
  services: string[];
  findings: Finding[];
}

export interface DeployRequest {
  name: string;
  source: StackSource;
  /** Fills the stack's new, empty folder. */
  materialize: (dir: string) => Promise<void>;
  /** Build images that have a build section even when they exist. */
  build?: boolean;
}

export interface StackManagerOptions {
  dirs: WorkDirs;
  docker: DockerClient;
  limits: LimitGuard;
  /** The remote-deploy policy: the operator's ANALYSIS_GATE and allowances. */
  policy: DeployPolicy;
  /** The operator's analyzer config for the gate (ANALYSIS_CONFIG); the package's is never read. */
  gateConfigFile: string | undefined;
  version: string;
  log: FastifyBaseLogger;
}

/**
 * Stacks: compose projects deployed through the engine, each in `stacks/<name>/` with its
 * project name equal to its stack name, so `docker compose -p <name> ps` shows it too. A deploy
 * is all or nothing: when the gate, a limit or the engine refuses, the folder is removed and
 * no record remains. One operation at a time per stack.
 */
export class StackManager {
  private readonly busy = new Map<string, { operation: string; since: string }>();

  constructor(private readonly options: StackManagerOptions) {}

  /** How many stacks exist (for heartbeats and metrics). */
  async count(): Promise<number> {
    return (await this.records()).length;
  }

  async list(): Promise<StackSummary[]> {
    const records = await this.records();
    let containers: Map<string, ContainerSummary[]> | undefined;
    try {
      containers = groupByProject(await this.options.docker.containers.list({ all: true, filters: { label: [LABEL.project] } }));
    } catch (err) {
      if (!(err instanceof DockerError)) throw err;
    }
    const summaries = records.map((r) => summary(r, containers ? (containers.get(r.name) ?? []) : undefined, this.busy.get(r.name)?.operation));
    for (const [name, { operation, since }] of this.busy) {
      if (operation === 'deploy' && !records.some((r) => r.name === name)) {
        summaries.push({ name, status: 'deploying', source: 'compose', created_at: since, updated_at: since, containers: { running: 0, total: 0 } });
      }
    }
    return summaries.sort((a, b) => a.name.localeCompare(b.name));
  }

  async get(name: string): Promise<StackDetail> {
    const record = await this.record(name);
    if (!record) {
      if (this.busy.get(name)?.operation === 'deploy') throw conflict(`stack ${name} is being deployed`);
      throw notFound(`no stack ${name}`);
    }
    let containers: ContainerSummary[] | undefined;
    try {
      containers = await this.options.docker.containers.list({ all: true, filters: { label: [`${LABEL.project}=${name}`] } });
    } catch (err) {
      if (!(err instanceof DockerError)) throw err;
    }
    const services = record.services.map((service) => ({
      name: service,
      containers: (containers ?? [])
        .filter((c) => c.Labels[LABEL.service] === service && c.Labels[LABEL.oneoff] !== 'True')
        .map((c) => ({ id: c.Id, name: containerName(c), state: c.State, status: c.Status, health: healthOf(c.Status) })),
    }));
    return { ...summary(record, containers, this.busy.get(name)?.operation), services, findings: record.findings };
  }

  async deploy(request: DeployRequest, progress: ProgressSink = () => {}): Promise<StackDetail> {
    const { name } = request;
    const { dirs } = this.options;
    const release = this.claim(name, 'deploy');
    const stackDir = join(dirs.stacks, name);
    let created = false;
    let reservation: { release(): void } | undefined;
    try {
      if (await this.record(name)) throw conflict(`stack ${name} already exists; remove it first (DELETE /stacks/${name})`);
      try {
        await mkdir(stackDir);
        created = true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw conflict(`stack ${name} already exists (its folder is there); remove it first`);
        throw err;
      }
      await request.materialize(stackDir);
      const { projectDir, files } = await locateStack(stackDir);

      progress({ type: 'progress', message: `analyzing ${files.map((f) => relative(stackDir, f)).join(', ')}` });
      const gate = await this.gate(name, projectDir, files);
      if (gate.blocking.length > 0) {
        const { threshold } = this.options.policy;
        throw unprocessable(
          `deploy refused: ${gate.blocking.length} finding${gate.blocking.length === 1 ? '' : 's'} the deploy policy refuses (gate ${threshold}; ` +
            `host-reaching rules at any severity): ${summarize(gate.blocking)}`,
          { gate: threshold, findings: gate.blocking },
          'analysis_gate',
        );
      }

      const project = await loadStack(projectDir, files, name, this.options.policy.allowedHostPaths);
      const replicas = Object.values(project.services).reduce((n, s) => n + replicaCount(s), 0);
      reservation = await this.options.limits.reserve(replicas);

      progress({ type: 'progress', message: `deploying ${Object.keys(project.services).length} services` });
      await up(project, { docker: this.options.docker, build: request.build ?? false, removeOrphans: true, onProgress: (e) => progress(toProgress(e)) }).catch(
        (err: unknown) => {
          throw engineFailure(err, 'deploy');
        },
      );
      const now = new Date().toISOString();
      await this.save({
        name,
        source: request.source,
        created_at: now,
        updated_at: now,
        project_dir: relative(stackDir, projectDir),
        files: files.map((f) => relative(projectDir, f)),
        services: Object.keys(project.services).sort(),
        findings: gate.findings,
      });
      this.options.log.info({ stack: name, services: Object.keys(project.services).length, findings: gate.findings.length }, 'stack deployed');
      release();
      return await this.get(name);
    } catch (err) {
      if (created) await rm(stackDir, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    } finally {
      reservation?.release();
      release();
    }
  }

  /**
   * Restarts the stack's containers (`docker compose restart`); with `rebuild`, rebuilds its
   * images and recreates what changed (`build` then `up -d`, machine-lab's restart).
   */
  async restart(name: string, options: { rebuild?: boolean; progress?: ProgressSink } = {}): Promise<void> {
    const release = this.claim(name, 'restart');
    try {
      const record = await this.record(name);
      if (!record) throw notFound(`no stack ${name}`);
      const project = await this.projectOf(record);
      const onProgress = (e: EngineProgress) => options.progress?.(toProgress(e));
      if (options.rebuild) {
        await up(project, { docker: this.options.docker, build: true, removeOrphans: true, onProgress }).catch((err: unknown) => {
          throw engineFailure(err, 'restart');
        });
      } else {
        await restart(project, { docker: this.options.docker, onProgress }).catch((err: unknown) => {
          throw engineFailure(err, 'restart');
        });
      }
      await this.save({ ...record, updated_at: new Date().toISOString() });
    } finally {
      release();
    }
  }

  /**
   * `down` with the stack's volumes (unless `keepVolumes`) and the images built for it, then
   * its folder and record. Pulled images stay: other stacks may use them.
   */
  async remove(name: string, options: { keepVolumes?: boolean } = {}): Promise<void> {
    const release = this.claim(name, 'remove');
    try {
      const record = await this.record(name);
      if (!record) throw notFound(`no stack ${name}`);
      const project = await this.projectOf(record);
      const result = await down(project, { docker: this.options.docker, removeVolumes: !options.keepVolumes, removeOrphans: true }).catch((err: unknown) => {
        throw engineFailure(err, 'remove');
      });
      for (const warning of result.warnings) this.options.log.warn({ stack: name }, warning);
      for (const service of Object.values(project.services)) {
        if (!service.build) continue;
        const image = typeof service.image === 'string' ? service.image : builtImageName(project, service);
        await this.options.docker.images.remove(image).catch((err: unknown) => {
          if (!(err instanceof DockerNotFoundError)) this.options.log.warn({ stack: name, image, reason: (err as Error).message }, 'could not remove a built image');
        });
      }
      await rm(join(this.options.dirs.stacks, name), { recursive: true, force: true });
      await rm(this.recordPath(name), { force: true });
      this.options.log.info({ stack: name }, 'stack removed');
    } finally {
      release();
    }
  }

  /** The stack's output, every container's lines merged as they come. */
  async logs(name: string, options: { follow?: boolean; tail?: number; timestamps?: boolean; signal?: AbortSignal }): Promise<AsyncIterable<ServiceLogLine>> {
    if (!(await this.record(name))) throw notFound(`no stack ${name}`);
    return logs(this.options.docker, name, options);
  }

  async exists(name: string): Promise<boolean> {
    return (await this.record(name)) !== undefined;
  }

  /** The names of the stacks this agent deployed (posture and drift tell them from the rest). */
  async names(): Promise<string[]> {
    return (await this.records()).map((r) => r.name);
  }

  /** The stack's project as its files say now; undefined for no such stack. */
  async project(name: string): Promise<Project | undefined> {
    const record = await this.record(name);
    return record ? this.projectOf(record) : undefined;
  }

  /** The stack's folder (its package, as deployed), for a move to another host. */
  async folder(name: string): Promise<string> {
    if (!(await this.record(name))) throw notFound(`no stack ${name}`);
    return join(this.options.dirs.stacks, name);
  }

  /**
   * The deploy gate (docs/security.md): the analyzer's one deploy policy on exactly the files
   * the engine will run. Every operator allowance it uses is logged.
   */
  private async gate(name: string, projectDir: string, files: string[]) {
    // Loaded on the first deploy: an idle agent does not carry the analyzer (docs/benchmarks.md).
    const { gateProject } = await import('../analyze/index.js');
    let outcome;
    try {
      outcome = gateProject({ dir: projectDir, files, policy: this.options.policy, configFile: this.options.gateConfigFile, version: this.options.version });
    } catch (err) {
      throw unprocessable(`the stack could not be analyzed: ${(err as Error).message}`, undefined, 'analysis_failed');
    }
    if (outcome.problems.length > 0) {
      throw unprocessable(`the stack could not be analyzed: ${outcome.problems.map((p) => p.message).join('; ')}`, undefined, 'analysis_failed');
    }
    for (const use of outcome.allowed) {
      this.options.log.warn({ stack: name, rule: use.rule, allowed_by: use.by, file: use.file, line: use.line, service: use.service }, `gate allowance used: ${use.message}`);
    }
    return outcome;
  }

  /** Marks `name` busy; a second operation on it meanwhile is refused with 409. Returns the release. */
  private claim(name: string, operation: string): () => void {
    const current = this.busy.get(name);
    if (current) throw conflict(`stack ${name} is busy (${current.operation} under way since ${current.since})`);
    const token = { operation, since: new Date().toISOString() };
    this.busy.set(name, token);
    return () => {
      if (this.busy.get(name) === token) this.busy.delete(name);
    };
  }

  private async projectOf(record: StackRecord): Promise<Project> {
    const projectDir = join(this.options.dirs.stacks, record.name, record.project_dir);
    try {
      return await loadStack(
        projectDir,
        record.files.map((f) => join(projectDir, f)),
        record.name,
        this.options.policy.allowedHostPaths,
      );
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      // The files were edited or removed behind the agent's back; what runs can still be found by
      // its project label, and down's orphan removal takes care of it.
      this.options.log.warn({ stack: record.name, reason: err.message }, 'stack files no longer load; using its labels only');
      return emptyProject(record.name, projectDir);
    }
  }

  private recordPath(name: string): string {
    return join(this.options.dirs.state, `${name}.json`);
  }

  private async record(name: string): Promise<StackRecord | undefined> {
    try {
      return JSON.parse(await readFile(this.recordPath(name), 'utf8')) as StackRecord;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  private async records(): Promise<StackRecord[]> {
    const names = (await readdir(this.options.dirs.state).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
    const records = await Promise.all(names.map((n) => this.record(n.slice(0, -'.json'.length)).catch(() => undefined)));
    return records.filter((r): r is StackRecord => r !== undefined);
  }

  private async save(record: StackRecord): Promise<void> {
    const path = this.recordPath(record.name);
    // Written aside and renamed, so a crash never leaves half a record.
    await writeFile(`${path}.tmp`, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    await rename(`${path}.tmp`, path);
  }
}

/** The compose model, loaded on the first stack operation: an idle agent does not need it. */
function composeModel(): Promise<typeof import('../compose/index.js')> {
  return import('../compose/index.js');
}

/** The project directory and compose files of a stack folder: the analyzer's deployFiles, which the manager checks too. */
export async function locateStack(stackDir: string): Promise<{ projectDir: string; files: string[] }> {
  const { deployFiles } = await import('../analyze/index.js');
  const located = deployFiles(stackDir);
  if ('error' in located) throw unprocessable(located.error, undefined, 'no_compose_file');
  return located;
}

/**
 * Loads a stack as the engine will run it. The agent's own environment (which holds
 * SERVER_KEY) never reaches interpolation: only the stack's `.env` does. The loader reads no
 * file outside the stack folder and the operator's allowed host paths.
 */
async function loadStack(projectDir: string, files: string[], name: string, allowedHostPaths: readonly string[]): Promise<Project> {
  const { confinedTo, formatDiagnostic, hasErrors, loadProject } = await composeModel();
  const load = loadProject({ workingDir: projectDir, files, projectName: name, env: {}, confine: confinedTo([projectDir, ...allowedHostPaths]) });
  const errors = load.diagnostics.filter((d) => d.severity === 'error');
  if (!load.project || hasErrors(load.diagnostics)) {
    const shown = errors.slice(0, 10).map((d) => formatDiagnostic({ ...d, file: relative(projectDir, d.file) || d.file }));
    throw new HttpError(422, 'invalid_compose', `the compose files do not load: ${shown.join('; ') || 'no project'}`, { diagnostics: shown });
  }
  return load.project;
}

function emptyProject(name: string, dir: string): Project {
  return { name, working_dir: dir, files: [], services: {}, networks: {}, volumes: {}, secrets: {}, configs: {}, disabled_services: {}, extensions: {} };
}

function engineFailure(err: unknown, operation: string): unknown {
  if (err instanceof UnsupportedConfigError) {
    return new HttpError(422, 'unsupported', `the engine cannot run this stack: ${err.message}`, { issues: err.issues.map((i) => ({ ...i })) });
  }
  if (err instanceof EngineError) {
    return new HttpError(422, `${operation}_failed`, err.message, err.service ? { service: err.service } : undefined);
  }
  return err;
}

function toProgress(event: EngineProgress): ProgressEvent {
  const detail = event.detail ? `: ${event.detail.trim()}` : '';
  return {
    type: 'progress',
    message: `${event.kind} ${event.name} ${event.action} ${event.status}${detail}`,
    ...(event.service ? { service: event.service } : {}),
  };
}

function groupByProject(containers: ContainerSummary[]): Map<string, ContainerSummary[]> {
  const out = new Map<string, ContainerSummary[]>();
  for (const c of containers) {
    const project = c.Labels[LABEL.project];
    if (!project || c.Labels[LABEL.oneoff] === 'True') continue;
    out.set(project, [...(out.get(project) ?? []), c]);
  }
  return out;
}

function summary(record: StackRecord, containers: ContainerSummary[] | undefined, busy: string | undefined): StackSummary {
  const running = containers?.filter((c) => c.State === 'running').length ?? 0;
  const total = containers?.length ?? 0;
  let status: StackStatus;
  if (busy === 'deploy') status = 'deploying';
  else if (!containers) status = 'unknown';
  else if (total > 0 && running === total) status = 'running';
  else if (running > 0) status = 'partial';
  else status = 'stopped';
  return { name: record.name, status, source: record.source, created_at: record.created_at, updated_at: record.updated_at, containers: { running, total } };
}

function summarize(findings: Finding[]): string {
  const shown = findings.slice(0, 3).map((f) => `${f.rule}${f.service ? ` in ${f.service}` : ''}`);
  return findings.length > 3 ? `${shown.join(', ')}, …` : shown.join(', ');
}

export function containerName(c: ContainerSummary): string {
  return (c.Names[0] ?? c.Id).replace(/^\//, '');
}

export function healthOf(status: string): string | null {
  const match = /\((healthy|unhealthy|health: starting)\)/.exec(status);
  if (!match) return null;
  return match[1] === 'health: starting' ? 'starting' : match[1]!;
}
