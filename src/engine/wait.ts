import type { DockerClient } from '../docker/index.js';
import { ServiceWaitError } from './errors.js';
import { LABEL } from './labels.js';

export interface WaitTarget {
  service: string;
  containers: { id: string; name: string }[];
  /** Milliseconds since the epoch after which waiting fails. */
  deadline: number;
  /** How long the caller was willing to wait, for the message. */
  timeoutMs: number;
  signal: AbortSignal;
}

/** What the events said last about one container. */
interface Seen {
  /** Bumped on every event, so an inspect that raced an event does not overwrite it. */
  seq: number;
  health?: string;
  running?: boolean;
  exitCode?: number;
}

/**
 * Follows the project's containers on the engine's event stream (`GET /events`, filtered by the
 * project label): health changes, starts and exits arrive as they happen, with no polling. Open
 * it before starting anything so no event is missed; each wait inspects its containers once, for
 * containers that were running before and for the health check's output.
 */
export class StackWatch {
  private readonly seen = new Map<string, Seen>();
  private readonly listeners = new Set<() => void>();
  private broken: unknown;

  private constructor(
    private readonly docker: DockerClient,
    private readonly controller: AbortController,
  ) {}

  static async open(docker: DockerClient, project: string, signal: AbortSignal): Promise<StackWatch> {
    const controller = new AbortController();
    signal.addEventListener('abort', () => controller.abort(), { once: true });
    const stream = await docker.events(
      { filters: { type: ['container'], label: [`${LABEL.project}=${project}`], event: ['start', 'die', 'health_status'] } },
      { signal: controller.signal },
    );
    const watch = new StackWatch(docker, controller);
    void watch.follow(stream);
    return watch;
  }

  close(): void {
    this.controller.abort();
  }

  private async follow(stream: AsyncIterable<{ Action: string; Actor: { ID: string; Attributes: Record<string, string> } }>): Promise<void> {
    try {
      for await (const event of stream) {
        const seen = this.seen.get(event.Actor.ID) ?? { seq: 0 };
        seen.seq++;
        if (event.Action === 'start') Object.assign(seen, { running: true, exitCode: undefined });
        else if (event.Action === 'die') Object.assign(seen, { running: false, exitCode: Number(event.Actor.Attributes['exitCode'] ?? -1) });
        else if (event.Action.startsWith('health_status')) seen.health = event.Action.slice(event.Action.indexOf(':') + 1).trim();
        this.seen.set(event.Actor.ID, seen);
        this.notify();
      }
      if (!this.controller.signal.aborted) this.broken = new Error('the engine closed its event stream');
    } catch (err) {
      this.broken = err;
    }
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Current facts of a container: the events' if any arrived since, else one inspect's. */
  private async current(id: string, signal: AbortSignal): Promise<{ seen: Seen; hasHealthcheck: boolean; lastOutput?: string }> {
    const before = this.seen.get(id)?.seq ?? 0;
    const info = await this.docker.containers.inspect(id, { signal });
    const log = info.State.Health?.Log;
    const lastOutput = log && log.length > 0 ? log[log.length - 1]!.Output.trim() : undefined;
    const known = this.seen.get(id);
    if (known && known.seq !== before) return { seen: known, hasHealthcheck: info.State.Health !== undefined, lastOutput };
    const running = info.State.Running || info.State.Status === 'created';
    const seen: Seen = {
      seq: known?.seq ?? 0,
      running,
      health: info.State.Health?.Status,
      exitCode: running ? undefined : info.State.ExitCode,
    };
    this.seen.set(id, seen);
    return { seen, hasHealthcheck: info.State.Health !== undefined, lastOutput };
  }

  /** Resolves when `check` returns a value other than undefined, re-checked on every event; rejects at the deadline. */
  private until<T>(target: WaitTarget, check: () => T | undefined, onTimeout: () => Promise<Error>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const finish = (fn: () => void) => {
        this.listeners.delete(listener);
        clearTimeout(timer);
        target.signal.removeEventListener('abort', aborted);
        fn();
      };
      const listener = () => {
        if (this.broken) return finish(() => reject(this.broken));
        try {
          const value = check();
          if (value !== undefined) finish(() => resolve(value));
        } catch (err) {
          finish(() => reject(err));
        }
      };
      const aborted = () => finish(() => reject(new ServiceWaitError(target.service, 'failed', `waiting for service "${target.service}" was cancelled`)));
      const timer = setTimeout(() => finish(() => void onTimeout().then(reject, reject)), Math.max(0, target.deadline - Date.now()));
      this.listeners.add(listener);
      target.signal.addEventListener('abort', aborted, { once: true });
      listener();
    });
  }

  /**
   * Waits until every container of the service reports `healthy`. Fails at once when one turns
   * `unhealthy` or stops, and at the deadline; each failure names the service and quotes the last
   * health check output, which is what tells a person why.
   */
  async waitHealthy(target: WaitTarget): Promise<void> {
    const outputs = new Map<string, string | undefined>();
    for (const c of target.containers) {
      const { hasHealthcheck, lastOutput } = await this.current(c.id, target.signal);
      outputs.set(c.id, lastOutput);
      if (!hasHealthcheck) {
        throw new ServiceWaitError(target.service, 'failed', `service "${target.service}" has no healthcheck, so nothing can wait for it to be healthy (container ${c.name})`);
      }
    }
    const lastOutput = async (id: string) => (await this.current(id, target.signal).catch(() => undefined))?.lastOutput ?? outputs.get(id);
    let failed: { container: { id: string; name: string }; why: 'exited' | 'unhealthy' } | undefined;
    await this.until(
      target,
      () => {
        let all = true;
        for (const c of target.containers) {
          const seen = this.seen.get(c.id);
          if (seen?.running === false) failed = { container: c, why: 'exited' };
          else if (seen?.health === 'unhealthy') failed = { container: c, why: 'unhealthy' };
          if (failed) return false;
          if (seen?.health !== 'healthy') all = false;
        }
        return all ? true : undefined;
      },
      async () => {
        const output = await lastOutput(target.containers[0]!.id);
        return new ServiceWaitError(
          target.service,
          'timeout',
          `service "${target.service}" did not become healthy within ${seconds(target.timeoutMs)}${output === undefined ? '; no health check had finished yet' : quote(output)}`,
          output,
        );
      },
    );
    if (!failed) return;
    const { container, why } = failed;
    const output = await lastOutput(container.id);
    if (why === 'exited') {
      const code = this.seen.get(container.id)?.exitCode;
      throw new ServiceWaitError(
        target.service,
        'exited',
        `service "${target.service}" stopped (container ${container.name} exited with code ${code}) before it became healthy${quote(output)}`,
        output,
      );
    }
    throw new ServiceWaitError(target.service, 'unhealthy', `service "${target.service}" is unhealthy (container ${container.name})${quote(output)}`, output);
  }

  /** Waits until every container of the service has exited, and fails unless each exited with 0. */
  async waitCompleted(target: WaitTarget): Promise<void> {
    for (const c of target.containers) await this.current(c.id, target.signal);
    const still = () => target.containers.find((c) => this.seen.get(c.id)?.running !== false);
    await this.until(
      target,
      () => (still() ? undefined : true),
      async () =>
        new ServiceWaitError(
          target.service,
          'timeout',
          `service "${target.service}" did not complete within ${seconds(target.timeoutMs)} (container ${still()?.name ?? target.containers[0]!.name} is still running)`,
        ),
    );
    for (const c of target.containers) {
      const exitCode = this.seen.get(c.id)?.exitCode ?? -1;
      if (exitCode !== 0) {
        const tail = await lastLines(this.docker, c.id, target.signal);
        throw new ServiceWaitError(
          target.service,
          'exited',
          `service "${target.service}" didn't complete successfully: container ${c.name} exited with code ${exitCode}${quote(tail)}`,
          tail,
        );
      }
    }
  }
}

async function lastLines(docker: DockerClient, id: string, signal: AbortSignal): Promise<string | undefined> {
  try {
    const lines: string[] = [];
    for await (const { line } of docker.containers.logs(id, { tail: 5 }, { signal })) lines.push(line);
    return lines.length > 0 ? lines.join('\n') : undefined;
  } catch {
    return undefined;
  }
}

function quote(output: string | undefined): string {
  if (output === undefined || output === '') return '';
  const trimmed = output.length > 500 ? `${output.slice(0, 500)}…` : output;
  return `; last output: ${trimmed}`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
