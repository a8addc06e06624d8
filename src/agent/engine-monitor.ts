import type { FastifyBaseLogger } from 'fastify';
import { DockerUnavailableError, type DockerClient } from '../docker/index.js';

export interface EngineState {
  ok: boolean;
  /** Why the engine cannot be used, when it cannot. */
  reason?: string;
  /** When this was last found out (ms since the epoch). */
  checkedAt: number;
}

/** A ping is a few hundred bytes over a local socket; a slow one means trouble. */
const PING_TIMEOUT_MS = 2_000;

/**
 * Knows whether the Docker engine answers. It is asked (by /health, heartbeats, metrics) rather
 * than polling on its own, so an idle agent makes no calls; answers younger than `maxAgeMs` are
 * reused so a burst of health checks costs one ping. Nothing is cached across a failure: the
 * next question pings again, which is how the agent notices by itself that the engine is back.
 */
export class EngineMonitor {
  private state: EngineState = { ok: false, reason: 'not checked yet', checkedAt: 0 };
  private inFlight: Promise<EngineState> | undefined;
  private rootDir: string | undefined;

  constructor(
    private readonly docker: DockerClient,
    private readonly log: FastifyBaseLogger,
  ) {}

  get current(): EngineState {
    return this.state;
  }

  check(maxAgeMs = 1_000): Promise<EngineState> {
    if (this.state.checkedAt > 0 && Date.now() - this.state.checkedAt < maxAgeMs) return Promise.resolve(this.state);
    this.inFlight ??= this.ping().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Records what a failed call revealed, so /health need not wait for its next ping to say so. */
  noteFailure(err: unknown): void {
    if (err instanceof DockerUnavailableError) this.update({ ok: false, reason: err.message, checkedAt: Date.now() });
  }

  /** The engine's data directory (`DockerRootDir`), whose disk the agent reports; read once. */
  async dockerRootDir(): Promise<string | undefined> {
    if (this.rootDir) return this.rootDir;
    try {
      const info = await this.docker.info({ timeoutMs: PING_TIMEOUT_MS });
      const dir = info.DockerRootDir;
      if (typeof dir === 'string' && dir !== '') this.rootDir = dir;
    } catch {
      // Asked again next time.
    }
    return this.rootDir;
  }

  private async ping(): Promise<EngineState> {
    try {
      await this.docker.ping({ timeoutMs: PING_TIMEOUT_MS });
      this.update({ ok: true, checkedAt: Date.now() });
    } catch (err) {
      this.update({ ok: false, reason: err instanceof Error ? err.message : String(err), checkedAt: Date.now() });
    }
    return this.state;
  }

  private update(next: EngineState): void {
    const before = this.state;
    this.state = next;
    if (before.ok && !next.ok) this.log.error({ reason: next.reason }, 'Docker engine is unavailable');
    else if (!before.ok && next.ok && before.checkedAt > 0) this.log.info('Docker engine is available again');
    else if (before.checkedAt === 0 && !next.ok) this.log.error({ reason: next.reason }, 'Docker engine is unavailable');
  }
}
