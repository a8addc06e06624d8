import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Project } from '../compose/index.js';
import type { Finding, HeartbeatStack, ProgressEvent, StackDetail, StackSummary } from '../contract/index.js';
import { DockerError, DockerNotFoundError, type ContainerSummary, type DockerClient } from '../docker/index.js';
import { builtImageName, down, LABEL, logs, replicaCount, restart, up, type ProgressEvent as EngineProgress, type ServiceLogLine } from '../engine/index.js';
import type { DeployPolicy } from '../analyze/index.js';
import { asAgentError, conflict, HttpError, notFound, unprocessable } from './errors.js';
import { StackJournal, stateOf, type StackRecord } from './journal.js';
import type { LimitGuard } from './limits.js';
import { isStackName } from './names.js';
import { declaredOneShots, emptyProject, engineFailure, loadStack, locateStack, toProgress } from './stack-load.js';
import { deriveStack, healthOf, type Derived } from './stack-status.js';
import type { WorkDirs } from './work-dirs.js';

export { locateStack } from './stack-load.js';
export type StackSource = StackSummary['source'];
export type ProgressSink = (event: ProgressEvent) => void;

export interface DeployRequest {
  name: string;
  source: StackSource;
  /** Fills the stack's new, empty folder. */
  materialize: (dir: string) => Promise<void>;
  /** Build images that have a build section even when they exist. */
  build?: boolean;
  /** Fires when the caller hung up: the deploy goes on (the manager learns its end from heartbeats), the log says so. */
  callerGone?: AbortSignal;
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
  /** How long a failed deploy or a removal is still reported (default 24 h). */
  outcomeTtlMs?: number;
}

/** The end of a stack that no longer exists, reported in heartbeats for a while. */
interface Outcome {
  status: 'failed' | 'removed';
  reason: string | null;
  at: number;
}

const DEFAULT_OUTCOME_TTL_MS = 24 * 3_600_000;
const MAX_OUTCOMES = 500;

/**
 * Stacks: compose projects deployed through the engine, each in `stacks/<name>/` with its
 * project name equal to its stack name, so `docker compose -p <name> ps` shows it too. A deploy
 * is all or nothing and journaled (docs/agent.md, "The journal"): its record is written, durably,
 * before anything else happens, and when the gate, a limit or the engine refuses, what it made is
 * taken down and the record removed. An agent killed mid-deploy rolls it back at its next start.
 * One operation at a time per stack.
 */
export class StackManager {
  private readonly busy = new Map<string, { operation: string; since: string }>();
  private readonly journal: StackJournal;
  private readonly outcomes = new Map<string, Outcome>();
  /** What the engine last showed of each stack: reported while it cannot be asked. */
  private readonly lastSeen = new Map<string, { derived: Derived; at: string }>();
  private recovered = false;
  private recovering: Promise<boolean> | undefined;

  constructor(private readonly options: StackManagerOptions) {
    this.journal = new StackJournal(options.dirs.state);
  }

  /** Whether the start-up recovery ran (it waits for the engine). */
  get recoveryDone(): boolean {
    return this.recovered;
  }

  /** How many stacks exist (for metrics). */
  async count(): Promise<number> {
    return (await this.journal.all()).length;
  }

  async list(): Promise<StackSummary[]> {
    const records = await this.journal.all();
    const listing = await this.listing();
    return records.map((r) => this.summary(r, listing)).sort((a, b) => a.name.localeCompare(b.name));
  }

  async get(name: string): Promise<StackDetail> {
    const record = await this.known(name);
    if (!record) throw notFound(`no stack ${name}`);
    const listing = await this.listing(name);
    const summary = this.summary(record, listing);
    const containers = listing?.filter((c) => c.Labels[LABEL.project] === name && c.Labels[LABEL.oneoff] !== 'True') ?? [];
    const names = [...new Set([...record.services, ...containers.map((c) => c.Labels[LABEL.service] ?? '').filter(Boolean)])].sort();
    const services = names.map((service) => ({
      name: service,
      containers: containers
        .filter((c) => c.Labels[LABEL.service] === service)
        .map((c) => ({ id: c.Id, name: containerName(c), state: c.State, status: c.Status, health: healthOf(c.Status) })),
    }));
    return { ...summary, services, findings: record.findings };
  }

  /**
   * Every stack with its status, for heartbeats: the records (their containers from `listing`,
   * one listing of the host's containers; undefined when the engine cannot be asked, and then
   * as last seen), and the recent ends of stacks that are gone.
   */
  async reports(listing: readonly ContainerSummary[] | undefined): Promise<HeartbeatStack[]> {
    const records = await this.journal.all();
    const out: HeartbeatStack[] = [];
    for (const record of records) {
      const summary = this.summary(record, listing);
      const seen = this.lastSeen.get(record.name);
      out.push({
        name: record.name,
        status: summary.status,
        reason: summary.reason,
        services: summary.status === 'deploying' ? [] : (seen?.derived.services ?? []),
        seen_at: seen?.at ?? null,
      });
    }
    this.pruneOutcomes();
    for (const [name, outcome] of this.outcomes) {
      if (records.some((r) => r.name === name)) continue;
      out.push({ name, status: outcome.status, reason: outcome.reason, services: [], seen_at: null });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async deploy(request: DeployRequest, progress: ProgressSink = () => {}): Promise<StackDetail> {
    const { name } = request;
    const { dirs, log } = this.options;
    const release = this.claim(name, 'deploy');
    const stackDir = join(dirs.stacks, name);
    let journaled = false;
    let project: Project | undefined;
    let engineCalled = false;
    let reservation: { release(): void } | undefined;
    try {
      const exists = () => conflict(`stack ${name} already exists; remove it first (DELETE /stacks/${name})`);
      if (await this.journal.read(name)) throw exists();
      const now = new Date().toISOString();
      // The journal entry comes first, before any engine call: whatever happens from here on, the next start knows of it.
      await this.journal.write({ name, state: 'deploying', source: request.source, created_at: now, updated_at: now, project_dir: '', files: [], services: [], findings: [] });
      journaled = true;
      // A stack of this name that runs or has a folder without a record is adopted (its record replaces this one), not deployed over.
      if (await this.adopt(name, await this.listing(name))) {
        journaled = false;
        throw exists();
      }
      this.outcomes.delete(name);
      try {
        await mkdir(stackDir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        // Made by someone else a moment ago (known() looked first): not this deploy's to clean up.
        await this.journal.remove(name);
        journaled = false;
        throw conflict(`stack ${name} already exists (its folder is there); remove it first`);
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

      project = await loadStack(projectDir, files, name, this.options.policy.allowedHostPaths);
      const replicas = Object.values(project.services).reduce((n, s) => n + replicaCount(s), 0);
      reservation = await this.options.limits.reserve(replicas);
      const record: StackRecord = {
        name,
        state: 'deploying',
        source: request.source,
        created_at: now,
        updated_at: now,
        project_dir: relative(stackDir, projectDir),
        files: files.map((f) => relative(projectDir, f)),
        services: Object.keys(project.services).sort(),
        findings: gate.findings,
      };
      // Now with its files, so a rollback after a crash takes down exactly this project.
      await this.journal.write(record);

      progress({ type: 'progress', message: `deploying ${Object.keys(project.services).length} services` });
      engineCalled = true;
      const deployed = project;
      await up(deployed, { docker: this.options.docker, build: request.build ?? false, removeOrphans: true, onProgress: (e) => progress(toProgress(e)) }).catch(
        (err: unknown) => {
          throw engineFailure(err, 'deploy');
        },
      );
      const oneShot = await this.oneShots(deployed);
      await this.journal.write({ ...record, state: 'deployed', updated_at: new Date().toISOString(), ...(oneShot.length > 0 ? { one_shot: oneShot } : {}) });
      log.info({ stack: name, services: Object.keys(deployed.services).length, findings: gate.findings.length }, 'stack deployed');
      release();
      return await this.get(name);
    } catch (err) {
      if (journaled) await this.failDeploy(name, err, { project, engineCalled, callerGone: request.callerGone?.aborted === true });
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
      const record = await this.known(name);
      if (!record) throw notFound(`no stack ${name}`);
      if (stateOf(record) !== 'deployed') throw conflict(`stack ${name} was interrupted while ${stateOf(record) === 'deploying' ? 'deploying' : 'being removed'}; remove it (DELETE /stacks/${name})`);
      // Its files never went through this agent's gate (or are not known): running them again would skip it.
      if (record.source === 'adopted') throw conflict(`stack ${name} was adopted from what ran without a record; remove it and deploy it again`);
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
      await this.journal.write({ ...record, updated_at: new Date().toISOString() });
    } finally {
      release();
    }
  }

  /**
   * `down` with the stack's volumes (unless `keepVolumes`) and the images built for it, then
   * its folder and record. Pulled images stay: other stacks may use them. The record says
   * `removing` meanwhile, so a removal cut short is finished at the next start.
   */
  async remove(name: string, options: { keepVolumes?: boolean } = {}): Promise<void> {
    const release = this.claim(name, 'remove');
    try {
      const record = await this.known(name);
      if (!record) throw notFound(`no stack ${name}`);
      if (stateOf(record) !== 'removing') await this.journal.write({ ...record, state: 'removing', updated_at: new Date().toISOString() });
      await this.takeDown(record, { keepVolumes: options.keepVolumes ?? false });
      this.options.log.info({ stack: name }, 'stack removed');
      this.ended(name, { status: 'removed', reason: null });
    } finally {
      release();
    }
  }

  /** The stack's output, every container's lines merged as they come. */
  async logs(name: string, options: { follow?: boolean; tail?: number; timestamps?: boolean; signal?: AbortSignal }): Promise<AsyncIterable<ServiceLogLine>> {
    if (!(await this.known(name))) throw notFound(`no stack ${name}`);
    return logs(this.options.docker, name, options);
  }

  async exists(name: string): Promise<boolean> {
    return (await this.known(name)) !== undefined;
  }

  /**
   * What the start finishes (docs/agent.md, "The journal"): deploys cut short are rolled back,
   * removals cut short are finished, and stacks the engine (by their labels) or WORK_DIR (by
   * their folder) knows without a record are adopted. Needs the engine: while it cannot be asked,
   * nothing is touched and the next call tries again. Returns whether it ran.
   */
  recover(): Promise<boolean> {
    if (this.recovered) return Promise.resolve(true);
    this.recovering ??= this.recoverOnce().finally(() => {
      this.recovering = undefined;
    });
    return this.recovering;
  }

  private async recoverOnce(): Promise<boolean> {
    const { dirs, log } = this.options;
    let listing: ContainerSummary[];
    try {
      listing = await this.options.docker.containers.list({ all: true, filters: { label: [LABEL.project] } }, { timeoutMs: 10_000 });
    } catch (err) {
      if (!(err instanceof DockerError)) throw err;
      log.warn({ reason: err.message }, 'stack recovery waits for the Docker engine');
      return false;
    }
    for (const name of await readdir(dirs.state).catch(() => [] as string[])) {
      if (name.endsWith('.json.tmp')) await rm(join(dirs.state, name), { force: true });
    }
    let finished = true;
    for (const record of await this.journal.all()) {
      const state = stateOf(record);
      if (state === 'deployed' || this.busy.has(record.name)) continue;
      const release = this.claim(record.name, 'recover');
      try {
        if (state === 'deploying') {
          await this.takeDown(record, { keepVolumes: false });
          const reason = 'the agent stopped before the deploy finished; rolled back when it started again';
          log.warn({ stack: record.name, reason }, 'deploy failed');
          this.ended(record.name, { status: 'failed', reason });
        } else {
          await this.takeDown(record, { keepVolumes: false });
          log.info({ stack: record.name }, 'stack removed (a removal the agent had not finished)');
          this.ended(record.name, { status: 'removed', reason: null });
        }
      } catch (err) {
        log.error({ stack: record.name, state, reason: describe(err) }, 'could not finish an interrupted stack operation; the record stays for the next try');
        finished = false;
      } finally {
        release();
      }
    }
    // Listed again: what was rolled back above is gone from the engine, and must not be adopted.
    try {
      listing = await this.options.docker.containers.list({ all: true, filters: { label: [LABEL.project] } }, { timeoutMs: 10_000 });
    } catch (err) {
      if (!(err instanceof DockerError)) throw err;
      return false;
    }
    const names = new Set<string>();
    for (const c of listing) {
      const project = c.Labels[LABEL.project];
      if (project && isStackName(project) && ownedBy(c, join(dirs.stacks, project))) names.add(project);
    }
    for (const entry of await readdir(dirs.stacks, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory() && isStackName(entry.name)) names.add(entry.name);
    }
    for (const name of [...names].sort()) {
      // An unreadable record is left for the operator, not overwritten by an adoption.
      if (this.busy.has(name) || (await this.journal.read(name).catch(() => 'unreadable'))) continue;
      await this.adopt(name, listing).catch((err: unknown) => log.error({ stack: name, reason: describe(err) }, 'could not adopt a stack'));
    }
    this.recovered = finished;
    return finished;
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

  /** A failed deploy: logged with its reason, what it made taken down, its record removed, its end reported. */
  private async failDeploy(name: string, err: unknown, how: { project: Project | undefined; engineCalled: boolean; callerGone: boolean }): Promise<void> {
    const { log, dirs } = this.options;
    const known = asAgentError(err);
    log.warn({ stack: name, code: known?.code ?? 'internal', status: known?.statusCode ?? 500, reason: describe(err), caller_gone: how.callerGone }, 'deploy failed');
    // What the manager is told: the agent's own answer, never an internal message.
    const reason = known ? known.message : 'the agent failed while deploying (its log has the cause)';
    try {
      if (how.engineCalled) {
        const project = how.project ?? emptyProject(name, join(dirs.stacks, name));
        await this.teardown(project, { keepVolumes: false });
      }
      await rm(join(dirs.stacks, name), { recursive: true, force: true });
      await this.journal.remove(name);
      this.ended(name, { status: 'failed', reason });
    } catch (cleanup) {
      // The record stays `deploying`: the next start rolls it back.
      log.error({ stack: name, reason: describe(cleanup) }, 'could not roll back a failed deploy; the next start will');
      this.recovered = false;
    }
  }

  /** Takes down what runs under the record's project, then its folder and record. */
  private async takeDown(record: StackRecord, options: { keepVolumes: boolean }): Promise<void> {
    const project = await this.projectOf(record);
    await this.teardown(project, options);
    await rm(join(this.options.dirs.stacks, record.name), { recursive: true, force: true });
    await this.journal.remove(record.name);
  }

  /** `down` of the project (what its labels name, too) and the images built for it. */
  private async teardown(project: Project, options: { keepVolumes: boolean }): Promise<void> {
    const { docker, log } = this.options;
    const result = await down(project, { docker, removeVolumes: !options.keepVolumes, removeOrphans: true }).catch((err: unknown) => {
      throw engineFailure(err, 'remove');
    });
    for (const warning of result.warnings) log.warn({ stack: project.name }, warning);
    for (const service of Object.values(project.services)) {
      if (!service.build) continue;
      const image = typeof service.image === 'string' ? service.image : builtImageName(project, service);
      await docker.images.remove(image).catch((err: unknown) => {
        if (!(err instanceof DockerNotFoundError)) log.warn({ stack: project.name, image, reason: (err as Error).message }, 'could not remove a built image');
      });
    }
  }

  private ended(name: string, outcome: Omit<Outcome, 'at'>): void {
    this.lastSeen.delete(name);
    this.outcomes.delete(name);
    this.outcomes.set(name, { ...outcome, at: Date.now() });
    this.pruneOutcomes();
  }

  private pruneOutcomes(): void {
    const cutoff = Date.now() - (this.options.outcomeTtlMs ?? DEFAULT_OUTCOME_TTL_MS);
    for (const [name, outcome] of this.outcomes) if (outcome.at < cutoff) this.outcomes.delete(name);
    // Oldest first (insertion order): a flood of failed deploys cannot grow the heartbeat without bound.
    for (const name of this.outcomes.keys()) {
      if (this.outcomes.size <= MAX_OUTCOMES) break;
      this.outcomes.delete(name);
    }
  }

  /** Services that ran once and exited 0 by the time `up` returned, or that the file says are one-shots. */
  private async oneShots(project: Project): Promise<string[]> {
    const declared = new Set(declaredOneShots(project));
    try {
      const containers = await this.options.docker.containers.list({ all: true, filters: { label: [`${LABEL.project}=${project.name}`] } });
      const derived = deriveStack(Object.keys(project.services), containers);
      for (const s of derived.services) if (s.state === 'completed') declared.add(s.name);
    } catch (err) {
      if (!(err instanceof DockerError)) throw err;
    }
    return [...declared].sort();
  }

  /** The record, or one adopted now for a stack that runs or has a folder without one. */
  private async known(name: string): Promise<StackRecord | undefined> {
    const record = await this.journal.read(name);
    if (record || !isStackName(name) || this.busy.get(name)?.operation === 'recover') return record;
    let listing: ContainerSummary[] | undefined;
    try {
      listing = await this.options.docker.containers.list({ all: true, filters: { label: [`${LABEL.project}=${name}`] } });
    } catch (err) {
      if (!(err instanceof DockerError)) throw err;
    }
    return this.adopt(name, listing);
  }

  /**
   * A stack without a record that the engine knows by its labels (its containers' working
   * directory is this stack's folder) or WORK_DIR by its folder: recorded as `adopted`, so that
   * it can be seen and removed, and its name used again after that.
   */
  private async adopt(name: string, listing: readonly ContainerSummary[] | undefined): Promise<StackRecord | undefined> {
    const stackDir = join(this.options.dirs.stacks, name);
    const containers = (listing ?? []).filter((c) => c.Labels[LABEL.project] === name && ownedBy(c, stackDir));
    const folder = await stat(stackDir).then((s) => s.isDirectory(), () => false);
    if (!folder && containers.length === 0) return undefined;
    const services = new Set(containers.filter((c) => c.Labels[LABEL.oneoff] !== 'True').map((c) => c.Labels[LABEL.service] ?? '').filter(Boolean));
    let projectDir = '';
    let files: string[] = [];
    if (folder) {
      try {
        const located = await locateStack(stackDir);
        projectDir = relative(stackDir, located.projectDir);
        files = located.files.map((f) => relative(located.projectDir, f));
        const project = await loadStack(located.projectDir, located.files, name, this.options.policy.allowedHostPaths);
        for (const service of Object.keys(project.services)) services.add(service);
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        // No loadable compose file: what runs is still found by its labels.
      }
    }
    const now = new Date().toISOString();
    const record: StackRecord = { name, state: 'deployed', source: 'adopted', created_at: now, updated_at: now, project_dir: projectDir, files, services: [...services].sort(), findings: [] };
    await this.journal.write(record);
    this.options.log.warn({ stack: name, containers: containers.length, folder }, 'adopted a stack the agent had no record of');
    return record;
  }

  /** The host's compose containers (or one project's); undefined when the engine cannot be asked. */
  private async listing(name?: string): Promise<ContainerSummary[] | undefined> {
    try {
      return await this.options.docker.containers.list({ all: true, filters: { label: [name ? `${LABEL.project}=${name}` : LABEL.project] } });
    } catch (err) {
      if (!(err instanceof DockerError)) throw err;
      return undefined;
    }
  }

  /** The record's status from `listing` (as last seen when undefined), remembered for when the engine cannot be asked. */
  private summary(record: StackRecord, listing: readonly ContainerSummary[] | undefined): StackSummary {
    const base = { name: record.name, source: record.source, created_at: record.created_at, updated_at: record.updated_at };
    const mine = listing?.filter((c) => c.Labels[LABEL.project] === record.name && c.Labels[LABEL.oneoff] !== 'True');
    const counts = mine ? { running: mine.filter((c) => c.State === 'running').length, total: mine.length } : undefined;
    if (mine) {
      this.lastSeen.set(record.name, { derived: deriveStack(record.services, mine, record.one_shot ?? []), at: new Date().toISOString() });
    }
    const seen = this.lastSeen.get(record.name);
    const lastCounts = seen ? { running: seen.derived.services.reduce((n, s) => n + s.running, 0), total: seen.derived.services.reduce((n, s) => n + s.total, 0) } : { running: 0, total: 0 };
    if (stateOf(record) === 'deploying' || this.busy.get(record.name)?.operation === 'deploy') {
      return { ...base, status: 'deploying', reason: null, containers: counts ?? lastCounts };
    }
    if (mine && seen) return { ...base, status: seen.derived.status, reason: seen.derived.reason, containers: counts ?? lastCounts };
    // The engine does not answer: nothing it runs can be vouched for (without live-restore its
    // containers have stopped with it), so a stack last seen up is reported degraded, not running.
    if (!seen) return { ...base, status: 'degraded', reason: 'the Docker engine does not answer; not seen yet', containers: lastCounts };
    const status = seen.derived.status === 'stopped' ? 'stopped' : 'degraded';
    return { ...base, status, reason: `the Docker engine does not answer; last seen ${seen.derived.status} at ${seen.at}`, containers: lastCounts };
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
    if (record.files.length === 0) return emptyProject(record.name, projectDir);
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
}

/** A container of the stack whose folder is `stackDir`: compose recorded that folder (or one inside it) as its working directory. */
function ownedBy(c: ContainerSummary, stackDir: string): boolean {
  const dir = c.Labels[LABEL.workingDir];
  return dir !== undefined && (dir === stackDir || dir.startsWith(`${stackDir}${sep}`));
}

function describe(err: unknown): string {
  const known = asAgentError(err);
  if (known) return known.message;
  return err instanceof Error ? err.message : String(err);
}

function summarize(findings: Finding[]): string {
  const shown = findings.slice(0, 3).map((f) => `${f.rule}${f.service ? ` in ${f.service}` : ''}`);
  return findings.length > 3 ? `${shown.join(', ')}, …` : shown.join(', ');
}

export function containerName(c: ContainerSummary): string {
  return (c.Names[0] ?? c.Id).replace(/^\//, '');
}
