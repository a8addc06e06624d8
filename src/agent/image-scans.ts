import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { IMAGE_SCAN_LIMITS, INVENTORY_LIMITS, type ImageScanRound, type ImageScans, type ImageScanStatus, type ImageScanSummary, type VulnerabilityCounts } from '../contract/index.js';
import type { DockerClient } from '../docker/index.js';
import { imageSbom, loadAdvisories, scanSbom, type AdvisoryDatabase } from '../image/index.js';

export interface ImageScannerOptions {
  docker: DockerClient;
  /** ADVISORIES_PATH; undefined: scanning is off. */
  advisoriesPath: string | undefined;
  /** 0: only on request. */
  intervalMs: number;
  log: FastifyBaseLogger;
  /** Before the first scheduled round, so that the agent's start is not slowed (default one minute). */
  firstRoundDelayMs?: number;
}

/** Why a round cannot start; the routes answer it as 409 or 422. */
export class ImageScanRefused extends Error {
  constructor(
    readonly reason: 'off' | 'running',
    message: string,
  ) {
    super(message);
  }
}

export const SCANNING_OFF = 'image scanning is off on this host: set ADVISORIES_PATH to an OSV advisory folder or ZIP on the host and restart the agent (docs/scan.md, "On the fleet")';

const clip = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text);

/**
 * Scans the images the host's containers use against the advisory database at ADVISORIES_PATH
 * (docs/scan.md, "On the fleet"): one round at a time, one image at a time, the database loaded
 * for the round and dropped after it. The last result per image id is kept in memory; a round
 * asked for scans the images it does not know yet, a scheduled round all of them (advisories
 * change even when images do not).
 */
export class ImageScanner {
  private readonly results = new Map<string, ImageScanSummary>();
  private current: ImageScanRound | undefined;
  private running: Promise<void> | undefined;
  private last: ImageScanRound | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly stopping = new AbortController();

  constructor(private readonly options: ImageScannerOptions) {}

  get enabled(): boolean {
    return this.options.advisoriesPath !== undefined;
  }

  start(): void {
    if (!this.enabled || this.options.intervalMs <= 0 || !this.stopped) return;
    this.stopped = false;
    this.schedule(this.options.firstRoundDelayMs ?? 60_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.stopping.abort();
    await this.running;
  }

  /** Starts a round now; refused when scanning is off or a round runs. */
  request(): ImageScanRound {
    if (!this.enabled) throw new ImageScanRefused('off', SCANNING_OFF);
    if (this.current) throw new ImageScanRefused('running', `an image scan round (${this.current.id}, started ${this.current.started_at}) is running; ask again when it is over`);
    return this.begin('request');
  }

  state(): ImageScans {
    return { ...this.status(), images: this.summaries() };
  }

  status(): ImageScanStatus {
    return {
      enabled: this.enabled,
      message: this.enabled ? null : SCANNING_OFF,
      interval_seconds: this.options.intervalMs / 1000,
      running: this.current ? { ...this.current } : null,
      last_round: this.last ? { ...this.last } : null,
    };
  }

  /** The last result of every image scanned, for the inventory. */
  summaries(): ImageScanSummary[] {
    return [...this.results.values()].slice(0, IMAGE_SCAN_LIMITS.images);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      // A round asked for in the meantime counts as this one; the next is one interval later.
      if (!this.current) this.begin('schedule');
      void this.running?.finally(() => this.schedule(this.options.intervalMs));
    }, delayMs);
    this.timer.unref();
  }

  private begin(trigger: ImageScanRound['trigger']): ImageScanRound {
    const round: ImageScanRound = { id: randomUUID(), trigger, started_at: new Date().toISOString(), finished_at: null, images: 0, failed: 0, error: null };
    this.current = round;
    this.running = this.round(round)
      .catch((err: unknown) => {
        round.error = clip(err instanceof Error ? err.message : String(err), 1024);
        this.options.log.warn({ round: round.id, reason: round.error }, 'image scan round failed');
      })
      .finally(() => {
        round.finished_at = new Date().toISOString();
        this.last = round;
        this.current = undefined;
        this.running = undefined;
      });
    return { ...round };
  }

  private async round(round: ImageScanRound): Promise<void> {
    const { docker, log } = this.options;
    const signal = this.stopping.signal;
    // Unique image ids of the containers, running or not: a stopped one is one `start` away.
    const refs = new Map<string, Set<string>>();
    for (const c of await docker.containers.list({ all: true }, { signal })) {
      if (!c.ImageID) continue;
      const names = refs.get(c.ImageID) ?? new Set<string>();
      if (refs.size >= IMAGE_SCAN_LIMITS.images && !refs.has(c.ImageID)) continue;
      names.add(clip(c.Image, INVENTORY_LIMITS.text));
      refs.set(c.ImageID, names);
    }
    // Images no container uses any more are forgotten.
    for (const id of this.results.keys()) if (!refs.has(id)) this.results.delete(id);
    const due = [...refs.keys()].filter((id) => round.trigger === 'schedule' || !this.results.has(id) || this.results.get(id)!.error !== null);
    if (due.length === 0) return;
    let db: AdvisoryDatabase | undefined = await loadAdvisories(this.options.advisoriesPath!);
    try {
      for (const id of due) {
        if (signal.aborted) return;
        const names = [...refs.get(id)!].sort().slice(0, IMAGE_SCAN_LIMITS.refs);
        const summary = await this.scanOne(id, names, db, signal);
        round.images++;
        if (summary.error !== null) round.failed++;
        this.results.set(id, summary);
      }
      log.info({ round: round.id, trigger: round.trigger, images: round.images, failed: round.failed, advisories: db.index.size }, 'image scan round done');
    } finally {
      // The database can be large: held for the round only.
      db = undefined;
    }
  }

  private async scanOne(id: string, refs: string[], db: AdvisoryDatabase, signal: AbortSignal): Promise<ImageScanSummary> {
    const base = { image_id: id, refs, scanned_at: new Date().toISOString(), advisories: db.index.size };
    const counts: VulnerabilityCounts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
    try {
      const sbom = await imageSbom(this.options.docker, id, signal);
      const findings = scanSbom(sbom, db.index);
      for (const v of findings.vulnerabilities) counts[v.severity]++;
      return { ...base, counts, vulnerable_packages: findings.vulnerabilities.length, packages: sbom.packages.length, secrets: findings.secrets.length, error: null };
    } catch (err) {
      const reason = clip(err instanceof Error ? err.message : String(err), 512);
      this.options.log.warn({ image: id, reason }, 'image scan failed');
      return { ...base, counts, vulnerable_packages: 0, packages: 0, secrets: 0, error: reason };
    }
  }
}
